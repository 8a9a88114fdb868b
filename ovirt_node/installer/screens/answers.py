"""The answers file of `ovirt-node-installer --answers FILE`: the values of every screen, and
which screens stay interactive. TOML; see docs/installer.md for the format. Everything is
checked by the screens' own rules before anything runs (`flow.answer_all`), so a value the
screen would refuse is refused here too, with the screen's message.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ovirt_node.core import untrusted
from ovirt_node.installer.plan import sizes as S
from ovirt_node.installer.screens.choices import MODES, Choices

TOP_KEYS = {"mode", "keyboard", "boot_disk", "data_disks", "wipe_fakeraid", "force", "confirm", "interactive",
            "sizes", "password", "crashkernel"}
SIZE_KEYS = {"swap", "root", "config", "logging", "data", "overcommit"}
PASSWORD_KEYS = {"admin", "admin_hash", "current"}
#: Most disks one install may name (boot disk plus data disks); HostVG spans them all.
MAX_DISKS = 64


class AnswersError(ValueError):
    """The answers file cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Answers:
    choices: Choices
    #: Screen names the operator is still asked (the others are answered from the file).
    interactive: frozenset[str]


@dataclass(frozen=True)
class Fetched:
    """An answers file fetched from `url` (the kernel line's `answers=`)."""

    url: str
    text: str


def _typed(where: str, value: Any, kind: type | tuple[type, ...], what: str, secret: bool = False) -> Any:
    # A secret's value is never echoed, only its type: the message may end up in a log.
    shown = f"a {type(value).__name__}" if secret else repr(value)
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise AnswersError(f"{where}: must be {what}, not {shown}")
    if not isinstance(value, kind):
        raise AnswersError(f"{where}: must be {what}, not {shown}")
    return value


def _unknown(where: str, table: dict[str, Any], known: set[str]) -> None:
    extra = sorted(set(table) - known)
    if extra:
        raise AnswersError(f"{where}: unknown entr{'ies' if len(extra) > 1 else 'y'} {', '.join(extra)} "
                           f"(known: {', '.join(sorted(known))})")


@dataclass(frozen=True)
class NodeSettings:
    #: The top-level tables that are settings areas ([ssh], [logging], ...: as export writes them).
    tables: frozenset[str]
    #: Their keys, validated, canonical: applied to the installed node by the config engine.
    values: dict[str, str]


def node_settings(source: str, data: dict[str, Any]) -> NodeSettings:
    """The tables named after a settings area (the plugins' too) are the node's settings, in the
    format `ovirt-node-config export` writes: so an export, with the installer's own entries
    added, installs a node configured as the one it came from. Each value is checked by its
    key's rule here, before anything runs; a secret's value is never echoed."""
    from ovirt_node.areas.registry import all_sections
    from ovirt_node.core.answers import AnswersShapeError, flatten
    from ovirt_node.core.valid import SafeValue

    sections = {section.name: section for section in all_sections()}
    tables = frozenset(name for name, value in data.items() if name in sections and isinstance(value, dict))
    try:
        flat = flatten({name: data[name] for name in tables})
    except AnswersShapeError as exc:
        raise AnswersError(f"{source}: {exc}") from None
    keys = {key.name: key for name in tables for key in sections[name].keys}
    values: dict[str, str] = {}
    for name, value in flat.items():
        key = keys.get(name)
        if key is None:
            raise AnswersError(f"{source}: {name}: not a setting of the {name.split('.')[0]} area")
        problem = SafeValue().check(value) or key.validator.check(value)
        if problem:
            raise AnswersError(f"{source}: {name}: {problem}")
        values[name] = key.canonical(value)
    return NodeSettings(tables, values)


def parse(text: str, source: str = "answers", screens: tuple[str, ...] = ()) -> Answers:
    try:
        data = untrusted.load_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise AnswersError(f"{source}: not valid TOML: {exc}") from None
    except untrusted.UntrustedInputError as exc:
        raise AnswersError(f"{source}: {exc}") from None
    extra = node_settings(source, data)
    _unknown(source, {k: v for k, v in data.items() if k not in extra.tables}, TOP_KEYS)
    mode = _typed(f"{source}: mode", data.get("mode", "install"), str, "a string")
    if mode not in MODES:
        raise AnswersError(f"{source}: mode: must be one of {', '.join(MODES)}, not {mode!r}")
    disks: dict[str, None] = {}  # ordered, and a repeat found at once
    if "boot_disk" in data:
        disks[_typed(f"{source}: boot_disk", data["boot_disk"], str, "a disk path")] = None
    data_disks = _typed(f"{source}: data_disks", data.get("data_disks", []), list, "a list of disk paths")
    if len(data_disks) > MAX_DISKS:
        raise AnswersError(f"{source}: data_disks: at most {MAX_DISKS} disks, not {len(data_disks)}")
    for item in data_disks:
        disks[_typed(f"{source}: data_disks", item, str, "a list of disk paths")] = None
    if "data_disks" in data and not disks:
        raise AnswersError(f"{source}: data_disks without boot_disk")
    sizes_table = _typed(f"{source}: [sizes]", data.get("sizes", {}), dict, "a table")
    _unknown(f"{source}: [sizes]", sizes_table, SIZE_KEYS)
    sizes = S.Sizes()
    changes: dict[str, Any] = {}
    for key, value in sizes_table.items():
        if key == "overcommit":
            changes[key] = float(_typed(f"{source}: sizes.overcommit", value, (int, float), "a number"))
        else:
            changes[key] = _typed(f"{source}: sizes.{key}", value, int, "a whole number of MiB")
    sizes = S.Sizes(**{**sizes.__dict__, **changes})
    problems = sizes.problems()
    if problems:
        raise AnswersError(f"{source}: [sizes]: {'; '.join(problems)}")
    password = _typed(f"{source}: [password]", data.get("password", {}), dict, "a table", secret=True)
    _unknown(f"{source}: [password]", password, PASSWORD_KEYS)
    secrets = {k: _typed(f"{source}: password.{k}", v, str, "a string", secret=True) for k, v in password.items()}
    if secrets.get("admin_hash"):
        from ovirt_node.areas.security import CRYPT_HASH

        problem = CRYPT_HASH.check(secrets["admin_hash"])
        if problem:
            raise AnswersError(f"{source}: password.admin_hash: {problem}")
    interactive = _typed(f"{source}: interactive", data.get("interactive", []), list, "a list of screen names")
    for name in interactive:
        if not isinstance(name, str) or (screens and name not in screens):
            raise AnswersError(f"{source}: interactive: unknown screen {name!r} (screens: {', '.join(screens)})")
    flags = {k: _typed(f"{source}: {k}", data.get(k, False), bool, "true or false")
             for k in ("wipe_fakeraid", "force", "confirm")}
    keymap = "" if "keyboard" in extra.tables else _typed(f"{source}: keyboard", data.get("keyboard", ""), str,
                                                          "a keymap name")
    crashkernel = _typed(f"{source}: crashkernel", data.get("crashkernel", ""), str, "a string such as \"256M\"")
    if crashkernel:
        from ovirt_node.installer.steps.bootloader import crashkernel_problem

        problem = crashkernel_problem(crashkernel)
        if problem:
            raise AnswersError(f"{source}: crashkernel: {problem}")
    choices = Choices(mode=mode, keymap=keymap, disks=tuple(disks), sizes=sizes, password=secrets.get("admin", ""),
                      password_hash=secrets.get("admin_hash", ""), current_password=secrets.get("current", ""),
                      wipe_fakeraid=flags["wipe_fakeraid"], force=flags["force"], confirmed=flags["confirm"],
                      crashkernel=crashkernel, settings=tuple(extra.values.items()))
    return Answers(choices, frozenset(interactive))


def load(path: Path, screens: tuple[str, ...] = ()) -> Answers:
    try:
        text = untrusted.read_text(path)
    except OSError as exc:
        raise AnswersError(f"{path}: {exc.strerror or exc}") from None
    except untrusted.UntrustedInputError as exc:
        raise AnswersError(f"{path}: {exc}") from None
    return parse(text, str(path), screens)
