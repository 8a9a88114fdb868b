"""The files the recipe puts into the image, checked by their own tools: the systemd units with
`systemd-analyze verify` (against the host's stock units), the sudoers rule with `visudo -c`,
the shell scripts with `sh -n`, the build's sshd_config edit with `sshd -T`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ovirt_node.image.build import ssh_password_logins_off
from ovirt_node.image.recipe import recipe_dir
from tests.node_fixtures import DEMO_ROOT, run_config

RECIPE = recipe_dir()
FILES = RECIPE / "files"
UNITS = sorted(p for p in (FILES / "etc/systemd/system").iterdir() if p.suffix in (".service", ".path", ".timer"))


def test_the_units_verify(tmp_path: Path) -> None:
    assert shutil.which("systemd-analyze"), "systemd is not installed"
    shutil.copytree(FILES, tmp_path, dirs_exist_ok=True)
    shutil.copytree("/lib/systemd/system", tmp_path / "usr/lib/systemd/system", symlinks=True)
    # ovirt-node-boot, persist and ovirt-node-netconsole come with the wheel, loadkeys with kbd
    for tool in ("usr/local/bin/ovirt-node-boot", "usr/local/bin/persist", "usr/local/bin/ovirt-node-netconsole",
                 "usr/bin/loadkeys"):
        stub = tmp_path / tool
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text("#!/bin/sh\n")
        stub.chmod(0o755)
    units = [str(tmp_path / p.relative_to(FILES)) for p in UNITS]
    result = subprocess.run(["systemd-analyze", "verify", f"--root={tmp_path}", *units],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "ovirt-node" not in result.stderr and "vconsole" not in result.stderr, \
        result.stderr


def test_a_bad_unit_is_caught(tmp_path: Path) -> None:
    # The check above can fail: a missing program is reported.
    shutil.copytree(FILES, tmp_path, dirs_exist_ok=True)
    shutil.copytree("/lib/systemd/system", tmp_path / "usr/lib/systemd/system", symlinks=True)
    unit = tmp_path / "etc/systemd/system/ovirt-node-boot.service"
    result = subprocess.run(["systemd-analyze", "verify", f"--root={tmp_path}", str(unit)],
                            capture_output=True, text=True)
    assert "ovirt-node-boot" in result.stderr


def test_the_sudoers_rule_parses_and_allows_only_the_tui_and_the_nodes_tools() -> None:
    visudo = shutil.which("visudo") or "/usr/sbin/visudo"
    rule = FILES / "etc/sudoers.d/ovirt-node-admin"
    result = subprocess.run([visudo, "-c", "-f", str(rule)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in rule.read_text().splitlines() if line.strip() and not line.startswith("#")]
    # The TUI with no arguments or the login line only; the node's own tools for `ssh admin@node
    # COMMAND` (tests/terminal/test_admin_shell.py runs both with the real sudo).
    assert lines == ['admin ALL=(root) NOPASSWD: /usr/local/bin/ovirt-node-setup "", '
                     '/usr/local/bin/ovirt-node-setup ^--login-tty=/dev/[A-Za-z0-9/]+$',
                     'admin ALL=(root) NOPASSWD: /usr/local/bin/ovirt-node-config, /usr/local/bin/persist, '
                     '/usr/local/bin/unpersist, /usr/local/bin/ovirt-node-upgrade']


@pytest.mark.parametrize("script", ["files/usr/local/bin/ovirt-admin-shell", "initramfs/init"])
def test_shell_scripts_parse(script: str) -> None:
    result = subprocess.run(["sh", "-n", str(RECIPE / script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_networkmanager_starts_only_configured_connections() -> None:
    """NetworkManager's own parser reads our setting (no DHCP on NICs nobody configured)."""
    if shutil.which("NetworkManager") is None:
        pytest.skip("NetworkManager is not installed")
    conf = FILES / "etc/NetworkManager/conf.d/00-ovirt-node.conf"
    result = subprocess.run(["NetworkManager", "--print-config", f"--config={conf}", "--config-dir=/nonexistent"],
                            capture_output=True, text=True, check=True)
    assert "\nno-auto-default=*\n" in result.stdout


def test_the_image_takes_no_ssh_passwords_until_asked(tmp_path: Path) -> None:
    """Debian's sshd_config leaves sshd's built-in "yes"; the build turns password logins off
    (3.x's default), on the line the SSH section then changes (`ssh_pwauth=1`)."""
    if not shutil.which("sshd"):
        pytest.skip("sshd is not installed")
    config = tmp_path / "etc/ssh/sshd_config"
    config.parent.mkdir(parents=True)
    stock = (DEMO_ROOT / "etc/ssh/sshd_config").read_text()
    config.write_text(stock.replace("PasswordAuthentication no\nKbd", "Kbd"))  # as Debian ships it
    key = tmp_path / "hostkey"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd -T insists on its privilege separation dir

    def sshd_says() -> str:
        result = subprocess.run(["/usr/sbin/sshd", "-T", "-f", str(config), "-h", str(key)],
                                capture_output=True, text=True, check=True)
        return next(line for line in result.stdout.splitlines() if line.startswith("passwordauthentication "))

    assert sshd_says() == "passwordauthentication yes"
    ssh_password_logins_off(tmp_path)
    assert sshd_says() == "passwordauthentication no"
    lines = config.read_text().splitlines()
    assert lines.index("PasswordAuthentication no") < lines.index("Match User backup")
    run_config("--root", str(tmp_path), "set", "ssh.pwauth=yes", check=True)
    assert sshd_says() == "passwordauthentication yes"


def _initramfs_fail(tmp_path: Path, trial: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    """The initramfs's own say() and fail(), cut out of /init and run with busybox's sh;
    `reboot` (which must not reach the test host: it prints and ends the script, as a real
    reboot would), `setsid` (the rescue shell) and the sysrq trigger are stand-ins."""
    text = (RECIPE / "initramfs/init").read_text()
    start, end = text.index("say() {"), text.index("\nspec=")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, line in (("reboot", "echo REBOOT $*; kill $PPID"), ("setsid", "echo SHELL; exit 1")):
        (bin_dir / name).write_text(f"#!/bin/sh\n{line}\n")
        (bin_dir / name).chmod(0o755)
    script = (f"PATH={bin_dir}:$PATH\nTRIAL_WAIT=0\ntrial={trial}\n"
              + text[start:end].replace("> /dev/console", "").replace("/proc/sysrq-trigger", str(tmp_path / "sysrq"))
              + "\nfail 'no device for LABEL=x after 60 s'\n")
    assert "/proc/" not in script
    sh = shutil.which("busybox")
    argv = [sh, "sh", "-c", script] if sh else ["sh", "-c", script]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


def test_the_initramfs_reboots_a_failed_trial_boot_instead_of_a_shell(tmp_path: Path) -> None:
    done = _initramfs_fail(tmp_path, "1")
    assert done.stdout.splitlines()[:3] == [
        "ovirt-node-initramfs: FAILED: no device for LABEL=x after 60 s",
        "ovirt-node-initramfs: this is a trial boot of a new image: rebooting in 0 s into the previous one",
        "REBOOT -f"]


def test_the_initramfs_opens_a_shell_outside_a_trial(tmp_path: Path) -> None:
    # fail() loops on the shell for ever: the run is cut short, and only its start is read.
    with pytest.raises(subprocess.TimeoutExpired) as cut:
        _initramfs_fail(tmp_path, "", timeout=2)
    out = cut.value.stdout or b""
    text = out.decode() if isinstance(out, bytes) else out
    assert text.startswith("ovirt-node-initramfs: FAILED: no device for LABEL=x after 60 s\n"
                           "ovirt-node-initramfs: the node cannot boot; starting a shell (exit it to go on)\nSHELL\n")
    assert "REBOOT" not in text
