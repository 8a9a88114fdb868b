"""Performance (the tuned profile) end to end: `ovirt-node-config` in a real process on a copied
node tree (tuned's state files under a root without a bus), and tuned's D-Bus API on a private
bus with our own dbusmock template (the profile list, switch_profile, disable, a refusal)."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ovirt_node.areas import performance
from ovirt_node.areas.performance import Performance, available_profiles
from ovirt_node.core.context import Context
from ovirt_node.core.root import HOST
from ovirt_node.demo.templates import tuned_mock
from ovirt_node.system.tuned_profiles import profiles_on_disk
from tests.dbus_env import MockService
from tests.node_fixtures import changed_paths, run_config, snapshot

DEMO_PROFILES = ["balanced", "desktop", "latency-performance", "network-latency", "network-throughput",
                 "powersave", "throughput-performance", "virtual-guest", "virtual-host"]


def get(root: Path, *bus: str) -> str:
    return run_config("--root", str(root), *bus, "get", "performance.tuned.profile", check=True).stdout.strip()


def test_profile_is_written_for_tuned_to_apply_and_read_back(node_root: Path) -> None:
    assert get(node_root) == "virtual-host"  # the demo root's /etc/tuned/active_profile
    (node_root / "etc/tuned/profile_mode").write_text("auto\n")  # as if tuned had recommended it
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", "performance.tuned.profile=throughput-performance")
    assert result.returncode == 0, result.stderr
    assert changed_paths(before, snapshot(node_root)) == {"/etc/default/ovirt", "/etc/tuned/active_profile",
                                                          "/etc/tuned/profile_mode"}
    assert (node_root / "etc/tuned/active_profile").read_text() == "throughput-performance\n"
    assert (node_root / "etc/tuned/profile_mode").read_text() == "manual\n"
    assert 'OVIRT_TUNED_PROFILE="throughput-performance"' in (node_root / "etc/default/ovirt").read_text()
    assert get(node_root) == "throughput-performance"  # a fresh process, from tuned's file


def test_none_turns_tuning_off(node_root: Path) -> None:
    run_config("--root", str(node_root), "set", "performance.tuned.profile=none", check=True)
    assert (node_root / "etc/tuned/active_profile").read_text() == "\n"
    assert get(node_root) == "none"


def test_no_tuned_installed_means_none_and_only_none(node_root: Path) -> None:
    for path in sorted((node_root / "usr/lib/tuned").glob("*/tuned.conf")):
        path.unlink()
    (node_root / "etc/tuned/active_profile").unlink()
    assert get(node_root) == "none"  # built-in default
    result = run_config("--root", str(node_root), "set", "performance.tuned.profile=balanced")
    assert result.returncode == 2
    assert "no tuned profiles are installed on this node; choose none" in result.stderr


@pytest.mark.parametrize(("value", "message"), [
    ("sap-hana", "invalid performance.tuned.profile: tuned has no profile 'sap-hana'; it must be one of: none, "
                 "balanced, desktop"),
    ("virtual host", "invalid performance.tuned.profile: must be a tuned profile name"),
    ("", "invalid performance.tuned.profile: must be a tuned profile name"),
    ("../../etc/passwd", "invalid performance.tuned.profile: must be a tuned profile name"),
])
def test_unknown_or_malformed_profile_exits_2_and_writes_nothing(node_root: Path, value: str, message: str) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", f"performance.tuned.profile={value}")
    assert result.returncode == 2
    assert message in result.stderr
    assert snapshot(node_root) == before


def test_kernel_arguments(node_root: Path) -> None:
    result = run_config("--root", str(node_root), "cmdline", "tuned=virtual-guest")
    assert result.returncode == 0, result.stderr
    assert get(node_root) == "virtual-guest"
    run_config("--root", str(node_root), "cmdline", "tuned=off", check=True)
    assert get(node_root) == "none"
    before = snapshot(node_root)
    bad = run_config("--root", str(node_root), "cmdline", "tuned=sap-hana")
    assert bad.returncode == 0
    assert "skipped: tuned=sap-hana: performance.tuned.profile: tuned has no profile 'sap-hana'; it must be one of" \
        in bad.stdout
    assert "sap-hana" not in bad.stderr  # said once, on stdout with the result
    assert snapshot(node_root) == before


# -- tuned's D-Bus API on a private bus ---------------------------------------------------------

@pytest.fixture
def tuned(private_bus: str) -> Iterator[MockService]:
    """tuned with the demo's profiles plus one the root's files lack, virtual-host active; it
    writes no files, so whatever is read back came over D-Bus."""
    profiles = [(name, f"{name} summary") for name in [*DEMO_PROFILES, "sap-hana"]]
    with tuned_mock(private_bus, profiles, "virtual-host") as service:
        yield service


def calls(service: MockService) -> list[tuple[str, list[str]]]:
    return [(str(name), [str(a) for a in args]) for _t, name, args in service.mock.GetCalls()]


def test_switch_over_dbus_uses_tuneds_own_profile_list(node_root: Path, tuned: MockService) -> None:
    bus = ("--bus", tuned.address)
    result = run_config("--root", str(node_root), *bus, "set", "performance.tuned.profile=sap-hana")
    assert result.returncode == 0, result.stderr
    assert "Switch tuned to the profile sap-hana: done" in result.stdout
    assert ("switch_profile", ["sap-hana"]) in calls(tuned)
    assert get(node_root, *bus) == "sap-hana"  # tuned's answer ...
    assert get(node_root) == "virtual-host"  # ... while its (mock's) file was not touched
    assert 'OVIRT_TUNED_PROFILE="sap-hana"' in (node_root / "etc/default/ovirt").read_text()


def test_none_over_dbus_disables_tuning(node_root: Path, tuned: MockService) -> None:
    result = run_config("--root", str(node_root), "--bus", tuned.address, "set", "performance.tuned.profile=none")
    assert result.returncode == 0, result.stderr
    assert ("disable", []) in calls(tuned)
    assert get(node_root, "--bus", tuned.address) == "none"


def test_tuned_refusing_the_switch_rolls_back(node_root: Path, tuned: MockService) -> None:
    tuned.mock.AddMethod("com.redhat.tuned.control", "switch_profile", "s", "(bs)",
                         "ret = (False, 'Cannot load profile(s) ' + args[0])")
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "--bus", tuned.address, "set", "performance.tuned.profile=balanced")
    assert result.returncode == 3
    assert "tuned refused the profile 'balanced': Cannot load profile(s) balanced" in result.stderr
    assert "rolled back" in result.stderr
    assert snapshot(node_root) == before


# -- the node itself (root /): the real tuned-adm -------------------------------------------------

needs_tuned_adm = pytest.mark.skipif(shutil.which("tuned-adm") is None, reason="tuned is not installed (make deps)")


@needs_tuned_adm
def test_on_the_node_the_profiles_are_the_real_tuned_adm_list(private_bus: str, monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    """With tuned not answering on the system bus (a private bus without it), the list is what the
    real `tuned-adm list` prints, parsed: the profiles installed on this machine with their summaries.
    Read only: `tuned-adm profile` would retune the build host, and `off` needs a running tuned."""
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", private_bus)
    monkeypatch.setattr(performance, "profiles_on_disk", lambda _root: [])  # no fallback to hide a bad parse
    ctx = Context()  # root /: the node itself
    with caplog.at_level(logging.INFO, logger="ovirt_node.core.run"):
        listed = available_profiles(ctx)
    assert "run: tuned-adm list" in caplog.messages
    assert len(listed) > 5 and listed == profiles_on_disk(HOST)
    assert all(p.summary for p in listed)
    section = Performance()
    assert section.check(ctx, {"performance.tuned.profile": listed[0].name}) == {}
    refused = section.check(ctx, {"performance.tuned.profile": "no-such-profile"})["performance.tuned.profile"]
    assert refused.startswith("tuned has no profile 'no-such-profile'; it must be one of: none, ")
    assert all(p.name in refused for p in listed)
