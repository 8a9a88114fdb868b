"""The mount-free parts of ovirt_node.persist.store: path checks, the index, symlinks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ovirt_node.cli.persist import persist_main, unpersist_main
from ovirt_node.core.root import Root
from ovirt_node.persist import store as persist
from ovirt_node.persist.mount import mount_points
from ovirt_node.persist.paths import (
    ALLOWED_PREFIXES,
    PathRefused,
    PersistError,
    PersistResult,
    check_path,
    covering_entry,
    format_index,
    is_under,
    normalize,
    parse_index,
)
from ovirt_node.persist.store import Store


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/etc/x", "/etc/x"),
        ("/etc/./x", "/etc/x"),
        ("/etc/foo/../x", "/etc/x"),
        ("//etc//x/", "/etc/x"),
        ("/../etc/x", "/etc/x"),
    ],
)
def test_normalize(given: str, expected: str) -> None:
    assert normalize(given) == expected


@pytest.mark.parametrize("bad", ["etc/x", "", "./etc", "~/x", "/etc/a\nb", "/etc/a\0"])
def test_normalize_refuses(bad: str) -> None:
    with pytest.raises(PathRefused):
        normalize(bad)


@pytest.mark.parametrize(
    "path",
    [
        "/etc/ssh/sshd_config",
        "/etc/foo/../ntp.conf",
        "/var/lib/glusterd",
        "/var/spool/cron/root",
        "/root/.ssh/authorized_keys",
        "/home/admin",
        "/usr/local/bin/tool",
        "/opt/app",
        "/srv/data",
    ],
)
def test_check_path_accepts(path: str) -> None:
    assert check_path(path) == normalize(path)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("etc/x", "not an absolute path"),
        ("/", "refusing to persist the whole filesystem"),
        ("/config", "/config and the files under it cannot be persisted"),
        ("/config/etc/x", "/config and the files under it cannot be persisted"),
        ("/etc/../config", "/config and the files under it cannot be persisted"),
        ("/etc", "refusing to persist all of /etc; persist the files or directories under it instead"),
        (
            "/var/lib/",
            "refusing to persist all of /var/lib; persist the files or directories under it instead",
        ),
        ("/var/log/messages", "/var/log is kept on its own volume and is never persisted"),
        ("/var/log", "/var/log is kept on its own volume and is never persisted"),
        ("/boot/grub2/grub.cfg", "/boot is managed by the installer and upgrades and cannot be persisted"),
        ("/usr/bin/python3", "not under a location that can be persisted"),
        ("/var", "not under a location that can be persisted"),
        ("/etcetera/x", "not under a location that can be persisted"),
        ("/tmp/x", "not under a location that can be persisted"),
    ],
)
def test_check_path_refuses(path: str, reason: str) -> None:
    with pytest.raises(PathRefused) as info:
        check_path(path)
    assert info.value.path == path
    assert info.value.reason.startswith(reason)
    assert str(info.value) == f"{path}: {info.value.reason}"


def test_check_path_honours_another_config_dir() -> None:
    with pytest.raises(PathRefused, match="/srv/config and the files under it"):
        check_path("/srv/config/x", "/srv/config")
    assert check_path("/srv/other", "/srv/config") == "/srv/other"


def test_check_path_refuses_an_ancestor_of_the_config_dir() -> None:
    with pytest.raises(PathRefused, match="it contains /srv/data/config"):
        check_path("/srv/data", "/srv/data/config")


@pytest.mark.parametrize("exchange", [True, False])
def test_swap_in_directories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool) -> None:
    if not exchange:  # the rename-aside fallback for kernels/filesystems without RENAME_EXCHANGE
        monkeypatch.setattr(persist, "exchange", lambda a, b: False)
    old, new = tmp_path / "target", tmp_path / "new"
    (old / "sub").mkdir(parents=True)
    (old / "sub" / "old.txt").write_text("old")
    new.mkdir()
    (new / "new.txt").write_text("new")
    persist._swap_in(new, old)
    assert sorted(os.listdir(tmp_path)) == ["target"]
    assert os.listdir(old) == ["new.txt"]


def test_swap_in_changes_kind(tmp_path: Path) -> None:
    target, new = tmp_path / "target", tmp_path / "new"
    target.mkdir()
    new.write_text("file now")
    persist._swap_in(new, target)
    assert target.read_text() == "file now"
    assert sorted(os.listdir(tmp_path)) == ["target"]


def test_allow_list() -> None:
    assert ALLOWED_PREFIXES == (
        "/etc",
        "/var/lib",
        "/var/spool",
        "/root",
        "/home",
        "/usr/local",
        "/opt",
        "/srv",
    )


def test_is_under() -> None:
    assert is_under("/etc/foo", "/etc")
    assert is_under("/etc", "/etc")
    assert not is_under("/etcetera", "/etc")
    assert is_under("/anything", "/")


def test_parse_index_sorts_dedups_and_normalises() -> None:
    text = "/etc/b\n\n/etc/a\n# comment\n/etc/a/\nrelative\n  /etc/c  \n/etc/x/../b\n"
    assert parse_index(text) == ["/etc/a", "/etc/b", "/etc/c"]


def test_format_index() -> None:
    assert format_index(["/etc/b", "/etc/a", "/etc/a", "/etc//c/"]) == "/etc/a\n/etc/b\n/etc/c\n"
    assert format_index([]) == ""
    assert parse_index(format_index(["/etc/z", "/root/x"])) == ["/etc/z", "/root/x"]


def test_covering_entry() -> None:
    entries = ["/etc/foo", "/etc/foo/bar", "/etc/x"]
    assert covering_entry(entries, "/etc/foo/bar/baz") == "/etc/foo"
    assert covering_entry(entries, "/etc/foo") == "/etc/foo"
    assert covering_entry(entries, "/etc/x") == "/etc/x"
    assert covering_entry(entries, "/etc/xy") is None
    assert covering_entry([], "/etc/x") is None


def test_mount_points_unescapes(tmp_path: Path) -> None:
    info = tmp_path / "mountinfo"
    info.write_text(
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "40 22 8:2 /etc/x /a\\040dir/with\\011tab rw - ext4 /dev/sda2 rw\n"
        "41 22 8:2 /etc/y /back\\134slash rw - ext4 /dev/sda2 rw\n"
    )
    assert mount_points(str(info)) == ["/", "/a dir/with\ttab", "/back\\slash"]


# --------------------------------------------------------------------------- Store without mounts


@pytest.fixture
def node(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    for d in ("etc", "config", "usr/bin"):
        (root / d).mkdir(parents=True)
    return root


def test_store_paths(node: Path) -> None:
    store = Store(Root.at(node))
    assert store.stored("/etc/ssh/../x") == node / "config" / "etc" / "x"
    assert store.index_path == node / "config" / "files"
    assert not store.enabled()  # a plain directory is not the mounted CONFIG volume
    assert store.list() == []
    assert not Store(Root.at(node), "/nowhere").enabled()


def test_persist_refuses_missing_path_before_anything(node: Path) -> None:
    store = Store(Root.at(node))
    with pytest.raises(PathRefused, match=r"^/etc/nope: no such file or directory$"):
        store.persist("/etc/nope")
    assert os.listdir(node / "config") == []


def test_persist_refuses_special_files(node: Path) -> None:
    os.mkfifo(node / "etc" / "fifo")
    with pytest.raises(PathRefused, match="not a regular file, directory or symlink"):
        Store(Root.at(node)).persist("/etc/fifo")


def test_persist_without_config_volume(node: Path) -> None:
    (node / "etc" / "x").write_text("x")
    store = Store(Root.at(node), "/missing")
    assert not store.enabled()
    with pytest.raises(PersistError, match="/missing is not available") as info:
        store.persist("/etc/x")
    assert not isinstance(info.value, PathRefused)


def test_symlink_persist_unpersist_and_restore(node: Path) -> None:
    store = Store(Root.at(node))
    link = node / "etc" / "localtime"
    os.symlink("/usr/share/zoneinfo/UTC", link)
    assert store.persist("/etc/localtime") is PersistResult.PERSISTED
    stored = node / "config" / "etc" / "localtime"
    assert os.readlink(stored) == "/usr/share/zoneinfo/UTC"
    assert store.list() == ["/etc/localtime"]
    assert (node / "config" / "files").read_text() == "/etc/localtime\n"
    assert store.in_sync("/etc/localtime")
    assert store.persist("/etc/localtime") is PersistResult.ALREADY

    link.unlink()  # a fresh boot without the link: restore puts it back
    assert store.restore() == ["/etc/localtime"]
    assert os.readlink(link) == "/usr/share/zoneinfo/UTC"
    assert store.restore() == []

    assert store.unpersist("/etc/localtime") is PersistResult.UNPERSISTED
    assert os.readlink(link) == "/usr/share/zoneinfo/UTC"
    assert sorted(os.listdir(node / "config")) == ["files"]
    assert store.list() == []
    assert store.unpersist("/etc/localtime") is PersistResult.NOT_PERSISTED


def test_index_is_rewritten_atomically(node: Path) -> None:
    store = Store(Root.at(node))
    for name in ("b", "a", "c"):
        os.symlink("/dev/null", node / "etc" / name)
        store.persist(f"/etc/{name}")
    assert (node / "config" / "files").read_text() == "/etc/a\n/etc/b\n/etc/c\n"
    leftovers = [n for n in os.listdir(node / "config") if n.startswith(".")]
    assert leftovers == []
    assert oct((node / "config" / "files").stat().st_mode & 0o777) == "0o644"


def test_in_sync_compares_content(node: Path) -> None:
    store = Store(Root.at(node))
    (node / "etc" / "x").write_text("one")
    assert not store.in_sync("/etc/x")  # no stored copy
    (node / "config" / "etc").mkdir()
    (node / "config" / "etc" / "x").write_text("one")
    assert store.in_sync("/etc/x")
    (node / "config" / "etc" / "x").write_text("two")
    assert not store.in_sync("/etc/x")


def test_parent_symlink_is_refused(node: Path) -> None:
    (node / "etc" / "real").mkdir()
    (node / "etc" / "real" / "f").write_text("f")
    os.symlink("real", node / "etc" / "alias")
    with pytest.raises(PathRefused, match="parent directory /etc/alias is a symlink"):
        Store(Root.at(node)).persist("/etc/alias/f")


def test_cli_refusal_exit_code_and_message(node: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (node / "usr" / "bin" / "tool").write_text("t")
    rc = persist_main(["--root", str(node), "/usr/bin/tool", "relative/x"])
    out, err = capsys.readouterr()
    assert rc == 2
    assert out == ""
    assert err.splitlines() == [
        "persist: /usr/bin/tool: not under a location that can be persisted "
        "(/etc, /var/lib, /var/spool, /root, /home, /usr/local, /opt, /srv)",
        "persist: relative/x: not an absolute path",
    ]
    assert os.listdir(node / "config") == []


def test_cli_other_failure_exit_code(node: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (node / "etc" / "x").write_text("x")
    rc = persist_main(["--root", str(node), "--config-dir", "/missing", "/etc/x"])
    assert rc == 1
    assert capsys.readouterr().err.startswith("persist: /etc/x: /missing is not available")


def test_cli_symlink_and_list(node: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.symlink("/etc/other", node / "etc" / "link")
    assert persist_main(["--root", str(node), "/etc/link"]) == 0
    assert persist_main(["--root", str(node), "/etc/./link"]) == 0
    assert persist_main(["--root", str(node), "--list"]) == 0
    assert unpersist_main(["--root", str(node), "/etc/link", "/etc/link"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Successfully persisted /etc/link",
        "/etc/link is already persisted",
        "/etc/link",
        "Successfully unpersisted /etc/link",
        "/etc/link is not persisted",
    ]


def test_cli_usage_errors(node: Path) -> None:
    with pytest.raises(SystemExit) as info:
        persist_main(["--root", str(node)])
    assert info.value.code == 2
    with pytest.raises(SystemExit):
        persist_main(["--root", str(node), "--list", "/etc/x"])
