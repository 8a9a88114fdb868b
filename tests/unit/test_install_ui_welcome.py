"""The Welcome screen: what it says about the media, the disks, the firmware and the CPU, and
which actions it offers (a major version mismatch disables the upgrade with the reason)."""

from __future__ import annotations

from ovirt_node.installer.screens.choices import Choices
from ovirt_node.installer.screens.screen import answer
from ovirt_node.installer.screens.welcome import MODE_KEY, Welcome
from tests.install_ui_helpers import ScreenHarness, installer


def test_fresh_machine_offers_install_with_the_facts() -> None:
    h = ScreenHarness(Welcome, installer("demo"))
    assert h.focused_key() == MODE_KEY
    text = h.text()
    assert "Media:          oVirt Node 4.5.0-1" in text
    assert "no node installed" in text
    assert "Firmware:       BIOS" in text
    assert "Virtualization: supported" in text
    assert "DRY RUN" in text
    assert h.rows(MODE_KEY) == {"install": (True, ""), "uninstall": (False, "not possible, see below")}
    assert "Uninstall is not possible: no HostVG on this machine" in text
    assert h.can_continue
    assert h.press_continue() == Choices(mode="install")


def test_no_virtualization_is_said_plainly() -> None:
    inst = installer("demo")
    inst.machine = inst.machine._replace(virt_hw=False)
    assert "Virtualization: NOT supported" in ScreenHarness(Welcome, inst).text()


def test_installed_node_offers_upgrade_reinstall_uninstall() -> None:
    h = ScreenHarness(Welcome, installer("hazards", installed="4.4.2-1"))
    rows = h.rows(MODE_KEY)
    assert list(rows) == ["upgrade", "reinstall", "uninstall"]
    assert all(enabled for enabled, _ in rows.values())
    assert "4.4.2-1 -> 4.5.0-1" in h.text()
    assert "Firmware:       UEFI" in h.text()
    h.choose(MODE_KEY, "uninstall")
    assert h.press_continue() == Choices(mode="uninstall")


def test_older_media_offers_downgrade() -> None:
    rows = ScreenHarness(Welcome, installer("hazards", installed="4.5.3-1")).rows(MODE_KEY)
    assert list(rows) == ["downgrade", "reinstall", "uninstall"]


def test_major_version_mismatch_blocks_the_upgrade_with_the_reason() -> None:
    h = ScreenHarness(Welcome, installer("hazards", installed="3.6.0-1"))
    enabled, reason = h.rows(MODE_KEY)["upgrade"]
    assert not enabled and reason == "not possible, see below"
    assert "Upgrade is not possible: the installed oVirt Node 3.6.0-1 and the media's" in h.text()
    # The operator cannot pick it; an answers file that asks for it is refused with the reason.
    assert h.view.values[MODE_KEY] == "reinstall"
    blocked = ScreenHarness(Welcome, installer("hazards", installed="3.6.0-1"), Choices(mode="upgrade"))
    assert not blocked.can_continue and "major version" in blocked.reason
    assert blocked.press_continue() is None
    try:
        answer(blocked.screen)
    except ValueError as exc:
        assert "Welcome: the installed" in str(exc)
    else:
        raise AssertionError("an unusable mode was answered")


def test_an_answer_for_a_fresh_machine_cannot_upgrade() -> None:
    h = ScreenHarness(Welcome, installer("demo"), Choices(mode="upgrade"))
    assert not h.can_continue
    assert h.reason == "upgrade is not possible here"


def test_unreadable_media_leaves_only_uninstall() -> None:
    inst = installer("hazards", installed="4.4.0-1")
    inst.image, inst.media_problem = None, "/dev/sr0: cannot be mounted"
    h = ScreenHarness(Welcome, inst)
    assert "Media:          unreadable (/dev/sr0: cannot be mounted)" in h.text()
    rows = h.rows(MODE_KEY)
    assert [m for m, (enabled, _) in rows.items() if enabled] == ["uninstall"]
    assert "Reinstall is not possible: no node image to install from" in h.text()
    assert h.view.values[MODE_KEY] == "uninstall"
