"""Remote storage end to end: the iSCSI initiator name and the NFSv4 domain through the real
`ovirt-node-config`, golden files for both platform families, nfs-utils' own parser
(`nfsconf`) on idmapd.conf, open-iscsi's startup rule on initiatorname.iscsi, the 3.x key
names, kernel arguments, and the daemons restarted on a private bus."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.dbus_env import MockService
from tests.integration.el_node import assert_golden, make_el_root
from tests.node_fixtures import changed_paths, run_config, snapshot

INITIATOR = "etc/iscsi/initiatorname.iscsi"
IDMAPD = "etc/idmapd.conf"
NAME = "iqn.2024-01.com.example:node1"
# open-iscsi's startup check (lib/open-iscsi/startup-checks.sh): the line iscsid will accept.
OPEN_ISCSI_RULE = re.compile(r"^InitiatorName=[^ \t\n]", re.MULTILINE)


def show(root: Path) -> dict[str, dict[str, str]]:
    out = run_config("--root", str(root), "show", "--json", check=True)
    data: dict[str, dict[str, str]] = json.loads(out.stdout)
    return data


def value(root: Path, key: str) -> str:
    return run_config("--root", str(root), "get", key, check=True).stdout.rstrip("\n")


def nfsconf_domain(conf: Path) -> subprocess.CompletedProcess[str]:
    """What nfs-utils' configuration parser (shared with libnfsidmap) reads as the domain."""
    if shutil.which("nfsconf") is None:
        pytest.skip("nfsconf (nfs-common) is not installed")
    return subprocess.run(["nfsconf", "--file", str(conf), "--get", "General", "Domain"],
                          capture_output=True, text=True)


# -- iSCSI initiator name ----------------------------------------------------------------------

@pytest.mark.parametrize("platform", ["debian", "el"])
def test_initiator_name_set_and_read_back(node_root: Path, platform: str) -> None:
    root = make_el_root(node_root) if platform == "el" else node_root
    before = snapshot(root)
    result = run_config("--root", str(root), "set", f"iscsi.initiator_name={NAME}")
    assert result.returncode == 0, result.stderr
    assert changed_paths(before, snapshot(root)) == {"/etc/default/ovirt", "/" + INITIATOR}
    assert_golden(root / INITIATOR, f"{platform}/initiatorname.iscsi")
    text = (root / INITIATOR).read_text()
    assert OPEN_ISCSI_RULE.search(text) and f"InitiatorName={NAME}\n" in text
    shown = show(root)["iscsi.initiator_name"]  # a fresh process reads the file back
    assert (shown["value"], shown["source"], shown["ovirt_key"]) == (NAME, "system", "OVIRT_ISCSI_NODE_NAME")
    assert f'OVIRT_ISCSI_NODE_NAME="{NAME}"' in (root / "etc/default/ovirt").read_text()


@pytest.mark.parametrize(("platform", "name"), [
    ("debian", "iqn.1993-08.org.debian:01:5f3c2a9b7d1e"),
    ("el", "iqn.1994-05.com.redhat:8c2f6b1e4a9d"),
])
def test_default_is_the_name_the_file_has(node_root: Path, platform: str, name: str) -> None:
    root = make_el_root(node_root) if platform == "el" else node_root
    assert value(root, "iscsi.initiator_name") == name


def test_generate_name_is_replaced_so_open_iscsi_keeps_the_name(node_root: Path) -> None:
    (node_root / INITIATOR).write_text("## DO NOT EDIT OR REMOVE THIS FILE!\nGenerateName=yes\n")
    assert show(node_root)["iscsi.initiator_name"]["source"] == "built-in"
    run_config("--root", str(node_root), "set", "iscsi.initiator_name=eui.02004567A425678D", check=True)
    assert (node_root / INITIATOR).read_text() == (
        "## DO NOT EDIT OR REMOVE THIS FILE!\nInitiatorName=eui.02004567A425678D\n")


def test_the_two_3x_key_names_read_both_write_one(node_root: Path) -> None:
    (node_root / INITIATOR).unlink()  # nothing on the system: the settings file decides
    defaults = node_root / "etc/default/ovirt"
    defaults.write_text(defaults.read_text() + 'OVIRT_ISCSI_NAME="iqn.2010-01.org.legacy:early"\n')
    shown = show(node_root)["iscsi.initiator_name"]
    assert (shown["value"], shown["source"]) == ("iqn.2010-01.org.legacy:early", "defaults")
    defaults.write_text(defaults.read_text() + 'OVIRT_ISCSI_NODE_NAME="iqn.2011-01.org.setup:tui"\n')
    assert value(node_root, "iscsi.initiator_name") == "iqn.2011-01.org.setup:tui"  # the new name wins

    run_config("--root", str(node_root), "set", f"iscsi.initiator_name={NAME}", check=True)
    text = defaults.read_text()
    assert f'OVIRT_ISCSI_NODE_NAME="{NAME}"' in text and "OVIRT_ISCSI_NAME" not in text
    assert (node_root / INITIATOR).read_text() == f"InitiatorName={NAME}\n"


@pytest.mark.parametrize(("name", "message"), [
    ("iqn.com.example:node1", "must be an iSCSI name"),  # no date
    ("iqn.2024-13.com.example", "must be an iSCSI name"),  # no 13th month
    ("iqn.2024-01.example", "must be an iSCSI name"),  # not a reversed domain
    ("eui.02004567A425678", "must be an iSCSI name"),  # 15 hex digits
    ("iqn.2024-01.com.example:node$(reboot)", "must be an iSCSI name of letters, digits"),
    ("", "must be an iSCSI name"),
])
def test_bad_initiator_name_is_refused_and_nothing_written(node_root: Path, name: str, message: str) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", f"iscsi.initiator_name={name}")
    assert result.returncode == 2
    assert f"invalid iscsi.initiator_name: {message}" in result.stderr
    assert snapshot(node_root) == before


# -- NFSv4 domain ------------------------------------------------------------------------------

@pytest.mark.parametrize("platform", ["debian", "el"])
def test_nfsv4_domain_set_cleared_and_read_by_nfsconf(node_root: Path, platform: str) -> None:
    root = make_el_root(node_root) if platform == "el" else node_root
    assert nfsconf_domain(root / IDMAPD).stdout == ""  # the stock files set no domain
    before = snapshot(root)
    run_config("--root", str(root), "set", "nfsv4.domain=example.com", check=True)
    assert changed_paths(before, snapshot(root)) == {"/etc/default/ovirt", "/" + IDMAPD}
    assert_golden(root / IDMAPD, f"{platform}/idmapd.conf.set")
    assert nfsconf_domain(root / IDMAPD).stdout == "example.com\n"
    assert value(root, "nfsv4.domain") == "example.com"

    run_config("--root", str(root), "set", "nfsv4.domain=", check=True)
    assert_golden(root / IDMAPD, f"{platform}/idmapd.conf.cleared")
    assert "#Domain = example.com\n" in (root / IDMAPD).read_text()  # commented out, not lost
    check = nfsconf_domain(root / IDMAPD)
    assert (check.returncode, check.stdout) == (1, "")  # nfs-utils sees no domain
    assert value(root, "nfsv4.domain") == ""
    assert "OVIRT_NFSV4_DOMAIN" not in (root / "etc/default/ovirt").read_text()


@pytest.mark.parametrize("platform", ["debian", "el"])
def test_a_single_label_domain_is_accepted_as_3x_did(node_root: Path, platform: str) -> None:
    root = make_el_root(node_root) if platform == "el" else node_root
    result = run_config("--root", str(root), "set", "nfsv4.domain=localdomain")
    assert result.returncode == 0, result.stderr
    assert nfsconf_domain(root / IDMAPD).stdout == "localdomain\n"
    assert value(root, "nfsv4.domain") == "localdomain"


def test_domain_in_a_file_without_a_general_section(node_root: Path) -> None:
    (node_root / IDMAPD).write_text("[Mapping]\nNobody-User = nobody\n")
    run_config("--root", str(node_root), "set", "nfsv4.domain=example.org", check=True)
    assert nfsconf_domain(node_root / IDMAPD).stdout == "example.org\n"
    assert "Nobody-User = nobody" in (node_root / IDMAPD).read_text()


@pytest.mark.parametrize("domain", ["bad_domain", "example..com", "-example.com", "example.com ", "local_domain"])
def test_bad_domain_is_refused_and_nothing_written(node_root: Path, domain: str) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", f"nfsv4.domain={domain}")
    assert result.returncode == 2
    assert "invalid nfsv4.domain: must be a domain name (e.g. example.com" in result.stderr
    assert snapshot(node_root) == before


# -- kernel arguments --------------------------------------------------------------------------

def test_kernel_arguments(node_root: Path) -> None:
    result = run_config("--root", str(node_root), "cmdline", f"iscsi_name={NAME}", "nfsv4_domain=example.net")
    assert result.returncode == 0, result.stderr
    assert value(node_root, "iscsi.initiator_name") == NAME
    assert value(node_root, "nfsv4.domain") == "example.net"


def test_kernel_arguments_with_bad_values_are_skipped(node_root: Path) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "cmdline", "iscsi_name=iqn.example.com:x", "nfsv4_domain=a_b",
                        "iscsi_name")
    assert result.returncode == 0, result.stderr
    assert "skipped: iscsi_name=iqn.example.com:x: iscsi.initiator_name: must be an iSCSI name" in result.stdout
    assert "skipped: nfsv4_domain=a_b: nfsv4.domain: must be a domain name" in result.stdout
    assert "skipped: iscsi_name: iscsi.initiator_name: must be an iSCSI name" in result.stdout
    assert snapshot(node_root) == before


# -- the daemons restarted over a private D-Bus -------------------------------------------------

def test_iscsid_and_a_running_idmapd_restarted_on_the_bus(node_root: Path, systemd_mock: MockService) -> None:
    for unit in ("iscsid.service", "nfs-idmapd.service"):
        systemd_mock.mock.AddMockUnit(unit)
    systemd_mock.mock.proxy_object.StartUnit("nfs-idmapd.service", "replace",
                                             dbus_interface="org.freedesktop.systemd1.Manager")
    result = run_config("--root", str(node_root), "--bus", systemd_mock.address, "set",
                        f"iscsi.initiator_name={NAME}", "nfsv4.domain=example.com")
    assert result.returncode == 0, result.stderr
    assert "Restart iscsid.service: done" in result.stdout
    assert "Restart nfs-idmapd.service: done" in result.stdout
    # The ID-mapping cache is the running host's: never cleared for a root prefix.
    assert "Clear the NFSv4 ID-mapping cache: skipped" in result.stdout
    calls = [(str(n), [str(a) for a in args]) for _t, n, args in systemd_mock.mock.GetCalls()]
    assert ("RestartUnit", ["iscsid.service", "replace"]) in calls
    assert ("RestartUnit", ["nfs-idmapd.service", "replace"]) in calls


def test_idmapd_not_running_is_left_alone(node_root: Path, systemd_mock: MockService) -> None:
    """An NFS client (a node without an NFS server) has no rpc.idmapd running, and Debian's
    nfs-idmapd.service cannot start without nfs-server.service: the domain is read by nfsidmap."""
    systemd_mock.mock.AddMockUnit("nfs-idmapd.service")
    result = run_config("--root", str(node_root), "--bus", systemd_mock.address, "set", "nfsv4.domain=example.com")
    assert result.returncode == 0, result.stderr
    assert ("Restart nfs-idmapd.service: skipped (nfs-idmapd.service is not running; it reads the new setting "
            "when it starts)") in result.stdout
    calls = [str(n) for _t, n, _args in systemd_mock.mock.GetCalls()]
    assert "RestartUnit" not in calls


def test_failed_iscsid_restart_rolls_back(node_root: Path, systemd_mock: MockService) -> None:
    before = snapshot(node_root)  # iscsid.service unknown to the mock: the restart fails
    result = run_config("--root", str(node_root), "--bus", systemd_mock.address, "set", f"iscsi.initiator_name={NAME}")
    assert result.returncode == 3
    assert "Restart iscsid.service failed" in result.stderr and "rolled back" in result.stderr
    assert snapshot(node_root) == before
