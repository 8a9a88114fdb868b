"""Every value a rule accepts can be written: a change of a name or address key either applies
(exit 0) or is refused at validation (exit 2, nothing written), never accepted and then
refused by a lens when written (exit 3). Runs the real CLI in-process on the demo root, the
EL-like root and the node image's own /etc (tests/integration/node_root.py), with
hypothesis drawing host names, addresses (IPv6 in every spelling), absolute names with a
trailing dot, and stray blanks."""

from __future__ import annotations

import ipaddress
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import domains

from ovirt_node.cli.config import main
from ovirt_node.core.resources import copy_demo_root
from tests.integration.el_node import make_el_root
from tests.integration.node_root import copy_etc
from tests.node_fixtures import changed_paths, config_in_process, snapshot

TRICKY = ["a", "a.b", "pool.n", "::", "0.0.0.0", "example.com.", " ", " yes", "yes ", "localdomain", "n.",
          "1::2:192.0.2.1", "::ffff:192.0.2.1", "fe80::1", "2001:DB8::1", "x-1.example.com", "a..b", ""]


def ipv6_spellings(address: ipaddress.IPv6Address) -> st.SearchStrategy[str]:
    return st.sampled_from([str(address), address.exploded, str(address).upper()])


one_value = st.one_of(
    st.sampled_from(TRICKY),
    domains(max_length=60),
    domains(max_length=60).map(lambda d: d + "."),
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).flatmap(ipv6_spellings),
    st.text(alphabet="ab1.-: ", max_size=8),
)
a_list = st.lists(one_value, min_size=1, max_size=4).map(",".join)

KEYS = {
    "network.hostname": one_value,
    "network.dns": a_list,
    "network.dns.search": a_list,
    "network.ntp": a_list,
    "logging.rsyslog.server": one_value,
    "logging.netconsole.server": one_value,
    "monitoring.collectd.server": one_value,
    "nfsv4.domain": one_value,
}


@contextmanager
def a_root(kind: str, request: pytest.FixtureRequest) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="ovirt-node-written-") as tmp:
        if kind == "node":  # the node image's own files (the in-process engine needs a plain tree)
            yield copy_etc(request.getfixturevalue("node_image_root"), Path(tmp) / "root")
            return
        root = copy_demo_root(Path(tmp) / "root")
        if kind == "el":
            make_el_root(root)
        yield root


#: Examples per key and root: fewer on the node's /etc, ~1500 files to snapshot around each.
EXAMPLES = {"demo": 50, "el": 50, "node": 10}


@pytest.mark.parametrize("kind", ["demo", "el", pytest.param("node", marks=pytest.mark.node_image)])
@pytest.mark.parametrize("key", sorted(KEYS))
def test_a_value_either_applies_or_is_refused_at_validation(key: str, kind: str,
                                                            request: pytest.FixtureRequest) -> None:
    with a_root(kind, request) as root:

        @settings(max_examples=EXAMPLES[kind], deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(value=KEYS[key])
        def applies_or_is_refused(value: str) -> None:
            before = snapshot(root)
            code, text = config_in_process("--root", str(root), "set", f"{key}={value}")
            assert code in (0, 2), f"{key}={value!r}: exit {code}: {text}"
            if code == 2:
                assert f"invalid {key}:" in text and "Nothing was changed." in text
                assert changed_paths(before, snapshot(root)) == set()

        applies_or_is_refused()



@pytest.mark.parametrize("kind", ["demo", "el"])
@pytest.mark.parametrize(("assignment", "reason"), [
    ("network.ntp=a.b", "'a.b' must end in a label of two or more characters"),
    ("network.ntp=a", "'a' must end in a label of two or more characters"),
    ("network.ntp=pool.n", "'pool.n' must end in a label of two or more characters"),
    ("network.ntp=::", "'::' must be a server's address; :: is the unspecified address"),
    ("network.ntp=example.com.", "must be written without the trailing dot (example.com, not example.com.)"),
    ("logging.rsyslog.server=example.com.", "must be written without the trailing dot"),
    ("logging.rsyslog.server=::", "must be a server's address; :: is the unspecified address"),
    ("network.dns= ", "' ' must be an IPv4 or IPv6 address"),
    ("network.dns.search= yes", "' yes' must be a host name"),
    ("network.hostname=node1.example.com.", "must be written without the trailing dot"),
])
def test_values_the_files_cannot_hold_are_refused_at_validation(kind: str, assignment: str, reason: str,
                                                               tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_demo_root(tmp_path / "root")
    if kind == "el":
        make_el_root(root)
    before = snapshot(root)
    assert main(["--root", str(root), "set", assignment]) == 2
    err = capsys.readouterr().err
    assert f"invalid {assignment.split('=')[0]}:" in err and reason in err and "Nothing was changed." in err
    assert changed_paths(before, snapshot(root)) == set()


@pytest.mark.parametrize("kind", ["demo", "el"])
def test_an_ipv6_server_in_any_spelling_is_written_in_a_form_the_files_hold(kind: str, tmp_path: Path) -> None:
    root = copy_demo_root(tmp_path / "root")
    if kind == "el":
        make_el_root(root)
    assert main(["--root", str(root), "set", "network.ntp=1::2:192.0.2.1",
                 "logging.rsyslog.server=1::2:192.0.2.1"]) == 0
    chrony = root / ("etc/chrony.conf" if kind == "el" else "etc/chrony/chrony.conf")
    assert "server 1::2:c000:201 iburst" in chrony.read_text()
    assert "@[1::2:c000:201]:514" in (root / "etc/rsyslog.d/ovirt-node-remote.conf").read_text()
