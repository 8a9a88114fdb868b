"""The Status page's VM counts, read from real virsh output.

libvirt's own test driver stands in for qemu:///system: `test:///default` (one running domain),
and `test:///FILE`, a node of our own with a running and a shut-off domain. Both are real
libvirt connections, so the parsing sees what virsh prints on a node.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ovirt_node.core.run import Runner
from ovirt_node.report.vms import VmCount, count_vms

NODE_XML = """\
<node>
  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>web</name>
    <memory>65536</memory>
    <os><type>hvm</type></os>
  </domain>
  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>db backup</name>
    <memory>65536</memory>
    <os><type>hvm</type></os>
    <test:runstate>5</test:runstate>
  </domain>
</node>
"""


@pytest.fixture
def node_uri(tmp_path: Path) -> str:
    path = tmp_path / "node.xml"
    path.write_text(NODE_XML)
    return f"test://{path}"


def test_a_running_and_a_shut_off_domain(node_uri: str) -> None:
    count = count_vms(uri=node_uri)
    assert count == VmCount(1, 2)
    assert count.summary() == "1 (2 defined)"


def test_libvirt_default_test_node_has_one_running_domain() -> None:
    assert count_vms(uri="test:///default").summary() == "1 (1 defined)"


def test_libvirtd_not_running_is_unknown_with_virsh_reason(tmp_path: Path) -> None:
    # A qemu:///system daemon socket that does not exist: what virsh says on a node whose
    # libvirtd is down.
    socket = tmp_path / "libvirt-sock-ro"
    count = count_vms(uri=f"qemu+unix:///system?socket={socket}")
    assert count.running is None and count.defined is None
    assert count.summary().startswith("unknown (libvirt: Failed to connect socket to ")
    assert str(socket) in count.summary()


def test_a_broken_libvirt_config_is_unknown(tmp_path: Path) -> None:
    bad = tmp_path / "missing.xml"
    summary = count_vms(uri=f"test://{bad}").summary()
    assert summary.startswith("unknown (libvirt: XML error: failed to parse xml document")


def test_no_virsh_is_unknown(tmp_path: Path) -> None:
    count = count_vms(virsh=str(tmp_path / "virsh"))
    assert count.summary() == f"unknown ({tmp_path / 'virsh'} is not installed)"


def test_dry_run_asks_nothing() -> None:
    runner = Runner(dry_run=True)
    assert count_vms(runner, uri="test:///default").summary() == "unknown (dry run: libvirt not asked)"
    assert runner.calls == []

