"""The Kdump and Remote Storage pages in the real `ovirt-node-setup` at 80x24 on the demo
node (as `make demo` runs it: a copy of ovirt_node/data/demo-root, units restarted on a private bus with
mock systemd): change a value, Save, watch the progress dialog, F12, see the new value."""

from __future__ import annotations

import pytest

from ovirt_node.demo.node import DemoNode
from tests.terminal.test_setup_tmux import page_title_line
from tests.terminal.tmux import TMUX, Tmux, setup_command

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]

IQN = "iqn.2024-01.com.example:node7"


def open_page(tmux: Tmux, demo: DemoNode, title: str) -> str:
    """Start the setup on the demo node, walk the menu down to `title`, and enter the page."""
    tmux.start(setup_command(demo.root, "--bus", demo.bus), {"TERM": "xterm-256color"})
    tmux.wait_for("Running VMs")
    shown = "Status"
    for _ in range(30):  # other pages may come before it; at most one step per page
        if shown == title:
            break
        tmux.send("Down")
        shown = page_title_line(tmux.wait(lambda s, was=shown: page_title_line(s) != was,  # type: ignore[misc]
                                          what="the next page"))
    screen = tmux.wait(lambda s: page_title_line(s) == title and "…" not in s, what=f"page {title!r}")
    tmux.send("Tab")
    return screen


def save_and_wait(tmux: Tmux, title: str) -> str:
    tmux.send("Down", "Enter")  # from the last field to Save
    tmux.wait_for(f"Save {title}")
    screen = tmux.wait_for("Done: ")
    tmux.send("Escape")
    tmux.wait_gone(f"Save {title}")
    tmux.send("F12")
    tmux.wait_for(f"Reloaded {title} from the system")
    return screen


def test_kdump_page_switches_to_nfs(tmux: Tmux, demo: DemoNode) -> None:
    screen = open_page(tmux, demo, "Kdump")
    assert "(•) Local (the Data volume)" in screen and "/data/core" in screen
    tmux.send("Down", "Down", "Enter")  # Disabled -> Local -> NFS, picked
    tmux.wait_for("(•) NFS")
    tmux.send("Down", "Down")  # the SSH option, then the NFS location (the local field is off now)
    tmux.wait_for("NFS export, host:/path")
    tmux.type("nfs.example.com:/crash")
    tmux.wait_for("nfs.example.com:/crash")

    progress = save_and_wait(tmux, "Kdump")
    assert "Restart kdump-tools.service" in progress and "Configure kdump: done" in progress
    assert "Failed" not in progress
    screen = tmux.screen()
    assert "(•) NFS" in screen
    assert any("NFS location:" in line and "nfs.example.com:/crash" in line for line in screen.splitlines())
    assert 'NFS="nfs.example.com:/crash"' in (demo.root / "etc/default/kdump-tools").read_text()


def test_remote_storage_page_sets_the_initiator_name_and_domain(tmux: Tmux, demo: DemoNode) -> None:
    screen = open_page(tmux, demo, "Remote Storage")
    assert "iqn.1993-08.org.debian:01:5f3c2a9b7d1e" in screen
    tmux.send("End", *["BSpace"] * 45)  # the initiator name has the focus
    tmux.wait_gone("iqn.1993-08")
    tmux.type(IQN)
    tmux.send("Down")  # to the NFSv4 domain
    tmux.wait_for("A domain name such as example.com, or empty")
    tmux.type("example.com")

    progress = save_and_wait(tmux, "Remote Storage")
    assert "Restart iscsid.service" in progress and "Restart nfs-idmapd.service" in progress
    assert "Failed" not in progress
    screen = tmux.screen()
    assert IQN in screen and "NFSv4 domain:      example.com" in screen
    assert f"InitiatorName={IQN}\n" in (demo.root / "etc/iscsi/initiatorname.iscsi").read_text()
