"""What tuned and the keymap directories hold, read without any daemon: `tuned-adm list`
output, tuned's profile directories and state file, keymap files under a root."""

from __future__ import annotations

from pathlib import Path

from ovirt_node.areas.performance import Performance, PerformanceSettings
from ovirt_node.core.context import Context
from ovirt_node.core.root import Root
from ovirt_node.core.run import Runner
from ovirt_node.core.steps import RunCommand, WriteFile
from ovirt_node.system.keymaps import Keymap, keymaps_on_disk, list_keymaps
from ovirt_node.system.tuned_profiles import Profile, parse_tuned_adm_list, profiles_on_disk, read_active_file

TUNED_ADM_LIST = """\
Available profiles:
- balanced                    - General non-specialized tuned profile
- latency-performance         - Optimize for deterministic performance at the cost of increased power consumption
- virtual-host                - Optimize for running KVM guests
- my profile                  - not a name tuned accepts
Current active profile: virtual-host
"""


def test_tuned_adm_list_is_parsed() -> None:
    profiles, active = parse_tuned_adm_list(TUNED_ADM_LIST)
    assert [p.name for p in profiles] == ["balanced", "latency-performance", "virtual-host"]
    assert profiles[2] == Profile("virtual-host", "Optimize for running KVM guests")
    assert active == "virtual-host"
    assert parse_tuned_adm_list("Available profiles:\n- powersave\nNo current active profile.\n") == (
        [Profile("powersave")], "")
    assert parse_tuned_adm_list("Available profiles:\n- balanced - x\n")[1] is None  # older tuned-adm


def _conf(path: Path, summary: str) -> None:
    path.mkdir(parents=True)
    (path / "tuned.conf").write_text(f"[main]\nsummary={summary}\n\n[sysctl]\nvm.swappiness=10\n")


def test_profiles_on_disk_old_and_new_layouts_and_overrides(tmp_path: Path) -> None:
    _conf(tmp_path / "usr/lib/tuned/balanced", "General")
    _conf(tmp_path / "usr/lib/tuned/profiles/virtual-host", "KVM host")  # tuned >= 2.23
    _conf(tmp_path / "etc/tuned/balanced", "The admin's own balanced")  # /etc wins
    (tmp_path / "usr/lib/tuned/recommend.d").mkdir()  # not a profile: no tuned.conf
    (tmp_path / "usr/lib/tuned/functions").write_text("# shell helpers\n")
    assert profiles_on_disk(Root.at(tmp_path)) == [Profile("balanced", "The admin's own balanced"),
                                                    Profile("virtual-host", "KVM host")]


def test_active_profile_file(tmp_path: Path) -> None:
    root = Root.at(tmp_path)
    assert read_active_file(root) is None
    (tmp_path / "etc/tuned").mkdir(parents=True)
    (tmp_path / "etc/tuned/active_profile").write_text("\n")
    assert read_active_file(root) == ""
    (tmp_path / "etc/tuned/active_profile").write_text("virtual-host\n")
    assert read_active_file(root) == "virtual-host"


def test_keymaps_on_disk_skip_include_files_and_name_the_layout(tmp_path: Path) -> None:
    base = tmp_path / "usr/lib/kbd/keymaps/xkb"
    base.mkdir(parents=True)
    (base / "de-nodeadkeys.map.gz").write_bytes(b"")
    qwertz = tmp_path / "usr/share/keymaps/i386/qwertz"
    qwertz.mkdir(parents=True)
    (qwertz / "de.map").write_text("include \"qwertz-layout\"\n")
    (qwertz / "de.kmap").write_text("")  # not a keymap file localectl lists
    include = tmp_path / "usr/share/keymaps/i386/include"
    include.mkdir()
    (include / "euro.map").write_text("")  # pieces for others, not a keymap
    (tmp_path / "usr/share/keymaps/us.map.bz2").write_bytes(b"")
    assert keymaps_on_disk(Root.at(tmp_path)) == [Keymap("de", "qwertz"), Keymap("de-nodeadkeys", "xkb"),
                                                   Keymap("us", "")]


def test_list_keymaps_reads_files_under_a_prefix_and_asks_localectl_on_the_host(tmp_path: Path) -> None:
    (tmp_path / "usr/share/keymaps/i386/qwerty").mkdir(parents=True)
    (tmp_path / "usr/share/keymaps/i386/qwerty/us.map").write_text("")
    runner = Runner(dry_run=True)
    assert list_keymaps(Root.at(tmp_path), runner=runner) == [Keymap("us", "qwerty")]
    assert runner.calls == []  # under a prefix localectl describes the wrong system
    fake = tmp_path / "localectl"
    fake.write_text("#!/bin/sh\nprintf 'de\\nfr\\nus\\n'\n")
    fake.chmod(0o755)
    assert [k.name for k in list_keymaps(Root(), localectl=str(fake))] == ["de", "fr", "us"]


def test_performance_plan_on_the_node_uses_tuned_adm_as_a_runtime_command() -> None:
    ctx = Context(root=Root(), dry_run=True)
    on = Performance().plan(ctx, PerformanceSettings("balanced"), PerformanceSettings("virtual-host"))
    off = Performance().plan(ctx, PerformanceSettings("balanced"), PerformanceSettings("none"))
    assert [type(s) for s in on] == [RunCommand] and [type(s) for s in off] == [RunCommand]
    assert isinstance(on[0], RunCommand) and isinstance(off[0], RunCommand)
    assert list(on[0].argv) == ["tuned-adm", "profile", "virtual-host"] and on[0].runtime
    assert list(off[0].argv) == ["tuned-adm", "off"]
    assert "/etc/tuned/active_profile" in on[0].touches()  # what tuned writes is persisted


def test_performance_plan_under_a_prefix_without_a_bus_writes_tuned_state(tmp_path: Path) -> None:
    ctx = Context(root=Root.at(tmp_path))
    steps = Performance().plan(ctx, PerformanceSettings("balanced"), PerformanceSettings("none"))
    assert [(s.path, s.content) for s in steps if isinstance(s, WriteFile)] == [
        ("/etc/tuned/active_profile", "\n"), ("/etc/tuned/profile_mode", "manual\n")]
