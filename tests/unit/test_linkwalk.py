"""The fast read paths' link guard (core/linkwalk.py) on a real tree."""

from __future__ import annotations

from pathlib import Path

from ovirt_node.core.linkwalk import first_link


def test_the_first_link_on_the_way_is_named(tmp_path: Path) -> None:
    (tmp_path / "etc/ssh").mkdir(parents=True)
    (tmp_path / "etc/ssh/sshd_config").write_text("Port 22\n")
    assert first_link(str(tmp_path), "/etc/ssh/sshd_config") is None
    (tmp_path / "etc/ssh/sshd_config").rename(tmp_path / "etc/ssh/real")
    (tmp_path / "etc/ssh/sshd_config").symlink_to("/etc/shadow")
    assert first_link(str(tmp_path), "/etc/ssh/sshd_config") == f"{tmp_path}/etc/ssh/sshd_config"
    (tmp_path / "other").mkdir()
    (tmp_path / "linked").symlink_to("other")
    assert first_link(f"{tmp_path}/", "/linked/etc/x") == f"{tmp_path}/linked"  # the outermost first


def test_nothing_past_a_missing_part(tmp_path: Path) -> None:
    assert first_link(str(tmp_path), "/etc/NetworkManager/system-connections/eth0.nmconnection") is None
