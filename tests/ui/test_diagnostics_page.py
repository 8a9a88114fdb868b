"""The Diagnostics page: a table of tools; each runs (in a worker, with a timeout) and shows
its output in the viewer; a missing tool says "not installed"; under a root prefix nothing runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovirt_node.core.record import replace
from ovirt_node.core.root import HOST, Root
from ovirt_node.pages import diagnostics as diagnostics_page
from ovirt_node.pages.diagnostics import DiagnosticsPage
from ovirt_node.report import diagnostics
from ovirt_node.ui.page import PageContext
from ovirt_node.ui.testing import PageHarness
from tests.fake_tools import called, fake_tools

ROWS = ["Block devices", "Partitions", "Multipath", "LVM", "Addresses", "Routes", "Network devices", "NIC details",
        "Kernel messages", "Failed units"]


def _button(h: PageHarness, title: str) -> str:
    """The label of the row whose tool is `title`."""
    return next(line.strip()[2:-2] for line in h.lines() if line.strip().startswith(f"< {title} "))


def test_under_a_root_prefix_every_tool_is_host_only_and_nothing_runs(
        page_ctx: PageContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_tools(tmp_path / "bin", {t.programs[0]: "output" for t in diagnostics.TOOLS})
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    h = PageHarness(DiagnosticsPage, page_ctx)
    text = " ".join(h.text().split())  # as one line: the note wraps
    assert f"Root prefix {page_ctx.root}: these tools describe the running system" in text
    for title in ROWS:
        assert _button(h, title).rstrip().endswith("host only"), title
        h.press(_button(h, title))
    assert [d.title for d in h.ui.dialogs][:2] == ["Block devices: lsblk", "Partitions: sfdisk/parted -l"]
    assert all("describes the running system, so it is not run under the root prefix" in d.text
               for d in h.ui.dialogs)
    assert len(h.ui.dialogs) == len(ROWS) and called(calls) == []


@pytest.fixture
def host_ctx(page_ctx: PageContext) -> PageContext:
    """The page as on the node itself (root `/`); the tools are fakes on PATH."""
    return replace(page_ctx, root=HOST)


def test_on_the_node_a_row_shows_the_tools_output_and_a_missing_tool_says_so(
        host_ctx: PageContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_tools(tmp_path / "bin", {
        "lsblk": "sda  8:0  20G disk\nsda1 8:1 1G part /boot",
        "parted": "Model: QEMU HARDDISK",  # no sfdisk: its alternative runs
        "pvs": "PV /dev/sda2 VG HostVG", "vgs": "VG HostVG", "lvs": "LV Config",
        "systemctl": "0 loaded units listed.",
    })
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    h = PageHarness(DiagnosticsPage, host_ctx)
    assert "Enter runs a tool and shows its output" in " ".join(h.text().split())
    assert _button(h, "Multipath").rstrip().endswith("not installed")
    assert _button(h, "Block devices").rstrip() == "Block devices   lsblk"
    for title in ("Block devices", "Partitions", "LVM", "Multipath", "Failed units"):
        h.press(_button(h, title))
    shown = {d.title: d.text for d in h.ui.dialogs}
    assert shown["Block devices: lsblk"].splitlines()[1:] == ["sda  8:0  20G disk", "sda1 8:1 1G part /boot"]
    assert shown["Partitions: sfdisk/parted -l"] == "parted -s -l\nModel: QEMU HARDDISK\n"
    assert "$ pvs\npvs \nPV /dev/sda2 VG HostVG" in shown["LVM: pvs, vgs, lvs"]
    assert "$ lvs -a\nlvs -a\nLV Config" in shown["LVM: pvs, vgs, lvs"]
    assert shown["Multipath: multipath -ll"] == "multipath is not installed on this node."
    assert shown["Failed units: systemctl --failed"].startswith("systemctl --failed --no-pager\n")
    assert called(calls) == ["lsblk -o NAME,MAJ:MIN,SIZE,TYPE,FSTYPE,LABEL,MOUNTPOINT,MODEL", "parted -s -l",
                             "pvs ", "vgs ", "lvs -a", "systemctl --failed --no-pager"]


def test_a_hung_tool_times_out_with_a_sentence(host_ctx: PageContext, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    fake_tools(tmp_path / "bin", {"multipath": "never printed"}, sleep={"multipath": 5})
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setattr(diagnostics, "TOOL_TIMEOUT", 0.3)
    h = PageHarness(DiagnosticsPage, host_ctx)
    h.press(_button(h, "Multipath"))
    assert h.ui.dialogs[0].text == "multipath -ll: multipath exited with 124: timed out after 0.3 s"


def test_ethtool_runs_for_each_nic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_tools(tmp_path / "bin", {"ethtool": "Link detected: yes"})
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    for nic in ("lo", "eth0", "eth1"):
        (tmp_path / "sys/class/net" / nic).mkdir(parents=True)
    text = diagnostics.run_tool(diagnostics.TOOLS[7], Root.at(tmp_path), live=True)
    assert called(calls) == ["ethtool eth0", "ethtool -i eth0", "ethtool eth1", "ethtool -i eth1"]
    assert text.startswith("$ ethtool eth0\nethtool eth0\nLink detected: yes")
    assert diagnostics.run_tool(diagnostics.TOOLS[7], Root.at(tmp_path / "none"), live=True) == \
        "No network interfaces found."


def test_the_rows_fit_the_page_at_80_columns(page_ctx: PageContext) -> None:
    h = PageHarness(DiagnosticsPage, page_ctx)
    widths = {len(line.rstrip()) for line in h.lines() if line.lstrip().startswith("< ")}
    width = 2 + diagnostics_page.TITLE_WIDTH + diagnostics_page.SHOWS_WIDTH + diagnostics_page.STATE_WIDTH + 2
    assert widths == {width} and width <= 80 - 24 - 3  # the widest menu leaves this much
