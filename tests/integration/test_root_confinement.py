"""`--root` confinement: a symbolic link inside the node tree never takes a read or a write
outside it. Outward links (absolute and `../..` relative, to a file or a folder) are planted at
the files the engine reads and writes; `get`, `show` and `set` refuse with the link named, print
nothing of the outside file, and change nothing inside or outside. Links that stay inside the
tree keep working."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from ovirt_node.areas.registry import builtin_sections
from ovirt_node.report import bundle
from tests.node_fixtures import REPO, run_config, snapshot

OUTSIDE_PORT = "Port 4444"


def outside_tree(node_root: Path) -> Path:
    """A folder next to the root holding copies of the node's files, each with a marker that
    must never show up: an sshd_config with Port 4444, a defaults file, a whole /etc."""
    outside = node_root.parent / "outside"
    outside.mkdir()
    shutil.copytree(node_root / "etc", outside / "etc", symlinks=True)
    with open(outside / "etc/ssh/sshd_config", "a") as handle:
        handle.write(f"{OUTSIDE_PORT}\n")
    (outside / "run").mkdir()
    return outside


def plant(node_root: Path, node_path: str, target: Path, relative: bool) -> Path:
    """Replace `node_path` in the tree with a link to `target` (outside); the link's path."""
    link = node_root / node_path.lstrip("/")
    if link.is_dir() and not link.is_symlink():
        shutil.rmtree(link)
    elif link.exists() or link.is_symlink():
        link.unlink()
    link.symlink_to(os.path.relpath(target, link.parent) if relative else target)
    return link


# (node path of the link, what it points at under the outside folder, whether a remote-syslog
# change, which reads and writes the defaults file and rsyslog.d but no SSH file, meets it)
LINKS = [
    ("/etc/ssh/sshd_config", "etc/ssh/sshd_config", False),
    ("/etc/default/ovirt", "etc/default/ovirt", True),
    ("/etc/ssh", "etc/ssh", False),
    ("/etc", "etc", True),
]


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
@pytest.mark.parametrize(("node_path", "target", "syslog_meets_it"), LINKS, ids=[p for p, *_ in LINKS])
def test_an_outward_link_is_refused_for_reads_and_writes(node_root: Path, node_path: str, target: str,
                                                        syslog_meets_it: bool, relative: bool) -> None:
    outside = outside_tree(node_root)
    link = plant(node_root, node_path, outside / target, relative)
    shown = os.readlink(link)
    assert relative == shown.startswith("../")
    inside_before, outside_before = snapshot(node_root), snapshot(outside)
    refused = [["get", "ssh.port"], ["show"], ["show", "ssh"], ["set", "ssh.port=2222"]]
    syslog = ["set", "logging.rsyslog.server=192.0.2.7"]
    for args in refused + [syslog] * syslog_meets_it:
        result = run_config("--root", str(node_root), *args)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert f"{link} is a symbolic link to {shown}, which leads outside the root {node_root}" in result.stderr
        assert "Traceback" not in result.stderr
        assert "4444" not in result.stdout + result.stderr
    assert snapshot(node_root) == inside_before
    assert snapshot(outside) == outside_before
    if not syslog_meets_it:  # a change that does not go through the link is not held up by it
        assert run_config("--root", str(node_root), *syslog).returncode == 0
        assert (node_root / "etc/rsyslog.d/ovirt-node-remote.conf").is_file()
        assert snapshot(outside) == outside_before
    assert OUTSIDE_PORT in (outside / "etc/ssh/sshd_config").read_text()


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_an_outward_run_folder_takes_no_lock_outside(node_root: Path, relative: bool) -> None:
    """The transaction lock and journal live under /run: a /run that leads out is refused."""
    outside = outside_tree(node_root)
    shutil.rmtree(node_root / "run", ignore_errors=True)
    link = plant(node_root, "/run", outside / "run", relative)
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", "ssh.port=2222")
    assert result.returncode == 1 and f"{link} is a symbolic link to" in result.stderr, result.stderr
    assert list((outside / "run").iterdir()) == []
    assert snapshot(node_root) == before


def test_a_climbing_link_that_lands_back_inside_is_followed(node_root: Path) -> None:
    """`../../etc/ssh/sshd_config.real` from /etc/ssh climbs to the top of the tree and back
    down, never out: not an escape, and the write goes to the file it names."""
    real = node_root / "etc/ssh/sshd_config.real"
    (node_root / "etc/ssh/sshd_config").rename(real)
    (node_root / "etc/ssh/sshd_config").symlink_to("../../etc/ssh/sshd_config.real")
    result = run_config("--root", str(node_root), "set", "ssh.port=2222")
    assert result.returncode == 0, result.stderr
    assert "Port 2222" in real.read_text()
    assert run_config("--root", str(node_root), "get", "ssh.port").stdout == "2222\n"


def test_a_nm_keyfile_that_leads_out_is_refused(node_root: Path) -> None:
    """Files found by a glob (NetworkManager keyfiles) are checked one by one."""
    outside = outside_tree(node_root)
    secret = outside / "secret.nmconnection"
    secret.write_text("[connection]\nid=outside\ntype=ethernet\n[wifi-security]\npsk=Outside-Secret-1\n")
    folder = node_root / "etc/NetworkManager/system-connections"
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "stolen.nmconnection"
    link.symlink_to(secret)
    result = run_config("--root", str(node_root), "show")
    assert result.returncode == 1 and f"{link} is a symbolic link to {secret}" in result.stderr
    assert "Outside-Secret-1" not in result.stdout + result.stderr


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_persist_keeps_no_store_outside(node_root: Path, relative: bool) -> None:
    outside = outside_tree(node_root)
    (outside / "config").mkdir()
    shutil.rmtree(node_root / "config", ignore_errors=True)
    link = plant(node_root, "/config", outside / "config", relative)
    persist = Path(sys.executable).parent / "persist"  # the console script, as a user runs it
    # In a private mount namespace: a persist that went wrong would leave a bind mount behind.
    result = subprocess.run(["unshare", "--mount", "--propagation", "private", str(persist), "--root",
                             str(node_root), "/etc/ssh/sshd_config"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 1 and f"persist: {link} is a symbolic link to" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert list((outside / "config").iterdir()) == []


def test_the_support_bundle_is_not_written_outside(node_root: Path) -> None:
    outside = outside_tree(node_root)
    (outside / "data").mkdir()
    shutil.rmtree(node_root / "data", ignore_errors=True)
    link = plant(node_root, "/data", outside / "data", relative=False)
    result = run_config("--root", str(node_root), "support-bundle")
    assert result.returncode == 1 and f"{link} is a symbolic link to" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert list((outside / "data").iterdir()) == []


def test_the_support_bundle_leaves_out_a_hostname_that_leads_out(node_root: Path) -> None:
    """Neither the outside file's content nor its first line (the bundle's name) is taken."""
    outside = outside_tree(node_root)
    (outside / "hostname").write_text("outside-Zq7name\n")
    link = plant(node_root, "/etc/hostname", outside / "hostname", relative=True)
    result = run_config("--root", str(node_root), "support-bundle")
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.name.startswith("ovirt-node-support-node-") and path.parent == node_root / "data/support"
    with tarfile.open(path) as tar:
        names = tar.getnames()
        handle = tar.extractfile(next(n for n in names if n.endswith("/manifest.json")))
        assert handle is not None
        manifest = json.loads(handle.read())
        text = b"".join(f.read() for m in tar.getmembers() if (f := tar.extractfile(m)) is not None)
    assert b"Zq7name" not in text and not any("Zq7name" in n for n in names)
    assert "/etc/hostname (a symbolic link out of the root: not followed)" in manifest["absent"]
    assert f"{link} is a symbolic link to" in result.stderr  # said, once, as a warning


def test_a_resolv_conf_link_is_read_as_the_node_reads_it(node_root: Path) -> None:
    """An absolute link into the node's own /run (as systemd-resolved makes it) is not an
    escape for a read: it is followed inside the root, never to the host's file."""
    (node_root / "run/systemd/resolve").mkdir(parents=True)
    (node_root / "run/systemd/resolve/stub-resolv.conf").write_text("nameserver 192.0.2.53\nsearch node.test\n")
    (node_root / "etc/resolv.conf").unlink()
    (node_root / "etc/resolv.conf").symlink_to("/run/systemd/resolve/stub-resolv.conf")
    assert run_config("--root", str(node_root), "get", "network.dns").stdout == "192.0.2.53\n"
    assert run_config("--root", str(node_root), "get", "network.dns.search").stdout == "node.test\n"


ENGINE_FILES = [p.replace("*", "planted") for p in bundle.config_files(builtin_sections())]


@pytest.mark.parametrize("node_path", ENGINE_FILES)
def test_no_file_the_engine_reads_is_read_through_an_outward_link(node_root: Path, node_path: str) -> None:
    """Every file a section loads (and the settings file): `show` reads them all."""
    outside = node_root.parent / "outside"
    outside.mkdir()
    (outside / "file").write_text("OUTSIDE_MARKER=1\n")
    link = node_root / node_path.lstrip("/")
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.exists():
        link.unlink()
    link.symlink_to(outside / "file")
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "show")
    assert result.returncode == 1, result.stdout
    assert f"{link} is a symbolic link to {outside / 'file'}, which leads outside the root" in result.stderr
    assert "OUTSIDE_MARKER" not in result.stdout + result.stderr
    assert snapshot(node_root) == before and (outside / "file").read_text() == "OUTSIDE_MARKER=1\n"
