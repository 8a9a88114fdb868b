"""The real `ovirt-node-installer` screens in tmux at 80x24, in colour (xterm-256color) and in
basic mode (vt100, ASCII only), on machine profiles in dry run: the whole install flow ends at
the Progress screen showing the plan; unsafe disks are listed disabled with their reasons;
an answers file leaves only the screens it keeps interactive."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from tests.install_ui_helpers import shadow_root
from tests.terminal.tmux import TMUX, Tmux

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]


def installer_command(root: Path, machine: str, *args: str) -> list[str]:
    script = Path(sys.executable).parent / "ovirt-node-installer"
    base = [str(script)] if script.exists() else [sys.executable, "-m", "ovirt_node.cli.installer"]
    return [*base, "--dry-run", "--tui", "--machine", machine, "--root", str(root), "--image", "/nonexistent.iso",
            *args]


def install_flow(tmux: Tmux) -> str:
    """Every screen of an install, with a value changed on each, to the Progress screen."""
    tmux.wait_for("What to do:")
    tmux.send("Tab", "Enter")
    tmux.wait_for("qwertz")  # the keymaps arrived from their worker
    tmux.type("de-latin1")
    tmux.send("Enter", "Tab", "Enter")
    tmux.wait_for("The node boots from this disk")
    tmux.send("Tab", "Enter")
    tmux.wait_for("HostVG spans these disks")
    tmux.send("Tab", "Enter")
    tmux.wait_for("Data gets the rest (46712 MiB)")
    tmux.type("20000")  # Swap: what is left follows the typing
    tmux.wait_for("Data gets the rest (34904 MiB)")
    for left in ("2000", "200", "20", "2"):
        tmux.send("BSpace")
        tmux.wait_for(f"Swap (MiB):        {left}\n")
    tmux.send("BSpace")
    tmux.wait_for("Data gets the rest (46712 MiB)")
    tmux.send("Tab", "Enter")
    tmux.wait_for("The password of the admin user")
    tmux.type("tmux-secret-1")
    tmux.wait_for("Strength:")
    tmux.send("Down")
    tmux.type("tmux-secret-1")
    tmux.wait_gone("must match")
    tmux.send("Tab", "Enter")
    screen = tmux.wait_for("These disks will be ERASED:")
    assert "/dev/vda" in screen and "DEMO-VDA-0001" in screen
    assert "Volumes (volume group HostVG, 63.7 GiB):" in screen  # the sizes, whole at 80x24
    assert "Data        45.6 GiB (the rest)  /data" in screen
    assert "type ERASE to go ahead" in screen
    tmux.type("ERASE")
    tmux.wait_gone("type ERASE to go ahead")
    tmux.send("Tab", "Enter")
    screen = tmux.wait_for("Dry run: every step and command planned")
    assert "(1/19) Remove the volume groups found on the disks" in screen
    assert "wipefs --all --force /dev/disk/by-id/virtio-DEMO-VDA-0001" in screen
    assert "tmux-secret-1" not in screen
    return screen


def leave(tmux: Tmux) -> None:
    tmux.send("Right", "Enter")  # View log, Exit
    assert tmux.exit_status() == 0


def test_install_flow_in_colour(tmux: Tmux, demo_root: Path) -> None:
    tmux.start(installer_command(demo_root, "demo"), {"TERM": "xterm-256color"})
    screen = tmux.wait_for("DRY RUN")
    assert "\u2500" in screen  # Unicode rules in colour mode
    screen = install_flow(tmux)
    tmux.send("PageDown")
    tmux.wait_for("mkswap -L SWAP /dev/HostVG/Swap")
    leave(tmux)


def test_install_flow_in_basic_mode_emits_only_ascii(tmux: Tmux, demo_root: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw.out"
    command = ["script", "-q", "-f", "-e", "-c", shlex.join(installer_command(demo_root, "demo", "--basic")),
               str(raw)]
    tmux.start(command, {"TERM": "vt100"})
    screen = tmux.wait_for("DRY RUN")
    assert "\u2500" not in screen and "-----" in screen
    install_flow(tmux)
    leave(tmux)
    data = raw.read_bytes()
    assert b"These disks will be ERASED" in data, "the program's output was not recorded"
    bad = sorted({b for b in data if b >= 0x80})
    assert not bad, f"non-ASCII bytes in basic mode: {[hex(b) for b in bad]}"


def test_unsafe_disks_are_listed_disabled_with_reasons(tmux: Tmux, demo_root: Path) -> None:
    tmux.start(installer_command(demo_root, "hazards"), {"TERM": "xterm-256color"})
    screen = tmux.wait_for("What to do:")
    assert "Upgrade" in screen and "Uninstall" in screen
    tmux.send("Down", "Enter")  # Reinstall
    tmux.wait_for("(\u2022) Reinstall")
    tmux.send("Tab", "Enter")
    tmux.wait_for("Keymap:")
    tmux.send("Tab", "Enter")
    # The help line comes before the disk list is drawn whole: wait for the list itself.
    screen = tmux.wait(lambda s: "The node boots from this disk" in s and "SER-SDC" in s, 15, "the disk list")
    assert "(\u2022) sda" in screen
    # Each reason on a line of its own under the disk's cells: no column is wrapped by it.
    lines = [line.rstrip(" \u2588\u2502\u25b2\u25bc") for line in screen.splitlines()]
    for disk, reason in (("SER-SDB", "(it has mounted"), ("SER-SDC", "(it holds active swap")):
        at = next(i for i, line in enumerate(lines) if f"--- {disk[-3:].lower()}" in line)
        assert lines[at].endswith(f"ata  Test Disk {disk}     500.0 GiB"), lines[at]
        assert lines[at + 1].strip().startswith(reason), lines[at + 1]
    tmux.send("Down")  # to "Other device": a refused disk by its path
    tmux.type("/dev/sdb")
    tmux.wait_for("mounted filesystems (/mnt/backup)")
    tmux.send("Escape")  # Back
    tmux.wait_for("Keymap:")
    tmux.send("Escape", "Escape")  # Welcome, then: quit?
    tmux.wait_for("Leave the installer?")
    tmux.send("Left", "Enter")  # Exit
    assert tmux.exit_status() == 0


def test_answers_file_asks_only_the_confirmation(tmux: Tmux, demo_root: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text('mode = "install"\nkeyboard = "fr"\nboot_disk = "/dev/vda"\ninteractive = ["confirm"]\n'
                       '[password]\nadmin = "answered-1"\n[sizes]\ndata = 0\n')
    tmux.start(installer_command(demo_root, "demo", "--answers", str(answers)), {"TERM": "xterm-256color"})
    screen = tmux.wait_for("Type ERASE:")
    assert "Warning: no Data volume" in screen
    assert "< Back >" in screen  # greyed: nothing before it is asked
    tmux.type("ERASE")
    tmux.send("Tab", "Enter")
    tmux.wait_for("Dry run: every step and command planned")
    leave(tmux)


def test_answers_file_upgrade_asks_the_current_password(tmux: Tmux, tmp_path: Path) -> None:
    root = shadow_root(tmp_path, "old-secret")
    answers = tmp_path / "answers.toml"
    answers.write_text('mode = "upgrade"\ninteractive = ["upgrade_password"]\n')
    tmux.start(installer_command(root, "hazards", "--answers", str(answers)), {"TERM": "xterm-256color"})
    tmux.wait_for("Current:")
    tmux.type("guess")
    tmux.send("Tab", "Enter")
    tmux.wait_for("the current admin password is not correct")
    tmux.send("Tab")  # back into the field
    for _ in "guess":
        tmux.send("BSpace")
    tmux.wait_for("type the current admin password")  # emptied
    tmux.type("old-secret")
    tmux.wait_gone("type the current admin password")
    tmux.send("Tab", "Enter")
    screen = tmux.wait_for("Dry run: every step and command planned")
    assert "Upgrade installed node (version not read)" in screen
    assert "mkfs.ext4 -q -F -L RootBackup /dev/HostVG/RootBackup" in screen
    leave(tmux)


def test_answers_file_uninstall_asks_only_the_confirmation(tmux: Tmux, demo_root: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text('mode = "uninstall"\ninteractive = ["confirm"]\n')
    tmux.start(installer_command(demo_root, "hazards", "--answers", str(answers)), {"TERM": "xterm-256color"})
    screen = tmux.wait_for("These disks will be ERASED:")
    assert "/dev/nvme0n1" in screen and "< Uninstall >" in screen
    tmux.type("ERASE")
    tmux.send("Tab", "Enter")
    screen = tmux.wait_for("Dry run: every step and command planned")
    assert "Remove the volume group HostVG" in screen
    leave(tmux)
