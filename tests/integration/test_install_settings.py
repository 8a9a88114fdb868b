"""The installer's "Apply the node's settings" step on an EL node tree: the kernel arguments
are applied area by area, as at boot, so one area that cannot apply does not stop the install."""

from __future__ import annotations

from pathlib import Path

from ovirt_node.core import cmdline
from ovirt_node.core.context import Context
from ovirt_node.core.resources import copy_demo_root
from ovirt_node.core.root import Root
from ovirt_node.core.transaction import Progress, StepState, Transaction
from ovirt_node.installer.steps.configure import ApplyNodeSettings
from ovirt_node.installer.steps.storage import Target
from tests.integration.el_node import make_el_root


def test_an_area_that_cannot_apply_is_reported_and_the_rest_is_installed(tmp_path: Path) -> None:
    target = Target(tmp_path / "work")
    node = make_el_root(copy_demo_root(target.node))
    (node / "etc/collectd.conf").unlink()  # collectd is not there
    live = Context(root=Root.at(tmp_path / "live"))
    (tmp_path / "live").mkdir()
    events: list[Progress] = []
    args = cmdline.parse("collectd=mon.example.com ssh_pwauth=1 hostname=node1.example.com")
    Transaction("Install", [ApplyNodeSettings(target, args)]).run(live, events.append)
    details = [e.detail for e in events if e.state is StepState.RUNNING and e.detail]
    assert "applied: ssh (ssh.pwauth)" in details
    assert "applied: network (network.hostname)" in details
    assert ("failed: monitoring (monitoring.collectd.server): Configure collectd's network plugin failed: "
            "/etc/collectd.conf does not exist: is collectd installed?; all changes were rolled back") in details
    assert events[-1].state is StepState.DONE  # the install goes on
    assert "PasswordAuthentication yes" in (node / "etc/ssh/sshd_config").read_text()
    assert (node / "etc/hostname").read_text().strip() == "node1.example.com"
    assert not (node / "etc/collectd.conf").exists()
