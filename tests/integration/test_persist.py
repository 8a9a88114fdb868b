"""persist/unpersist/restore with real bind mounts, each test in its own mount namespace.

Every test runs one scenario of persist_scenarios.py under `unshare -m --propagation private`
on a fresh loop-mounted ext4 CONFIG image; the scenario writes what it saw to result.json and
the test asserts on it.  Nothing is mounted in the test runner's namespace.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ovirt_node.core.run import run

pytestmark = pytest.mark.root

HELPER = Path(__file__).with_name("persist_scenarios.py")
REPO = Path(__file__).resolve().parents[2]
ALLOWED = "(/etc, /var/lib, /var/spool, /root, /home, /usr/local, /opt, /srv)"


def _unavailable() -> str | None:
    if os.geteuid() != 0:
        return "needs root (private mount namespaces, loop devices)"
    for tool in ("unshare", "mount", "mkfs.ext4", "truncate", "losetup"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (util-linux / e2fsprogs)"
    if not os.path.exists("/dev/loop-control"):
        return "no loop device support (/dev/loop-control is missing)"
    return None


def _run_scenario(name: str, workdir: Path) -> tuple[int, str, dict[str, Any] | None]:
    workdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = run(
        ["unshare", "-m", "--propagation", "private", "--", sys.executable, str(HELPER), name, str(workdir)],
        check=False,
        env=env,
        timeout=120,
    )
    result_file = workdir / "result.json"
    data = json.loads(result_file.read_text()) if result_file.exists() else None
    return proc.returncode, proc.stderr, data


@pytest.fixture(scope="module")
def namespaces(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Skip the module unless a private namespace with a loop-mounted ext4 image works here."""
    reason = _unavailable()
    if reason:
        pytest.skip(reason)
    rc, stderr, data = _run_scenario("probe", tmp_path_factory.mktemp("ovirt-persist-probe"))
    if rc != 0 or data is None or data.get("config_mounts") != 1:
        last = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {rc}"
        pytest.skip(f"cannot loop-mount an ext4 image in a private mount namespace: {last}")


def _leaked(workdir: Path) -> list[str]:
    with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as fh:
        mounts = [line for line in fh if str(workdir) in line]
    image = workdir / "config.img"
    loops = ""
    if image.exists():
        loops = run(["losetup", "-j", str(image)], check=False).stdout.strip()
    return mounts + ([loops] if loops else [])


@pytest.fixture
def workdir(namespaces: None, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "ovirt-persist"
    yield path
    # The namespace is gone, so are its mounts; the loop device clears itself shortly after.
    deadline = time.monotonic() + 5
    while _leaked(path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _leaked(path) == [], "mounts or loop devices leaked from the private namespace"


def scenario(name: str, workdir: Path) -> dict[str, Any]:
    rc, stderr, data = _run_scenario(name, workdir)
    assert rc == 0 and data is not None, f"scenario {name} failed:\n{stderr}"
    return data


def test_persist_file(workdir: Path) -> None:
    r = scenario("file", workdir)
    assert r["first"] == {"rc": 0, "out": ["Successfully persisted /etc/x"], "err": []}
    assert r["index"] == "/etc/x\n"
    before, stored = r["before"], r["stored"]
    assert stored == before  # content, mode 0640, owner 1234:1234 and mtime kept
    assert (stored["mode"], stored["uid"], stored["gid"]) == ("0o640", 1234, 1234)
    # The live path is a bind mount of the stored copy: one mount, same inode, writes land in /config.
    assert r["mounts"] == 1
    assert r["same_inode"] is True
    assert r["stored_after_write"] == "written through the live path\n"
    assert r["again"] == {"rc": 0, "out": ["/etc/x is already persisted"], "err": []}
    assert r["mounts_after_again"] == 1
    assert r["in_sync"] is True and r["is_persisted"] is True
    assert r["list"]["out"] == ["/etc/x"]


def test_persist_directory(workdir: Path) -> None:
    r = scenario("dir", workdir)
    assert r["first"]["out"] == ["Successfully persisted /etc/foo"]
    assert r["index"] == "/etc/foo\n"
    assert r["stored_tree"] == r["before"]  # symlinks kept as symlinks, owners and modes kept
    assert r["stored_tree"]["rel-link"] == {
        "kind": "link",
        "target": "a.conf",
        "mode": "0o777",
        "uid": 0,
        "gid": 0,
    }
    assert r["stored_top"] == r["top_before"]
    assert r["stored_top"]["mode"] == "0o750"
    assert r["mounts"] == 1
    assert r["stored_new"] == "new\n"
    assert r["again"]["out"] == ["/etc/foo is already persisted"]
    assert r["child"] == {
        "rc": 0,
        "out": ["/etc/foo/a.conf is already persisted (under /etc/foo)"],
        "err": [],
    }
    assert r["child_unpersist"]["rc"] == 0
    assert r["child_unpersist"]["out"] == [
        "/etc/foo/a.conf is not persisted (it is part of the persisted /etc/foo)"
    ]
    assert r["child_is_persisted"] is True
    assert r["index_after"] == "/etc/foo\n"
    assert (r["mounts_after"], r["child_mounts"]) == (1, 0)


def test_persist_symlink(workdir: Path) -> None:
    r = scenario("symlink", workdir)
    assert r["first"]["out"] == ["Successfully persisted /etc/link"]
    assert r["index"] == "/etc/link\n"
    assert r["stored"] == {"kind": "link", "target": "/etc/target", "mode": "0o777", "uid": 1234, "gid": 1234}
    assert r["mounts"] == 0  # symlinks are recorded, never bind-mounted
    assert r["again"]["out"] == ["/etc/link is already persisted"]
    assert r["changed"]["out"] == ["Updated the persisted copy of /etc/link"]
    assert r["stored_changed"]["target"] == "/etc/other"
    assert r["temp_leftovers"] == []


def test_changed_stored_copy_is_updated_from_the_live_path(workdir: Path) -> None:
    r = scenario("updated", workdir)
    assert r["first"]["rc"] == 0
    assert r["live_before"] == "v1\n"
    assert r["in_sync_before"] is False
    assert r["update"] == {"rc": 0, "out": ["Updated the persisted copy of /etc/x"], "err": []}
    assert r["stored_after"]["text"] == "v1\n" and r["live_after"] == "v1\n"
    assert (r["stored_after"]["mode"], r["stored_after"]["uid"]) == ("0o640", 1234)
    assert r["in_sync_after"] is True and r["same_inode"] is True
    assert r["mounts"] == 1  # re-bound, not stacked
    assert r["unpersist"]["out"] == ["Successfully unpersisted /etc/x"]
    assert r["repersist"]["out"] == ["Successfully persisted /etc/x"]
    assert r["stored_v3"] == "v3\n"
    assert r["mounts_v3"] == 1
    assert r["index"] == "/etc/x\n"


def test_unpersist_keeps_content_and_cleans_config(workdir: Path) -> None:
    r = scenario("unpersist", workdir)
    assert r["persisted"]["rc"] == 0
    assert "etc/a/b/c.conf" in r["listing_before"]
    assert r["unpersist"] == {
        "rc": 0,
        "out": [
            "Successfully unpersisted /etc/x",
            "Successfully unpersisted /etc/a/b/c.conf",
            "Successfully unpersisted /etc/foo",
            "Successfully unpersisted /etc/link",
        ],
        "err": [],
    }
    # The live paths keep what they showed while persisted (writes made through the binds).
    assert (r["file"]["text"], r["file"]["mode"], r["file"]["uid"], r["file"]["gid"]) == (
        "v2\n",
        "0o640",
        1234,
        1234,
    )
    assert r["deep"]["text"] == "deep\n"
    assert set(r["dir"]) == {"one.conf", "two.conf"}
    assert (r["dir"]["one.conf"]["mode"], r["dir"]["one.conf"]["uid"]) == ("0o600", 1234)
    assert r["dir"]["two.conf"]["text"] == "two\n"
    assert r["link"]["target"] == "/etc/x"
    assert r["mounts"] == {"/etc/x": 0, "/etc/a/b/c.conf": 0, "/etc/foo": 0}
    # Copies, empty parent directories and index lines are gone.
    assert r["listing_after"] == ["files"]
    assert r["index"] == ""
    assert r["again"] == {"rc": 0, "out": ["/etc/x is not persisted"], "err": []}
    assert r["relative"] == {"rc": 2, "out": [], "err": ["unpersist: etc/x: not an absolute path"]}


def test_restore_after_reboot(workdir: Path) -> None:
    r = scenario("restore", workdir)
    assert r["persisted"]["rc"] == 0
    assert r["dropped"] == ["/etc/deep/er/file.conf", "/etc/foo", "/etc/x", "/var/lib/thing"]
    assert r["live_x_after_reboot"] == "v1\n"  # the read-only original shows again
    assert r["restored"] == ["/etc/deep/er/file.conf", "/etc/foo", "/etc/link", "/etc/x", "/var/lib/thing"]
    expected_mounts = {
        "/etc/x": 1,
        "/etc/deep/er/file.conf": 1,
        "/etc/foo": 1,
        "/var/lib/thing": 1,
        "/etc/link": 0,
    }
    assert r["mounts"] == expected_mounts
    assert (r["x"]["text"], r["x"]["mode"], r["x"]["uid"]) == ("v2 through the bind\n", "0o640", 1234)
    assert (r["deep"]["text"], r["deep"]["mode"]) == ("deep\n", "0o600")
    assert r["deep_parent"]["mode"] == "0o700"  # missing parents re-created like the stored ones
    assert set(r["foo"]) == {"a.conf", "b.conf", "link"}
    assert r["foo"]["link"]["target"] == "a.conf"
    assert r["thing"] == "s\n"
    assert r["link"]["target"] == "/etc/x"
    # Idempotent: a second restore mounts nothing twice.
    assert r["restored_again"] == []
    assert r["mounts_again"] == expected_mounts
    assert r["restore_cli"] == {"rc": 0, "out": [], "err": []}


@pytest.mark.parametrize(("name", "path", "old", "new", "mode"), [
    # passwd and PAM replace the account files; a forced password change at login must work
    ("accounts", "/etc/shadow", "admin:$6$old:0:0:99999:7:::\n", "admin:$6$new:20000:0:99999:7:::\n", "0o640"),
    # localed replaces the console keymap file; a second keymap change must work
    ("vconsole", "/etc/vconsole.conf", "KEYMAP=us\n", "KEYMAP=de-latin1\n", "0o644"),
])
def test_files_replaced_by_rename_are_kept_as_copies(workdir: Path, name: str, path: str, old: str, new: str,
                                                    mode: str) -> None:
    r = scenario(name, workdir)
    assert r["persisted"]["out"] == [f"Successfully persisted {path}"]
    assert r["mounts"] == 0  # never a bind mount: their owners replace them by rename
    assert r["stored_before_refresh"] == old
    assert r["refresh"] == {"rc": 0, "out": [f"Updated the persisted copy of {path}"], "err": []}
    assert (r["stored"]["text"], r["stored"]["mode"]) == (new, mode)
    assert r["refresh_again"] == {"rc": 0, "out": [], "err": []}
    assert r["restored"] == [path]
    assert (r["live"]["text"], r["live"]["mode"]) == (new, mode)
    assert r["mounts_after_restore"] == 0
    assert r["restored_again"] == []


def test_restore_reports_failures_and_restores_the_rest(workdir: Path) -> None:
    r = scenario("restore_failure", workdir)
    assert r["restored"] == ["/etc/y"]
    assert r["error"] == "1 persisted path(s) could not be restored: /etc/x"
    assert len(r["failures"]) == 1 and r["failures"][0].startswith("/etc/x: the stored copy ")
    assert r["failures"][0].endswith("/config/etc/x is missing")
    assert r["mounts_y"] == 1
    assert r["cli"]["rc"] == 1
    assert r["cli"]["out"] == ["Restored /etc/y"]


def test_refusals_write_nothing(workdir: Path) -> None:
    r = scenario("refusals", workdir)
    expected = {
        "/usr/bin/tool": f"not under a location that can be persisted {ALLOWED}",
        "/config": "/config and the files under it cannot be persisted",
        "/config/files": "/config and the files under it cannot be persisted",
        "/etc/../config/x": "/config and the files under it cannot be persisted",
        "/etc/nope": "no such file or directory",
        "etc/ok": "not an absolute path",
        "/etc": "refusing to persist all of /etc; persist the files or directories under it instead",
        "/etc/": "refusing to persist all of /etc; persist the files or directories under it instead",
        "/var/log/messages": "/var/log is kept on its own volume and is never persisted",
        "/": "refusing to persist the whole filesystem",
        "/etc/via-link/f.conf": "its parent directory /etc/via-link is a symlink; persist the real path",
    }
    for path, reason in expected.items():
        assert r["cases"][path] == {"rc": 2, "out": [], "err": [f"persist: {path}: {reason}"]}, path
    assert r["listing_unchanged"] is True and r["listing"] == []
    assert r["mounts_ok"] == 0
    # One bad path among good ones: the good one is persisted, the exit status still says 2.
    assert r["mixed"] == {
        "rc": 2,
        "out": ["Successfully persisted /etc/ok"],
        "err": ["persist: /etc/nope: no such file or directory"],
    }
    assert r["index"] == "/etc/ok\n"
    assert r["mounts_ok_after"] == 1
    assert r["foreign_mount"] == {
        "rc": 1,
        "out": [],
        "err": ["persist: /etc/mounted: is a mount point that persist did not make; refusing to cover it"],
    }
    assert r["foreign_mounts"] == 1
    assert r["index_after_foreign"] == "/etc/ok\n"


def test_persisting_a_parent_absorbs_persisted_children(workdir: Path) -> None:
    r = scenario("absorb", workdir)
    assert r["child"]["rc"] == 0 and r["parent"]["out"] == ["Successfully persisted /etc/foo"]
    assert r["index"] == "/etc/foo\n"
    assert r["mounts"] == {"/etc/foo": 1, "/etc/foo/bar": 0}
    assert r["stored_bar"] == r["live_bar"] == "child-v2\n"
    assert r["stored_other"] == "other\n"
    assert r["temp_leftovers"] == []


def test_config_changes_persist_what_they_wrote(workdir: Path) -> None:
    r = scenario("engine", workdir)
    assert r["enabled"] is True
    assert r["set"]["rc"] == 0, r["set"]
    assert r["index"] == "/etc/default/ovirt\n/etc/rsyslog.d/ovirt-node-remote.conf\n/etc/ssh/sshd_config\n"
    assert r["mounted"] == {"/etc/default/ovirt": 1, "/etc/ssh/sshd_config": 1}
    assert r["stored_sshd_has_change"] is True
    # After a reboot the image's original is back until restore() binds the persisted copy.
    assert r["after_reboot_before_restore"] is False
    assert r["after_restore"] is True
    assert r["failing"]["rc"] == 3
    assert r["index_after_failure"] == r["index"]
    assert r["netconsole_exists"] is False
