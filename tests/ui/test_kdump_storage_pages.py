"""The Kdump and Remote Storage pages, driven with ovirt_node.ui.testing on the demo node:
only the chosen mode's fields enabled, inline errors with Save disabled and nothing written,
saves through the real engine, and a kdump restart failing on a private bus."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovirt_node.areas.registry import all_sections
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.root import Root
from ovirt_node.pages.kdump import KdumpPage
from ovirt_node.pages.storage import RemoteStoragePage
from ovirt_node.system.machine.profile import load_profile, profile_path
from ovirt_node.ui.page import PageContext, load_page
from ovirt_node.ui.plugins import discover
from ovirt_node.ui.testing import FakeUI, PageHarness, page_context
from tests.dbus_env import SYSTEMD_MANAGER, MockService, systemd_job_code
from tests.node_fixtures import run_config, snapshot

KDUMP_TOOLS = "etc/default/kdump-tools"


@pytest.fixture
def kdump(node_root: Path) -> PageHarness:
    ctx = page_context(node_root)
    return PageHarness(KdumpPage, ctx, ui=FakeUI(ctx, apply=True))


@pytest.fixture
def storage(node_root: Path) -> PageHarness:
    ctx = page_context(node_root)
    return PageHarness(RemoteStoragePage, ctx, ui=FakeUI(ctx, apply=True))


def test_pages_are_registered_like_plugins_in_3x_order() -> None:
    pages = [load_page(page) for page in discover().pages]
    assert KdumpPage in pages and RemoteStoragePage in pages
    assert (KdumpPage.rank, RemoteStoragePage.rank) == (60, 70)


# -- Kdump ---------------------------------------------------------------------------------------

def test_kdump_page_shows_the_system_and_enables_only_the_mode_fields(kdump: PageHarness) -> None:
    text = kdump.text()
    assert "Dump to:" in text and f"{kdump.style.radio_on} Local (the Data volume)" in text
    assert "Service kdump-tools.service: enabled at boot" in " ".join(text.split())
    assert kdump.value("Local directory") == "/data/core"
    assert [kdump.enabled(k) for k in ("Local directory", "NFS location", "SSH location", "SSH key URL")] == [
        True, False, False, False]
    kdump.choose("kdump.mode", "ssh")
    assert [kdump.enabled(k) for k in ("Local directory", "NFS location", "SSH location", "SSH key URL")] == [
        False, False, True, True]
    kdump.choose("kdump.mode", "disabled")
    assert not any(kdump.enabled(k) for k in ("Local directory", "NFS location", "SSH location", "SSH key URL"))


@pytest.mark.parametrize(("mode", "label", "typed", "message"), [
    ("nfs", "NFS location", "host", "must be an NFS export of the form host:/path"),
    ("nfs", "NFS location", "host:path", "must be an NFS export of the form host:/path"),
    ("ssh", "SSH location", "host", "must be an SSH address of the form user@host"),
    ("ssh", "SSH key URL", "ftp://example.com/k", "must be a URL such as"),
    ("local", "Local directory", "relative/dir", "must be an absolute directory path"),
])
def test_kdump_bad_input_inline_error_save_disabled_nothing_written(
        kdump: PageHarness, node_root: Path, mode: str, label: str, typed: str, message: str) -> None:
    before = snapshot(node_root)
    kdump.choose("kdump.mode", mode)
    kdump.type(label, typed)
    assert kdump.error(label).startswith(message)
    assert not kdump.save_enabled
    kdump.save()
    assert kdump.planned is None
    assert snapshot(node_root) == before


def test_kdump_mode_without_a_location_is_refused(kdump: PageHarness, node_root: Path) -> None:
    before = snapshot(node_root)
    kdump.choose("kdump.mode", "nfs")
    # The section's own rule shows inline as soon as the mode is picked; Save waits for it.
    assert kdump.error("NFS location") == "must be given for NFS dumps (host:/path)"
    assert not kdump.save_enabled
    kdump.save()
    assert kdump.planned is None and snapshot(node_root) == before
    kdump.type("NFS location", "nfs.example.com:/crash")
    assert kdump.error("NFS location") == "" and kdump.save_enabled


def test_kdump_save_writes_the_file_and_the_page_reloads_it(kdump: PageHarness, node_root: Path) -> None:
    kdump.choose("kdump.mode", "nfs")
    kdump.type("NFS location", "nfs.example.com:/crash")
    assert kdump.changes() == {"kdump.mode": "nfs", "kdump.nfs_location": "nfs.example.com:/crash"}
    kdump.save()
    assert kdump.ui.results == [True]
    assert 'NFS="nfs.example.com:/crash"' in (node_root / KDUMP_TOOLS).read_text()
    assert kdump.value("NFS location") == "nfs.example.com:/crash" and kdump.changes() == {}
    assert f"{kdump.style.radio_on} NFS" in kdump.text()


def test_unreachable_location_rolls_back_and_the_operator_is_told(node_root: Path, systemd_mock: MockService) -> None:
    systemd_mock.mock.AddMockUnit("kdump-tools.service")
    systemd_mock.mock.AddMethod(SYSTEMD_MANAGER, "RestartUnit", "ss", "o", systemd_job_code(result="failed"))
    engine = Engine(Context(root=Root.at(node_root), bus=systemd_mock.address), all_sections())
    ctx = PageContext(engine, load_profile(profile_path("demo")), Root.at(node_root), demo=True)
    harness = PageHarness(KdumpPage, ctx, ui=FakeUI(ctx, apply=True))
    old = (node_root / KDUMP_TOOLS).read_bytes()
    harness.choose("kdump.mode", "ssh")
    harness.type("SSH location", "root@dump.example.com")
    harness.save()
    assert harness.ui.results == [False]
    shown = harness.ui.dialogs[-1]
    assert shown.title == "Failed"
    assert ("dump location unreachable (root@dump.example.com): restarting kdump-tools.service failed: failed"
            in shown.text)
    assert "all changes were rolled back" in shown.text
    assert (node_root / KDUMP_TOOLS).read_bytes() == old
    assert harness.changes() == {"kdump.mode": "ssh", "kdump.ssh_location": "root@dump.example.com"}  # kept to retry


def test_kdump_page_shows_whether_the_service_starts_at_boot(node_root: Path, systemd_mock: MockService) -> None:
    systemd_mock.mock.AddMockUnit("kdump-tools.service")
    engine = Engine(Context(root=Root.at(node_root), bus=systemd_mock.address), all_sections())
    ctx = PageContext(engine, load_profile(profile_path("demo")), Root.at(node_root), demo=True)
    harness = PageHarness(KdumpPage, ctx, ui=FakeUI(ctx, apply=True))
    text = " ".join(harness.text().split())  # the line wraps at 80 columns
    assert "kdump-tools.service: enabled at boot, inactive now" in text
    harness.choose("kdump.mode", "disabled")
    harness.save()
    assert harness.ui.results == [True]
    assert "kdump-tools.service: disabled at boot, inactive now" in " ".join(harness.text().split())


# -- Remote Storage ----------------------------------------------------------------------------------

def test_storage_page_shows_what_the_files_hold(storage: PageHarness) -> None:
    assert storage.value("Initiator name") == "iqn.1993-08.org.debian:01:5f3c2a9b7d1e"
    assert storage.value("NFSv4 domain") == ""
    assert "Initiator name:" in storage.text() and "NFSv4 domain:" in storage.text()


@pytest.mark.parametrize(("label", "typed", "message"), [
    ("Initiator name", "iqn.com.example:node1", "must be an iSCSI name such as"),
    ("Initiator name", "eui.1234", "must be an iSCSI name such as"),
    ("Initiator name", "", "must be an iSCSI name such as"),
    ("NFSv4 domain", "not a domain", "must be a domain name (e.g. example.com"),
])
def test_storage_bad_input_inline_error_save_disabled_nothing_written(
        storage: PageHarness, node_root: Path, label: str, typed: str, message: str) -> None:
    before = snapshot(node_root)
    storage.type(label, typed)
    assert storage.error(label).startswith(message)
    assert not storage.save_enabled
    storage.save()
    assert storage.planned is None and snapshot(node_root) == before


def test_storage_save_writes_both_files(storage: PageHarness, node_root: Path) -> None:
    storage.type("Initiator name", "iqn.2024-01.com.example:node7")
    storage.type("NFSv4 domain", "example.com")
    storage.save()
    assert storage.ui.results == [True]
    assert "InitiatorName=iqn.2024-01.com.example:node7\n" in (node_root / "etc/iscsi/initiatorname.iscsi").read_text()
    assert "Domain=example.com\n" in (node_root / "etc/idmapd.conf").read_text()
    assert storage.value("Initiator name") == "iqn.2024-01.com.example:node7"
    assert storage.value("NFSv4 domain") == "example.com"


def test_kdump_page_shows_the_crash_kernel_memory_and_last_dump(node_root: Path) -> None:
    (node_root / "proc").mkdir(exist_ok=True)
    (node_root / "proc/cmdline").write_text("root=live:/dev/mapper/HostVG-Root crashkernel=1G-4G:256M\n")
    (node_root / "sys/kernel").mkdir(parents=True, exist_ok=True)
    (node_root / "sys/kernel/kexec_crash_loaded").write_text("1\n")
    (node_root / "sys/kernel/kexec_crash_size").write_text("268435456\n")
    dump = node_root / "data/core/202612061705"
    dump.mkdir(parents=True)
    (dump / "dump.202612061705").write_bytes(b"x" * 4096)

    def shown() -> str:
        ctx = page_context(node_root)
        return " ".join(PageHarness(KdumpPage, ctx, ui=FakeUI(ctx, apply=True), size=(100, 40)).text().split())

    text = shown()
    assert "Crash kernel loaded: a crash saves a dump" in text
    assert "Reserved memory 256.0 MiB" in text
    assert "Last dump /data/core/202612061705 (2026-12-06 17:05): dump.202612061705 (4.0 KiB)" in text
    # Switched off: kdump-tools unloads the crash kernel; the memory stays the kernel's.
    run_config("--root", str(node_root), "set", "kdump.mode=disabled", check=True)
    (node_root / "sys/kernel/kexec_crash_loaded").write_text("0\n")
    text = shown()
    assert "Crash kernel not loaded: kdump is disabled" in text
    assert "Reserved memory 256.0 MiB (kept until a reboot: the kernel frees it only at boot)" in text
