"""The admin login on a serial console: the image's own admin shell, real sudo with the image's
sudoers rule (and Debian's `Defaults use_pty`), and the setup TUI behind them.

sudo gives the TUI a pseudo-terminal of its own, so the TUI learns the login line only from
the admin shell's `--login-tty`. The pieces run as on the node, in a private mount namespace:
Debian's /etc/sudoers with our rule in place of its include directory, an `admin` account, and
/usr/local/bin/ovirt-node-setup starting the TUI on the demo node. The one stand-in is `tty`,
which names a serial line (tmux only has pseudo-terminals).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ovirt_node import __version__
from ovirt_node.image.recipe import recipe_dir
from tests.terminal.tmux import TMUX, Tmux, setup_command

pytestmark = [
    pytest.mark.terminal,
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed"),
    pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root"),
]

FILES = recipe_dir() / "files"
ADMIN_SHELL = FILES / "usr/local/bin/ovirt-admin-shell"
SUDOERS_RULE = FILES / "etc/sudoers.d/ovirt-node-admin"
SETUP = "/usr/local/bin/ovirt-node-setup"
ADMIN_UID = 4242


def node_files(tmp_path: Path, demo_root: Path | None = None, tty: str | None = None) -> Path:
    """What the namespace binds in place: sudoers, passwd, shadow, /usr/local/bin, and a `tty`."""
    work = tmp_path / "ns"
    work.mkdir()
    stock = Path("/etc/sudoers").read_text()
    assert "@includedir /etc/sudoers.d" in stock and "Defaults\tuse_pty" in stock, "not Debian's sudoers"
    sudoers = work / "sudoers"
    sudoers.write_text(stock.replace("@includedir /etc/sudoers.d", SUDOERS_RULE.read_text()))
    sudoers.chmod(0o440)
    passwd = work / "passwd"
    passwd.write_text(Path("/etc/passwd").read_text()
                      + f"admin:x:{ADMIN_UID}:{ADMIN_UID}::/nonexistent:/usr/local/bin/ovirt-admin-shell\n")
    shadow = work / "shadow"
    shadow.write_text(Path("/etc/shadow").read_text() + "admin:*:20000:0:99999:7:::\n")  # PAM's account check
    shadow.chmod(0o640)
    setup = work / "local-bin/ovirt-node-setup"
    setup.parent.mkdir()
    # As root under sudo: the real TUI, on the demo node (the arguments sudo let through appended).
    demo = shlex.join(setup_command(demo_root)) if demo_root else "true"
    setup.write_text(f"#!/bin/sh\nexec {demo} \"$@\"\n")
    setup.chmod(0o755)
    if tty:  # in /usr/local/bin, first on the login PATH (the test's tmp_path is not the admin's to read)
        fake = work / "local-bin/tty"
        fake.write_text(f"#!/bin/sh\necho {tty}\n")
        fake.chmod(0o755)
    return work


def in_namespace(work: Path, command: str) -> list[str]:
    """`command` (sh) in a private mount namespace with the node's files bound in place."""
    script = (f"mount --bind {work}/sudoers /etc/sudoers && mount --bind {work}/passwd /etc/passwd && "
              f"mount --bind {work}/shadow /etc/shadow && "
              f"mount --bind {work}/local-bin /usr/local/bin && {command}")
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", script]


def as_admin(term: str = "vt220") -> str:
    """The admin shell as the admin user logs in: its uid, a login environment."""
    return shlex.join(["setpriv", f"--reuid={ADMIN_UID}", f"--regid={ADMIN_UID}", "--clear-groups",
                       "env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", f"TERM={term}", "HOME=/", "USER=admin",
                       str(ADMIN_SHELL)])


@pytest.mark.parametrize(("args", "allowed"), [
    ("", True),
    ("--login-tty=/dev/ttyS0", True),
    ("--login-tty=/dev/pts/3", True),
    ("--login-tty=/dev/ttyS0 --root /tmp", False),
    ("--root /tmp", False),
    ("--machine /root/profile.json", False),
    ("--login-tty=/dev/../etc/shadow", False),
])
def test_sudo_lets_admin_run_only_the_tui_with_its_login_line(tmp_path: Path, args: str, allowed: bool) -> None:
    work = node_files(tmp_path)
    result = subprocess.run(in_namespace(work, f"sudo -l -U admin {SETUP} {args}"), capture_output=True, text=True)
    assert (result.returncode == 0) is allowed, result.stdout + result.stderr
    if allowed:
        assert result.stdout.strip() == f"{SETUP} {args}".strip()


def test_admin_login_on_a_serial_line_gets_basic_mode(tmux: Tmux, tmp_path: Path, demo_root: Path) -> None:
    # TERM=linux has colours in terminfo (a vt220 would be basic anywhere): only the login
    # line, passed through sudo as --login-tty, makes this one basic.
    work = node_files(tmp_path, demo_root, tty="/dev/ttyS0")
    tmux.start(in_namespace(work, as_admin("linux")))
    screen = tmux.wait_for("  F4 ", 30)  # the footer, the last line drawn: the whole screen is there
    # basic mode: ASCII, F4 offers rich
    assert "demo-node.example.com" in screen and "F4 rich" in screen and "\u2502" not in screen, screen
    log = (demo_root / "var/log/ovirt-node/setup.log").read_text()
    assert "mode basic" in log and "login tty /dev/ttyS0" in log, log
    tmux.send("Escape")
    tmux.wait_for("Leave the")
    tmux.send("Left", "Enter")
    assert tmux.exit_status() == 0


def test_admin_login_on_a_pseudo_terminal_stays_rich(tmux: Tmux, tmp_path: Path, demo_root: Path) -> None:
    # The same path over SSH (tmux's own /dev/pts/N): rich mode, so the check above can fail.
    work = node_files(tmp_path, demo_root)
    tmux.start(in_namespace(work, as_admin("linux")))
    screen = tmux.wait_for("  F4 ", 30)  # the footer, the last line drawn: the whole screen is there
    assert "demo-node.example.com" in screen and "F4 basic" in screen and "\u2502" in screen, screen
    assert "login tty /dev/pts/" in (demo_root / "var/log/ovirt-node/setup.log").read_text()



#: The node's tools in /usr/local/bin, as the image's pip installs them (run from this checkout).
TOOLS = {"ovirt-node-config": "ovirt_node.cli.config:main", "persist": "ovirt_node.cli.persist:persist_main",
         "unpersist": "ovirt_node.cli.persist:unpersist_main", "ovirt-node-upgrade": "ovirt_node.cli.upgrade:main",
         "ovirt-node-admin-command": "ovirt_node.cli.admin_command:main"}


def install_tools(work: Path) -> None:
    """The tools run as root (sudo) with this venv's Python; the admin command runs as admin,
    who cannot read root's Python, so with Debian's (it needs only the standard library)."""
    repo = Path(__file__).resolve().parents[2]
    for name, entry in TOOLS.items():
        module, function = entry.split(":")
        python = "/usr/bin/python3" if name == "ovirt-node-admin-command" else sys.executable
        script = work / "local-bin" / name
        script.write_text(f"#!/bin/sh\ncd {repo} && exec {python} -c 'import sys; from {module} import "
                          f"{function}; sys.argv[0] = \"{name}\"; sys.exit({function}())' \"$@\"\n")
        script.chmod(0o755)


@pytest.mark.parametrize(("command", "allowed"), [
    ("/usr/local/bin/ovirt-node-config show", True),
    ("/usr/local/bin/ovirt-node-config support-bundle --output -", True),
    ("/usr/local/bin/persist /etc/motd", True),
    ("/usr/local/bin/unpersist /etc/motd", True),
    ("/usr/local/bin/ovirt-node-upgrade --iso /dev/sr0", True),
    ("/bin/sh", False),
    ("/usr/bin/id", False),
    ("/usr/local/bin/ovirt-node-admin-command id", False),
])
def test_sudo_lets_admin_run_the_nodes_tools_and_nothing_else(tmp_path: Path, command: str, allowed: bool) -> None:
    work = node_files(tmp_path)
    install_tools(work)
    result = subprocess.run(in_namespace(work, f"sudo -l -U admin {command}"), capture_output=True, text=True)
    assert (result.returncode == 0) is allowed, result.stdout + result.stderr


def test_ssh_admin_command_runs_the_tool_as_root_and_refuses_others(tmp_path: Path) -> None:
    """`ssh admin@node COMMAND` as sshd runs it: the admin shell with `-c COMMAND`, as admin,
    through the real sudo and the image's rule, to the real ovirt-node-config (run as root)."""
    work = node_files(tmp_path)
    install_tools(work)
    version = subprocess.run(in_namespace(work, as_admin() + " -c 'ovirt-node-config --version'"),
                             capture_output=True, text=True, timeout=120)
    assert version.returncode == 0, version.stderr
    assert version.stdout == f"ovirt-node-config {__version__}\n"
    whoami = subprocess.run(in_namespace(work, as_admin() + " -c id"), capture_output=True, text=True, timeout=120)
    assert whoami.returncode == 126 and "'id' is not one of the commands admin runs over SSH" in whoami.stderr
    root = subprocess.run(in_namespace(work, as_admin() + " -c 'ovirt-node-config --root /tmp show'"),
                          capture_output=True, text=True, timeout=120)
    assert root.returncode == 126 and "--root is not allowed over SSH" in root.stderr
