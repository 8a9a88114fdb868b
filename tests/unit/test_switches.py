"""Every mode and yes/no kernel argument follows one rule (cmdline.truth): bare or
1/y/yes/true/on is on, 0/n/no/false/off is off (any case), anything else is refused with the
argument and the accepted spellings named. The table lists each argument by every name it has;
a test checks that it covers every switch the code knows, so a new one cannot be forgotten."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ovirt_node.areas.registry import all_sections
from ovirt_node.boot.decision import Mode, decide
from ovirt_node.core import cmdline
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.kernelargs import changes_from_kernel_args
from ovirt_node.core.model import Kind
from ovirt_node.core.root import Root
from ovirt_node.installer.plan import autoinstall
from ovirt_node.installer.plan.request import from_kernel_args
from ovirt_node.installer.plan.sizes import SizeError

ON = ["", "=1", "=y", "=Y", "=yes", "=YES", "=true", "=True", "=on", "=ON"]  # "": the bare flag
OFF = ["=0", "=n", "=N", "=no", "=No", "=false", "=FALSE", "=off", "=Off"]
BAD = ["=", "=2", "=maybe", "=yess", "=-1", "=ye\u0455"]  # the last: a Cyrillic look-alike

#: What a user sees of an argument: True (on), False (off) or the refusal's message.
Outcome = Callable[[str, Path], "bool | str"]


def _mode(mode: str) -> Outcome:
    def outcome(text: str, _root: Path) -> bool | str:
        try:
            return autoinstall.read_request(cmdline.parse(text)).mode == mode
        except autoinstall.InstallRefused as exc:
            return str(exc)
    return outcome


def _force(text: str, _root: Path) -> bool | str:
    try:
        return autoinstall.read_request(cmdline.parse(text)).force
    except autoinstall.InstallRefused as exc:
        return str(exc)


def _wipe_fakeraid(text: str, _root: Path) -> bool | str:
    try:
        return from_kernel_args(cmdline.parse(text)).wipe_fakeraid
    except SizeError as exc:
        return str(exc)


def _stateless(text: str, _root: Path) -> bool | str:
    plan = decide(cmdline.parse(text), has_node=True, configured=True)
    return plan.reason if "not understood" in plan.reason else plan.mode is Mode.STATELESS


def _setting(key: str, on: str) -> Outcome:
    def outcome(text: str, root: Path) -> bool | str:
        found = changes_from_kernel_args(Engine(Context(root=Root.at(root)), all_sections()), cmdline.parse(text))
        if found.rejected:
            assert not found.changes  # nothing is applied from a refused argument
            shown, reason = found.rejected[0]
            return f"{shown}: {reason}"  # as the command line shows it
        return found.changes.get(key) == on
    return outcome


#: Every name (3.x aliases too) of every mode and yes/no argument, and how a user sees it.
TABLE: dict[str, Outcome] = {
    "install": _mode("install"),
    "upgrade": _mode("upgrade"),
    "ovirt_upgrade": _mode("upgrade"),
    "local_boot": _mode("upgrade"),
    "updateonly": _mode("upgrade"),
    "firstboot": _mode("reinstall"),
    "ovirt_firstboot": _mode("reinstall"),
    "reinstall": _mode("reinstall"),
    "uninstall": _mode("uninstall"),
    "force": _force,
    "wipe_fakeraid": _wipe_fakeraid,
    "stateless": _stateless,
    "ovirt_stateless": _stateless,
    "ssh_pwauth": _setting("ssh.pwauth", "yes"),
    "disable_aes_ni": _setting("security.disable_aes_ni", "yes"),
    "disable_kdump": _setting("kdump.mode", "disabled"),
}


def _section_switches() -> set[str]:
    return {h.switch for s in all_sections() for h in s.kernel_args().values() if hasattr(h, "switch")}


def test_the_table_covers_every_switch_the_code_knows() -> None:
    known = set(cmdline.SWITCHES) | _section_switches()
    aliases = {alias for alias, name in cmdline.ALIASES.items() if name in known}
    # standalone is a 3.x alias target nobody reads here: it is not a switch of this node.
    assert set(TABLE) == known | aliases - {"ovirt_standalone"}


def test_every_handler_feeding_only_yes_no_keys_is_a_switch() -> None:
    """A new argument like ssh_pwauth must go through switch_arg, not its own reading of yes/no."""
    bool_keys = {k.name for s in all_sections() for k in s.keys if k.kind is Kind.BOOL}
    for section in all_sections():
        for name, handler in section.kernel_args().items():
            if set(handler(None)) <= bool_keys:
                assert hasattr(handler, "switch"), f"{name} reads a yes/no value without switch_arg"


@pytest.mark.parametrize("name", sorted(TABLE))
def test_on_off_and_malformed_spellings(name: str, node_root: Path) -> None:
    outcome = TABLE[name]
    for spelling in ON:
        assert outcome(name + spelling, node_root) is True, name + spelling
    for spelling in OFF:
        assert outcome(name + spelling, node_root) is False, name + spelling
    for spelling in BAD:
        seen = outcome(name + spelling, node_root)
        assert isinstance(seen, str), name + spelling
        assert (f"{name}{spelling}: not understood; write {name} or {name}=1/y/yes/true/on to turn it on, "
                f"{name}=0/n/no/false/off to turn it off") in seen


def test_a_mode_turned_off_does_not_conflict_with_another() -> None:
    for text in ("upgrade firstboot=0", "upgrade reinstall=no", "firstboot=false upgrade", "upgrade uninstall=off"):
        assert autoinstall.read_request(cmdline.parse(text)).mode == "upgrade", text


def test_reinstall_off_on_boot_media_is_the_interactive_installer() -> None:
    plan = decide(cmdline.parse("reinstall=0 firstboot=no"), has_node=False, configured=False)
    assert plan.mode is Mode.INSTALLER


def test_the_installer_cli_upgrades_with_firstboot_0_and_refuses_a_malformed_one(tmp_path: Path) -> None:
    def installer(line: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ovirt_node.cli.installer", "--dry-run", "--machine",
                               "many-nics-many-disks", "--image", str(tmp_path / "none"), "--cmdline", line],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)

    upgrade = installer("upgrade firstboot=0")
    assert upgrade.returncode == 0, upgrade.stderr
    assert "conflicting modes" not in upgrade.stderr and "Upgrade" in upgrade.stdout
    bad = installer("firstboot=maybe")
    assert bad.returncode == 2 and "firstboot=maybe: not understood" in bad.stderr
    assert list(tmp_path.iterdir()) == []  # a dry run, and a refused one: nothing written


def test_a_malformed_config_switch_is_named_once_in_its_message(node_root: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "ovirt_node.cli.config", "--root", str(node_root), "cmdline",
                             "ssh_pwauth=maybe"], capture_output=True, text=True, timeout=60)
    shown = result.stdout + result.stderr
    assert "ssh_pwauth=maybe: not understood; write ssh_pwauth or" in shown
    assert shown.count("ssh_pwauth=maybe") == 1, shown
