"""`ssh.authorized_keys` and `ssh.root_authorized_keys` through the real `ovirt-node-config`
(setting and `sshkey=`/`rootsshkey=` kernel arguments), on copied demo
nodes: the file sshd reads (mode, owner from the node's own passwd, ~/.ssh 0700), a real sshd
that lets the key in and keeps another out, and bad keys refused with nothing written."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.node_fixtures import changed_paths, run_config, snapshot
from tests.unit.test_sshkeys import keygen

KEYS = "home/admin/.ssh/authorized_keys"


def test_the_setting_writes_the_admins_keys_file(node_root: Path, tmp_path: Path) -> None:
    key = keygen(tmp_path, "ed25519")
    done = run_config("--root", str(node_root), "set", f"ssh.authorized_keys={key}")
    assert done.returncode == 0, done.stderr
    target = node_root / KEYS
    assert [line for line in target.read_text().splitlines() if not line.startswith("#")] == [key]
    assert (target.stat().st_mode & 0o777, target.parent.stat().st_mode & 0o777) == (0o600, 0o700)
    assert (target.stat().st_uid, target.stat().st_gid) == (1000, 1000)  # admin in the node's /etc/passwd
    assert run_config("--root", str(node_root), "get", "ssh.authorized_keys").stdout == key + "\n"
    again = run_config("--root", str(node_root), "set", f"ssh.authorized_keys={key}")
    assert "Nothing to change" in again.stdout
    assert "sshd" not in done.stdout  # keys are read at each login: sshd is not restarted
    assert run_config("--root", str(node_root), "set", "ssh.authorized_keys=").returncode == 0
    assert run_config("--root", str(node_root), "get", "ssh.authorized_keys").stdout == "\n"


@pytest.mark.parametrize("value", ["ssh-ed25519", "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ==",
                                   "ssh-dss AAAAB3NzaC1kc3MAAACBAP", "ecdsa-sha2-nistp256 !!!"])
def test_a_bad_key_is_refused_and_nothing_is_written(node_root: Path, value: str) -> None:
    before = snapshot(node_root)
    done = run_config("--root", str(node_root), "set", f"ssh.authorized_keys={value}")
    assert done.returncode == 2
    assert "invalid ssh.authorized_keys: key " in done.stderr and "Nothing was changed." in done.stderr
    assert changed_paths(before, snapshot(node_root)) == set()


def test_kernel_arguments_install_keys_for_admin_and_root(node_root: Path, tmp_path: Path) -> None:
    admin, root = keygen(tmp_path, "ed25519", "fleet@pxe"), keygen(tmp_path, "ecdsa", "break-glass")
    args = tmp_path / "cmdline"
    args.write_text(f'quiet sshkey="{admin}" rootsshkey="{root}" ssh_pwauth=0\n')
    done = run_config("--root", str(node_root), "cmdline", "--from", str(args))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "applied: ssh (ssh.authorized_keys, ssh.pwauth, ssh.root_authorized_keys)" in done.stdout
    assert admin in (node_root / KEYS).read_text() and root in (node_root / "root/.ssh/authorized_keys").read_text()


def test_a_bad_key_argument_is_skipped_with_the_reason(node_root: Path, tmp_path: Path) -> None:
    args = tmp_path / "cmdline"
    args.write_text('sshkey="ssh-ed25519 AAAA-cut" ssh_pwauth=1\n')
    done = run_config("--root", str(node_root), "cmdline", "--from", str(args))
    assert 'skipped: sshkey="ssh-ed25519 AAAA-cut": ssh.authorized_keys: key is not base64' in done.stdout
    assert not (node_root / KEYS).exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_real_sshd_lets_the_written_key_in_and_keeps_another_out(node_root: Path, tmp_path: Path) -> None:
    """root's keys, as `ssh.root_authorized_keys` wrote them, used by the host's sshd: this
    machine's root logs in with the key, and not with a key that was not set."""
    key_file = tmp_path / "id_ed25519"
    key = keygen(tmp_path, "ed25519")
    other = tmp_path / "other"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    assert run_config("--root", str(node_root), "set", f"ssh.root_authorized_keys={key}").returncode == 0
    written = node_root / "root/.ssh/authorized_keys"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "host_key")], check=True)
    port = free_port()
    config = tmp_path / "sshd_config"
    config.write_text(f"Port {port}\nListenAddress 127.0.0.1\nHostKey {tmp_path / 'host_key'}\n"
                      f"AuthorizedKeysFile {written}\nStrictModes no\nPermitRootLogin prohibit-password\n"
                      "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
                      f"PidFile {tmp_path / 'sshd.pid'}\n")
    os.makedirs("/run/sshd", exist_ok=True)
    sshd = subprocess.Popen([shutil.which("sshd") or "/usr/sbin/sshd", "-D", "-e", "-f", str(config)],
                            stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)

        def login(identity: Path) -> subprocess.CompletedProcess[str]:
            return subprocess.run(["ssh", "-p", str(port), "-i", str(identity), "-o", "IdentitiesOnly=yes",
                                   "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                                   "-o", "UserKnownHostsFile=/dev/null", "root@127.0.0.1", "echo in"],
                                  capture_output=True, text=True, timeout=60, check=False)

        assert login(key_file).stdout == "in\n"
        refused = login(other)
        assert refused.returncode == 255 and "Permission denied" in refused.stderr
    finally:
        sshd.kill()
        sshd.wait()
