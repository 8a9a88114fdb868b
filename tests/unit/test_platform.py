"""The platform map: chosen by /etc/os-release under the root, EL names by default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ovirt_node.core.platform import PlatformError, detect, load
from ovirt_node.core.resources import data_path
from ovirt_node.core.root import Root


def _root(tmp_path: Path, os_release: str | None) -> Root:
    if os_release is not None:
        (tmp_path / "etc").mkdir()
        (tmp_path / "etc/os-release").write_text(os_release)
    return Root.at(tmp_path)


@pytest.mark.parametrize(("os_release", "platform", "ssh"), [
    ('ID=debian\nVERSION_ID="12"\n', "debian", "ssh.service"),
    ('ID=ubuntu\nID_LIKE=debian\n', "debian", "ssh.service"),
    ('ID="centos"\nID_LIKE="rhel fedora"\n', "el", "sshd.service"),
    ('ID=fedora\n', "el", "sshd.service"),
    (None, "el", "sshd.service"),
])
def test_platform_follows_os_release(tmp_path: Path, os_release: str | None, platform: str, ssh: str) -> None:
    chosen = detect(_root(tmp_path, os_release))
    assert chosen.id == platform and chosen.unit("ssh") == ssh
    assert chosen.unit("rsyslog") == "rsyslog.service"  # same on both: inherited from el


def test_unknown_role_names_the_platform_and_the_role() -> None:
    with pytest.raises(PlatformError, match="platform 'debian' has no unit for 'nonesuch'"):
        load("debian").unit("nonesuch")


def test_other_platforms_only_override_names_el_defines() -> None:
    """el.json is the complete map; a role only another platform knows would be a typo."""
    el = load("el")
    for path in data_path("platforms").glob("*.json"):
        data = json.loads(path.read_text())
        assert data["id"] == path.stem
        for table in ("units", "paths", "tools"):
            extra = set(data.get(table, {})) - set(getattr(el, table))
            assert not extra, f"{path.name}: {table} {sorted(extra)} are missing from el.json"
