"""boot.console (the Status page's Console path) on a node tree whose boot menu the installer's
own writer made: `ovirt-node-config set` rewrites every entry's console= and nothing else, the
next upgrade's menu keeps it, bad values are refused with the reason and write nothing, and a
failed transaction puts the menu back."""

from __future__ import annotations

import os
import shlex
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from ovirt_node.areas.bootconsole_step import SetKernelConsoles
from ovirt_node.core.context import Context
from ovirt_node.core.root import Root
from ovirt_node.core.transaction import Step, StepRun, Transaction, TransactionError
from ovirt_node.installer.image import ImageVersion
from ovirt_node.installer.steps.bootloader import Slot, boot_args_from_config, grub_config
from ovirt_node.installer.steps.trial import TRIAL_ARG_VARS
from tests.node_fixtures import changed_paths, run_config, snapshot

GRUB_CFG = "boot/efi/grub/grub.cfg"
CARRIED = ["console=tty0", "console=ttyS0,115200n8", "systemd.debug_shell=ttyS1", "loglevel=3"]
ACTIVE = Slot("Root", ImageVersion("ovirt-node", "4.0.0", "1"))
BACKUP = Slot("RootBackup", ImageVersion("ovirt-node", "3.9.0", "1"))


@pytest.fixture
def root(node_root: Path) -> Path:
    """The demo tree with a boot menu as the installer writes it, and the ttys of a machine."""
    menu = node_root / GRUB_CFG
    menu.write_text(grub_config("oVirt Node", ACTIVE, BACKUP, CARRIED))
    for name in ("tty0", "ttyS0", "ttyS1", "hvc0"):
        (node_root / "sys/class/tty" / name).mkdir(parents=True, exist_ok=True)
    return node_root


def linux_lines(root: Path) -> list[list[str]]:
    return [shlex.split(line)[2:] for line in (root / GRUB_CFG).read_text().splitlines()
            if line.strip().startswith("linux ")]


def consoles(root: Path) -> list[list[str]]:
    return [[w for w in words if w.startswith("console=")] for words in linux_lines(root)]


def test_the_current_consoles_are_read_from_the_menu(root: Path) -> None:
    done = run_config("--root", str(root), "get", "boot.console")
    assert done.returncode == 0 and done.stdout.strip() == "tty0 ttyS0,115200n8", done.stdout + done.stderr


def test_set_rewrites_every_entry_and_keeps_the_other_arguments(root: Path) -> None:
    before = linux_lines(root)
    done = run_config("--root", str(root), "set", "boot.console=/dev/ttyS1,57600n8")
    assert done.returncode == 0, done.stderr
    assert "from the next boot on" in done.stdout
    assert consoles(root) == [["console=ttyS1,57600n8"]] * 2  # /dev/ dropped, both slots
    for old, new in zip(before, linux_lines(root), strict=True):
        assert [w for w in old if not w.startswith("console=")] == [w for w in new if not w.startswith("console=")]
    got = run_config("--root", str(root), "get", "boot.console")
    assert got.stdout.strip() == "ttyS1,57600n8"
    # The trial boot's grub variables stay unquoted (quoted, grub would pass their names literally).
    raw = [line for line in (root / GRUB_CFG).read_text().splitlines() if line.strip().startswith("linux ")]
    assert raw and all(line.endswith(f" {TRIAL_ARG_VARS}") for line in raw), raw
    # An upgrade or rollback writes the menu from the carried arguments of the one on the disk.
    assert "console=ttyS1,57600n8" in boot_args_from_config((root / GRUB_CFG).read_text())


def test_several_consoles_and_empty(root: Path) -> None:
    assert run_config("--root", str(root), "set", "boot.console=hvc0 ttyS0,9600").returncode == 0
    assert consoles(root) == [["console=hvc0", "console=ttyS0,9600"]] * 2
    assert run_config("--root", str(root), "set", "boot.console=").returncode == 0
    assert consoles(root) == [[], []]
    assert all("systemd.debug_shell=ttyS1" in words for words in linux_lines(root))


def test_a_character_device_in_dev_counts(root: Path) -> None:
    if os.geteuid() != 0:
        pytest.fail("making a device node needs root (the test machine runs the suite as root)")
    (root / "dev").mkdir(exist_ok=True)
    os.mknod(root / "dev/ttyUSB0", 0o600 | stat.S_IFCHR, os.makedev(188, 0))
    done = run_config("--root", str(root), "set", "boot.console=ttyUSB0,115200n8")
    assert done.returncode == 0, done.stderr
    assert consoles(root)[0] == ["console=ttyUSB0,115200n8"]


BAD = {
    "ttyS9": "no console device ttyS9 on this node",
    "ttyS0,115201": "115201 is not a serial speed",
    "ttyS0,115200x8": "'ttyS0,115200x8' is not a console device",
    "ttyS0 init=/bin/sh": "'init=/bin/sh' is not a console device",
    "ttyS0;reboot": "'ttyS0;reboot' is not a console device",
    "ttyS0'": "is not a console device",
    "tty0,9600": "tty0 takes no speed",
    " ttyS0": "separated by single spaces",
    "ttyS0\tinit=/bin/sh": "separated by single spaces",
    "/dev/../etc/passwd": "is not a console device",
    "ttyS0\ninit=/bin/sh": "must not contain a line break",
}


@pytest.mark.parametrize("value", BAD, ids=repr)
def test_a_bad_value_is_refused_and_nothing_is_written(root: Path, value: str) -> None:
    before = snapshot(root)
    done = run_config("--root", str(root), "set", f"boot.console={value}")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "invalid boot.console" in done.stderr and BAD[value] in done.stderr, done.stderr
    assert "Nothing was changed" in done.stderr
    assert changed_paths(before, snapshot(root)) - {"/var/log/ovirt-node/config.log"} == set()


def test_a_node_without_its_own_boot_menu_says_so(root: Path) -> None:
    (root / GRUB_CFG).unlink()
    before = snapshot(root)
    done = run_config("--root", str(root), "set", "boot.console=ttyS0")
    assert done.returncode == 2
    assert "has no boot menu of its own at /boot/efi/grub/grub.cfg" in done.stderr, done.stderr
    assert changed_paths(before, snapshot(root)) - {"/var/log/ovirt-node/config.log"} == set()


@dataclass(frozen=True)
class Fails(Step):
    title: str = "A later step that fails"

    def apply(self, ctx: Context, run: StepRun) -> None:
        raise RuntimeError("planted failure")


def test_a_failed_transaction_puts_the_menu_back(root: Path) -> None:
    original = (root / GRUB_CFG).read_bytes()
    ctx = Context(root=Root.at(root))
    tx = Transaction("Set the console path", [SetKernelConsoles("/boot/efi/grub/grub.cfg", ("ttyS1",)), Fails()])
    with pytest.raises(TransactionError):
        tx.run(ctx)
    assert (root / GRUB_CFG).read_bytes() == original


def test_check_diff_shows_the_menu_change_and_writes_nothing(root: Path) -> None:
    before = snapshot(root)
    done = run_config("--root", str(root), "set", "boot.console=ttyS1", "--check", "--diff")
    assert done.returncode == 0, done.stderr
    assert "+  linux /vmlinuz" in done.stdout and "'console=ttyS1'" in done.stdout, done.stdout
    assert changed_paths(before, snapshot(root)) - {"/var/log/ovirt-node/config.log"} == set()


def test_export_and_schema_have_the_key(root: Path) -> None:
    exported = run_config("--root", str(root), "export")
    assert '[boot]\nconsole = "tty0 ttyS0,115200n8"' in exported.stdout, exported.stdout
    schema = run_config("--root", str(root), "schema")
    assert "boot.console  text: empty, or console devices separated by spaces" in schema.stdout


def test_a_configuration_reset_keeps_the_console(root: Path) -> None:
    assert run_config("--root", str(root), "set", "boot.console=ttyS1,9600", "nfsv4.domain=example.org").returncode == 0
    menu = (root / GRUB_CFG).read_bytes()
    done = run_config("--root", str(root), "reset", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "example.org" not in (root / "etc/idmapd.conf").read_text()  # the reset did reset
    assert (root / GRUB_CFG).read_bytes() == menu
    assert run_config("--root", str(root), "get", "boot.console").stdout.strip() == "ttyS1,9600"
