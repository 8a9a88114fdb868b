"""The Security area through `ovirt-node-config` in real processes on a copied node tree:
sshd's environment file (strong RNG, AES-NI) read back in a fresh process and checked with
sshd itself, the admin password set by the real chpasswd (stdin only; never in argv, a log,
the settings file or any file under the root), `adminpw=` set by `chpasswd -e` (the hash on
stdin too) and expired by chage.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ovirt_node.areas.security import NO_AES_NI
from tests.dbus_env import MockService
from tests.node_fixtures import REPO, changed_paths, run_config, snapshot
from tests.shadow import crypt_sha512, files_containing, shadow_fields, verifies

PASSWORD = "Pw-Never-Shown-4711:x"


def config_with_stdin(root: Path, stdin: str, *args: str, env: dict[str, str] | None = None,
                      ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ovirt_node.cli.config", "--root", str(root), *args],
                          input=stdin, capture_output=True, text=True, cwd=REPO, env=env)


# -- strong RNG and AES-NI: sshd's environment file -------------------------------------------

def test_strong_rng_and_aes_ni_round_trip(node_root: Path) -> None:
    before = snapshot(node_root)
    run_config("--root", str(node_root), "set", "security.strong_rng=32", "security.disable_aes_ni=yes", check=True)
    assert changed_paths(before, snapshot(node_root)) == {"/etc/default/ovirt", "/etc/default/ssh"}
    env = (node_root / "etc/default/ssh").read_text()
    assert "SSH_USE_STRONG_RNG=32\n" in env and f'OPENSSL_ia32cap="{NO_AES_NI}"\n' in env
    assert "SSHD_OPTS=" in env  # the distribution's lines stay
    defaults = (node_root / "etc/default/ovirt").read_text()
    assert 'OVIRT_USE_STRONG_RNG="32"' in defaults and 'OVIRT_DISABLE_AES_NI="yes"' in defaults
    out = run_config("--root", str(node_root), "show", "security", check=True).stdout  # a fresh process
    assert "security.strong_rng           '32'                     [system]" in out
    assert "security.disable_aes_ni       'yes'                    [system]" in out

    run_config("--root", str(node_root), "set", "security.strong_rng=0", "security.disable_aes_ni=no", check=True)
    env = (node_root / "etc/default/ssh").read_text()
    assert "SSH_USE_STRONG_RNG" not in env and "OPENSSL_ia32cap" not in env
    assert run_config("--root", str(node_root), "get", "security.strong_rng", check=True).stdout == "0\n"


def test_someone_elses_openssl_mask_is_kept(node_root: Path) -> None:
    env_file = node_root / "etc/default/ssh"
    env_file.write_text(env_file.read_text() + 'OPENSSL_ia32cap="~0x20000000000"\n')
    assert run_config("--root", str(node_root), "get", "security.disable_aes_ni").stdout == "no\n"
    run_config("--root", str(node_root), "set", "security.strong_rng=64", check=True)
    assert 'OPENSSL_ia32cap="~0x20000000000"' in env_file.read_text()


def test_el_platform_writes_sysconfig_sshd(node_root: Path) -> None:
    (node_root / "etc/os-release").write_text('NAME="CentOS Stream"\nID="centos"\nID_LIKE="rhel fedora"\n')
    result = run_config("--root", str(node_root), "set", "--dry-run", "security.disable_aes_ni=yes", check=True)
    assert "(/etc/sysconfig/sshd)" in result.stdout and "Restart sshd.service" in result.stdout
    run_config("--root", str(node_root), "set", "security.disable_aes_ni=yes", check=True)
    assert (node_root / "etc/sysconfig/sshd").read_text() == f'OPENSSL_ia32cap="{NO_AES_NI}"\n'
    assert "OPENSSL" not in (node_root / "etc/default/ssh").read_text()


@pytest.fixture
def host_key(tmp_path: Path) -> Path:
    if not Path("/usr/sbin/sshd").exists():
        pytest.skip("sshd is not installed")
    key = tmp_path / "hostkey"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd -t insists on its privilege separation dir
    return key


def test_sshd_accepts_the_config_and_its_environment(node_root: Path, host_key: Path) -> None:
    run_config("--root", str(node_root), "set", "ssh.port=2222", "ssh.pwauth=yes", "security.strong_rng=32",
               "security.disable_aes_ni=yes", check=True)
    env_file = node_root / "etc/default/ssh"
    # The file as a shell (and systemd's EnvironmentFile=) reads it: exactly our values.
    shell = subprocess.run(["env", "-i", "/bin/sh", "-c", 'set -a; . "$0"; exec env', str(env_file)],
                           capture_output=True, text=True, check=True)
    assert {"SSH_USE_STRONG_RNG=32", f"OPENSSL_ia32cap={NO_AES_NI}"} <= set(shell.stdout.splitlines())
    # sshd, started with that environment, accepts the generated configuration.
    check = subprocess.run(
        ["/bin/sh", "-c", 'set -a; . "$0"; exec /usr/sbin/sshd -t -f "$1" -h "$2"', str(env_file),
         str(node_root / "etc/ssh/sshd_config"), str(host_key)],
        capture_output=True, text=True,
    )
    assert check.returncode == 0, check.stderr


def test_one_restart_of_sshd_for_ssh_and_security_keys(node_root: Path, systemd_mock: MockService) -> None:
    systemd_mock.mock.AddMockUnit("ssh.service")
    result = run_config("--root", str(node_root), "--bus", systemd_mock.address, "set", "ssh.port=2200",
                        "security.strong_rng=32")
    assert result.returncode == 0, result.stderr
    calls = [(str(name), [str(a) for a in args]) for _t, name, args in systemd_mock.mock.GetCalls()]
    assert calls.count(("RestartUnit", ["ssh.service", "replace"])) == 1


# -- bad input: exit 2, the key and the rule named, nothing written ----------------------------

@pytest.mark.parametrize(("assignment", "message"), [
    ("ssh.port=0", "invalid ssh.port: must be a port number from 1 to 65535"),
    ("ssh.port=70000", "invalid ssh.port: must be a port number from 1 to 65535"),
    ("security.strong_rng=5", "invalid security.strong_rng: must be 0 (off) or a whole number from 14 to 1024"),
    ("security.strong_rng=-1", "invalid security.strong_rng: must be 0 (off) or"),
    ("security.disable_aes_ni=maybe", "invalid security.disable_aes_ni: must be yes or no"),
    (f"security.admin_password={PASSWORD}", "invalid security.admin_password: a secret is never taken from the "
                                            "command line"),
    ("security.admin_password_hash=$6$x$y", "invalid security.admin_password_hash: a secret is never taken"),
])
def test_bad_security_input_is_refused(node_root: Path, assignment: str, message: str) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", assignment)
    assert result.returncode == 2
    assert message in result.stderr and "Nothing was changed." in result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    assert snapshot(node_root) == before


# -- the admin password ------------------------------------------------------------------------

def slowed_tools(tmp_path: Path, *tools: str) -> dict[str, str]:
    """An environment whose PATH finds shims of `tools` that sleep, then run the real program,
    so that a watch of every process's command line surely sees each one run."""
    shim_dir = tmp_path / "bin"
    shim_dir.mkdir()
    for tool in tools:
        real = shutil.which(tool)
        assert real, f"{tool} is not installed"
        shim = shim_dir / tool
        shim.write_text(f'#!/bin/sh\nsleep 0.4\nexec {real} "$@"\n')
        shim.chmod(0o755)
    return dict(os.environ, PATH=f"{shim_dir}:{os.environ['PATH']}")


def watch_argv(argv: list[str], stdin: str, env: dict[str, str], output: Path,
               secrets: list[str], wanted: bytes) -> tuple[int, bool, list[bytes]]:
    """Run `argv` and poll /proc/*/cmdline (what `ps` shows every user) until it ends: its exit
    status, whether a command line containing `wanted` was seen, and every one holding a secret."""
    with open(output, "wb") as sink:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=sink, stderr=subprocess.STDOUT, cwd=REPO, env=env)
    assert proc.stdin is not None
    proc.stdin.write(stdin.encode())
    proc.stdin.close()
    saw, leaks = False, []
    while proc.poll() is None:
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            saw |= wanted in cmdline
            if any(secret.encode() in cmdline for secret in secrets):
                leaks.append(cmdline)
        time.sleep(0.01)
    return proc.returncode, saw, leaks


def test_set_password_from_stdin_runs_chpasswd_and_leaks_nowhere(node_root: Path, tmp_path: Path) -> None:
    env = slowed_tools(tmp_path, "chpasswd")
    old_hash = shadow_fields(node_root)[1]
    output = tmp_path / "output"
    code, saw_chpasswd, leaks = watch_argv(
        [sys.executable, "-m", "ovirt_node.cli.config", "--debug", "--root", str(node_root), "set-password"],
        PASSWORD + "\n", env, output, [PASSWORD], b"chpasswd\0--root")
    log = output.read_text()
    assert code == 0, log
    assert saw_chpasswd and not leaks
    assert "chpasswd --root" in log and PASSWORD not in log  # --debug logs every command, masked
    new_hash = shadow_fields(node_root)[1]
    assert new_hash != old_hash and verifies(PASSWORD, new_hash)
    assert files_containing(node_root, PASSWORD) == []  # no log, settings file or backup holds it
    assert "ADMIN_PASSWORD" not in (node_root / "etc/default/ovirt").read_text().upper()


def test_a_password_hash_never_reaches_a_command_line(node_root: Path, tmp_path: Path) -> None:
    """adminpw=/rootpw= hashes (from a file, as on a node from /proc/cmdline) go to `chpasswd -e`
    on stdin: neither the process list (polled while the slowed-down tools run) nor any command
    the runner logs holds them, not even masked."""
    admin_hash = crypt_sha512("Admin-Temporary-1", "adminslt")
    root_hash = crypt_sha512("Root-Temporary-1", "rootsalt")
    (tmp_path / "cmdline").write_text(f"adminpw={admin_hash} rootpw={root_hash}\n")
    source = ["--from", str(tmp_path / "cmdline")]
    env = slowed_tools(tmp_path, "chpasswd", "chage", "usermod")
    output = tmp_path / "output"
    argv = [sys.executable, "-m", "ovirt_node.cli.config", "--debug", "--root", str(node_root), "cmdline", *source]
    code, saw_chpasswd, leaks = watch_argv(argv, "", env, output, [admin_hash, root_hash], b"chpasswd\0--root")
    log = output.read_text()
    assert code == 0, log
    assert saw_chpasswd and not leaks
    commands = [line for line in log.splitlines() if " run: " in line or line.startswith("run: ")]
    assert any(f"chpasswd --root {node_root} --encrypted" in line for line in commands), log
    assert any("chage --root" in line for line in commands)
    assert not any("usermod" in line or "********" in line for line in commands), commands  # nothing to mask
    assert admin_hash not in log and root_hash not in log
    assert shadow_fields(node_root, "admin")[1:3] == [admin_hash, "0"]
    assert shadow_fields(node_root, "root")[1:3] == [root_hash, "0"]


def test_set_password_refuses_bad_input_and_writes_nothing(node_root: Path) -> None:
    before = snapshot(node_root)
    short = config_with_stdin(node_root, "abc\n", "set-password")
    assert short.returncode == 2 and "invalid security.admin_password: must be text of at least 5" in short.stderr
    empty = config_with_stdin(node_root, "", "set-password")
    assert empty.returncode == 2 and "no password on stdin" in empty.stderr
    dry = config_with_stdin(node_root, PASSWORD + "\n", "set-password", "--dry-run")
    assert dry.returncode == 0 and "Set the password of admin (chpasswd, password on stdin)" in dry.stdout
    assert PASSWORD not in dry.stdout + dry.stderr
    assert snapshot(node_root) == before


def test_set_password_without_an_admin_user(node_root: Path) -> None:
    passwd = node_root / "etc/passwd"
    passwd.write_text("".join(line + "\n" for line in passwd.read_text().splitlines() if not line.startswith("admin:")))
    before = snapshot(node_root)
    result = config_with_stdin(node_root, PASSWORD + "\n", "set-password")
    assert result.returncode == 2
    assert "invalid security.admin_password: there is no user admin on this node" in result.stderr
    assert snapshot(node_root) == before


def test_set_password_asks_twice_on_a_terminal(node_root: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    cmd = [sys.executable, "-m", "ovirt_node.cli.config", "--root", str(node_root), "set-password"]
    before = snapshot(node_root)
    child = pexpect.spawn(cmd[0], cmd[1:], cwd=str(REPO), encoding="utf-8", timeout=20)
    child.expect("New password of admin: ")
    child.sendline(PASSWORD)
    child.expect("Strength: ")
    child.expect("Retype it: ")
    child.sendline(PASSWORD + "typo")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2 and "the two entries do not match" in (child.before or "")
    assert snapshot(node_root) == before

    child = pexpect.spawn(cmd[0], cmd[1:], cwd=str(REPO), encoding="utf-8", timeout=20)
    child.expect("New password of admin: ")
    child.sendline(PASSWORD)
    child.expect("Retype it: ")
    child.sendline(PASSWORD)
    child.expect("Applied: security.admin_password")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert PASSWORD not in (child.before or "")  # not echoed
    assert verifies(PASSWORD, shadow_fields(node_root)[1])


def test_answers_file_may_carry_the_password(node_root: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(f"security:\n  admin_password: '{PASSWORD}'\n  strong_rng: 32\n")
    result = run_config("--root", str(node_root), "apply", str(answers))
    assert result.returncode == 0, result.stderr
    assert verifies(PASSWORD, shadow_fields(node_root)[1])
    assert files_containing(node_root, PASSWORD) == []
    shown = run_config("--root", str(node_root), "show", "--json", check=True).stdout
    assert PASSWORD not in shown


needs_root = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root")


@needs_root
def test_password_change_of_a_persisted_shadow(node_root: Path) -> None:
    """A persisted /etc/shadow is a copy, not a bind mount (chpasswd replaces it by rename):
    the change works, and the new file is copied into the store."""
    script = (
        "import subprocess, sys\n"
        "from ovirt_node.persist.store import Store\n"
        "from ovirt_node.core.root import Root\n"
        "root = sys.argv[1]\n"
        "subprocess.run(['mount', '-t', 'tmpfs', 'tmpfs', root + '/config'], check=True)\n"
        "store = Store(Root.at(root))\n"
        "store.persist('/etc/shadow')\n"
        "assert not store.is_mounted('/etc/shadow')\n"
        "cmd = [sys.executable, '-m', 'ovirt_node.cli.config', '--root', root, 'set-password']\n"
        "done = subprocess.run(cmd, input=sys.argv[2] + '\\n', text=True, capture_output=True)\n"
        "print(done.stdout, done.stderr)\n"
        "assert done.returncode == 0\n"
        "assert not store.is_mounted('/etc/shadow')\n"
        "assert store.in_sync('/etc/shadow'), 'the stored copy is stale'\n"
        "print('stored:' + open(root + '/config/etc/shadow').read())\n"
    )
    (node_root / "config").mkdir()
    result = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, "-c", script,
                             str(node_root), PASSWORD], capture_output=True, text=True, cwd=REPO,
                            env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Persist /etc/shadow: done" in result.stdout
    stored = result.stdout.split("stored:", 1)[1]
    admin_hash = next(line for line in stored.splitlines() if line.startswith("admin:")).split(":")[1]
    assert verifies(PASSWORD, admin_hash)


# -- kernel arguments --------------------------------------------------------------------------

def test_adminpw_sets_the_hash_and_forces_a_change(node_root: Path, tmp_path: Path) -> None:
    temporary = crypt_sha512("Temporary-Pw-1", "abcdefgh")
    args = tmp_path / "cmdline"
    args.write_text(f"adminpw={temporary} use_strong_rng=32 disable_aes_ni=y\n")
    result = run_config("--root", str(node_root), "cmdline", "--from", str(args))
    assert result.returncode == 0, result.stderr
    assert temporary not in result.stdout + result.stderr
    fields = shadow_fields(node_root)
    assert fields[1] == temporary and fields[2] == "0"  # chage -d 0: change at the first login
    # In shadow (and chpasswd's backup of it, shadow-), not in the settings file or anywhere else.
    assert sorted(files_containing(node_root, temporary)) == ["etc/shadow", "etc/shadow-"]
    values = run_config("--root", str(node_root), "show", "security", check=True).stdout
    assert "'32'" in values and "'yes'" in values
    again = run_config("--root", str(node_root), "cmdline", "--from", str(args))
    # The same hash again is no change (compared with the stored one when planned).
    assert "unchanged: security (security.admin_password_hash, " in again.stdout
    assert shadow_fields(node_root) == fields


BAD_ARGS = {
    "adminpw=secret-in-clear": "security.admin_password_hash: must be a crypt(3) password hash",
    "use_strong_rng=7": "security.strong_rng: must be 0 (off) or a whole number from 14 to 1024",
    "use_strong_rng": "security.strong_rng: must be 0 (off) or",
    "disable_aes_ni=perhaps": "not understood; write disable_aes_ni or disable_aes_ni=1/y/yes/true/on to turn it on",
}


def test_bad_security_kernel_args_are_skipped_and_logged(node_root: Path, tmp_path: Path) -> None:
    args = tmp_path / "cmdline"
    args.write_text(" ".join(BAD_ARGS) + " adminpw=$6$demo$notarealhash ssh_pwauth=1\n")
    before = shadow_fields(node_root)
    result = run_config("--root", str(node_root), "cmdline", "--from", str(args))
    assert result.returncode == 0, result.stderr
    for arg, reason in BAD_ARGS.items():
        shown = "adminpw=********" if arg.startswith("adminpw=") else arg
        assert f"skipped: {shown}: {reason}" in result.stdout
        assert shown not in result.stderr  # said once: on stdout, with the result
    for secret in ("secret-in-clear", "notarealhash"):
        assert secret not in result.stdout + result.stderr
    assert shadow_fields(node_root) == before
    assert run_config("--root", str(node_root), "get", "ssh.pwauth").stdout == "yes\n"  # the good one applied
    assert "OPENSSL" not in (node_root / "etc/default/ssh").read_text()


@pytest.mark.parametrize("admin_first", [True, False])
def test_rootpw_sets_root_and_the_admin_unless_adminpw_is_given(node_root: Path, tmp_path: Path,
                                                               admin_first: bool) -> None:
    root_hash = crypt_sha512("Root-Temporary-1", "rootsalt")
    admin_hash = crypt_sha512("Admin-Temporary-1", "adminslt")
    args = tmp_path / "cmdline"
    pair = [f"adminpw={admin_hash}", f"rootpw={root_hash}"]
    args.write_text(" ".join(pair if admin_first else pair[::-1]) + "\n")
    result = run_config("--root", str(node_root), "cmdline", "--from", str(args))
    assert result.returncode == 0, result.stderr
    root, admin = shadow_fields(node_root, "root"), shadow_fields(node_root, "admin")
    assert root[1:3] == [root_hash, "0"] and admin[1:3] == [admin_hash, "0"]  # both must change at first login
    for secret in (root_hash, admin_hash):
        assert secret not in result.stdout + result.stderr
        assert sorted(files_containing(node_root, secret)) == ["etc/shadow", "etc/shadow-"]


def test_rootpw_alone_sets_the_admin_too(node_root: Path, tmp_path: Path) -> None:
    root_hash = crypt_sha512("Root-Temporary-1", "rootsalt")
    result = run_config("--root", str(node_root), "--debug", "cmdline", f"rootpw={root_hash}")
    assert result.returncode == 0, result.stderr
    assert "chpasswd --root" in result.stderr and root_hash not in result.stdout + result.stderr  # logged
    assert shadow_fields(node_root, "root")[1:3] == [root_hash, "0"]
    assert shadow_fields(node_root, "admin")[1:3] == [root_hash, "0"]


def test_bad_rootpw_is_skipped_and_nothing_is_set(node_root: Path) -> None:
    before = (node_root / "etc/shadow").read_text()
    result = run_config("--root", str(node_root), "cmdline", "rootpw=clear-text-pw", "ssh_pwauth=1")
    assert result.returncode == 0, result.stderr
    assert "skipped: rootpw=********: security.root_password_hash: must be a crypt(3)" in result.stdout
    assert "clear-text-pw" not in result.stdout + result.stderr
    assert (node_root / "etc/shadow").read_text() == before
    assert run_config("--root", str(node_root), "get", "ssh.pwauth").stdout == "yes\n"


def test_reserved_ssh_port_is_warned_about_and_applied(node_root: Path) -> None:
    result = run_config("--root", str(node_root), "set", "ssh.port=80")
    assert result.returncode == 0, result.stderr
    assert ("ovirt-node-config: warning: ssh.port: port 80 is in the reserved range (below 1024) and may belong "
            "to another service") in result.stderr
    assert "Port 80\n" in (node_root / "etc/ssh/sshd_config").read_text()
    for usual in ("22", "2222"):
        quiet = run_config("--root", str(node_root), "set", f"ssh.port={usual}")
        assert quiet.returncode == 0 and "warning" not in quiet.stderr
