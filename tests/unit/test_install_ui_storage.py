"""Storage sizes: the engine's planner judges every keystroke; what is left is shown, and
Continue is disabled with the planner's message while the volumes do not fit."""

from __future__ import annotations

from ovirt_node.installer.plan.sizes import FILL as FILL_DATA
from ovirt_node.installer.plan.sizes import Sizes
from ovirt_node.installer.screens.choices import Choices
from ovirt_node.installer.screens.storage import CONFIG, DATA, FILL, LOGGING, SWAP, StorageSizes
from tests.install_ui_helpers import ScreenHarness, installer

VDA = "/dev/disk/by-id/virtio-DEMO-VDA-0001"


def harness(sizes: Sizes | None = None) -> ScreenHarness:
    return ScreenHarness(StorageSizes, installer("demo"), Choices(mode="install", disks=(VDA,), sizes=sizes or Sizes()))


def test_defaults_fit_and_data_takes_the_rest() -> None:
    h = harness()
    assert h.focused_key() == SWAP
    text = h.text()
    assert "Disks: 1, 65536 MiB in all" in text
    assert "Root, RootBackup: 4096 MiB each" in text
    assert "Data gets the rest (46712 MiB)" in text
    assert "Empty: 8192 MiB from the memory" in text  # the focused field's help
    assert h.can_continue
    assert h.press_continue() == Choices(mode="install", disks=(VDA,), sizes=Sizes())


def test_remaining_space_follows_the_typing_and_too_big_disables_continue() -> None:
    h = harness()
    h.type(SWAP, "20000")
    assert "Data gets the rest (34904 MiB)" in h.text()
    h.type(SWAP, "60000")
    assert not h.can_continue
    assert "too small by" in h.reason and "MiB" in h.reason
    assert "too small by" in h.text()
    h.type(SWAP, "")
    assert h.can_continue


def test_fixed_data_size_and_bad_values() -> None:
    h = harness()
    h.set(FILL, "no")
    assert not h.can_continue and h.reason == "Data (MiB): must be a whole number of MiB or -1 (fill)"
    h.type(DATA, "20480")
    assert h.can_continue
    assert "MiB left unused" in h.text()
    h.type(DATA, "5000")
    assert "Data must be -1 (fill), 0 (none) or at least 10240 MiB" in h.reason
    h.type(DATA, "0")
    h.type(CONFIG, "12")
    assert "Config must be at least 64 MiB" in h.reason
    h.type(CONFIG, "128")
    h.type(LOGGING, "abc")
    assert h.reason == "Logging (MiB): must be a whole number of MiB"
    h.type(LOGGING, "4096")
    chosen = h.press_continue()
    assert chosen is not None and chosen.sizes == Sizes(logging=4096, data=0)


def test_answers_are_shown_back() -> None:
    h = harness(Sizes(swap=1024, data=20480))
    assert h.view.values[SWAP] == "1024" and h.view.values[FILL] == "no" and h.view.values[DATA] == "20480"
    h.set(FILL, "yes")
    chosen = h.press_continue()
    assert chosen is not None and chosen.sizes == Sizes(swap=1024, data=FILL_DATA)


def test_data_minus_one_fills_as_the_size_error_says() -> None:
    h = harness()
    h.set(FILL, "no")
    h.type(DATA, "5000")
    assert "Data must be -1 (fill), 0 (none) or at least 10240 MiB" in h.reason
    h.type(DATA, "-1")
    assert h.can_continue and "Data gets the rest (46712 MiB)" in h.text()
    chosen = h.press_continue()
    assert chosen is not None and chosen.sizes.data == FILL_DATA
    h = harness()
    h.set(FILL, "no")
    h.type(DATA, "-2")
    assert not h.can_continue and h.reason == "Data (MiB): must be a whole number of MiB or -1 (fill)"
