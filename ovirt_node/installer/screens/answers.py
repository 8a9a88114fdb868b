"""The answers file of `ovirt-node-installer --answers FILE`: the values of every screen, and
which screens stay interactive. TOML; see docs/installer.md for the format. Everything is
checked by the screens' own rules before anything runs (`flow.answer_all`), so a value the
screen would refuse is refused here too, with the screen's message.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ovirt_node.core import answers_tree, untrusted
from ovirt_node.installer.plan import sizes as S
from ovirt_node.installer.screens.choices import ADMIN_PASSWORD_KEY, MODES, Choices

TOP_KEYS = {"mode", "keyboard", "boot_disk", "data_disks", "wipe_fakeraid", "force", "confirm", "interactive",
            "sizes", "password", "crashkernel", "settings"}
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


def parse(text: str, source: str = "answers", screens: tuple[str, ...] = ()) -> Answers:
    try:
        data = untrusted.load_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise AnswersError(f"{source}: not valid TOML: {exc}") from None
    except untrusted.UntrustedInputError as exc:
        raise AnswersError(f"{source}: {exc}") from None
    _unknown(source, data, TOP_KEYS)
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
    keymap = _typed(f"{source}: keyboard", data.get("keyboard", ""), str, "a keymap name")
    crashkernel = _typed(f"{source}: crashkernel", data.get("crashkernel", ""), str, "a string such as \"256M\"")
    if crashkernel:
        from ovirt_node.installer.steps.bootloader import crashkernel_problem

        problem = crashkernel_problem(crashkernel)
        if problem:
            raise AnswersError(f"{source}: crashkernel: {problem}")
    node_settings = _settings(source, data.get("settings", {}))
    choices = Choices(mode=mode, keymap=keymap, disks=tuple(disks), sizes=sizes, password=secrets.get("admin", ""),
                      password_hash=secrets.get("admin_hash", ""), current_password=secrets.get("current", ""),
                      wipe_fakeraid=flags["wipe_fakeraid"], force=flags["force"], confirmed=flags["confirm"],
                      crashkernel=crashkernel, node_settings=node_settings)
    return Answers(choices, frozenset(interactive))


def _settings(source: str, table: Any) -> tuple[tuple[str, str], ...]:
    """`[settings]`: the node's settings, in the shape `ovirt-node-config apply` takes (nested
    tables or dotted keys). Their values are checked by the config engine before anything
    runs (`check_settings`); a password belongs in `[password]`, where it is never echoed."""
    _typed(f"{source}: [settings]", table, dict, "a table")
    try:
        flat = answers_tree.flatten(table)
    except ValueError as exc:
        raise AnswersError(f"{source}: [settings]: {exc}") from None
    if ADMIN_PASSWORD_KEY in flat:
        raise AnswersError(f"{source}: [settings]: {ADMIN_PASSWORD_KEY}: give the password in [password]")
    return tuple(flat.items())


def check_settings(source: str, choices: Choices, validate: Callable[[dict[str, str]], object]) -> None:
    """The config engine's verdict on `[settings]` (`validate` raises InvalidChanges), as one
    AnswersError naming each refused key."""
    from ovirt_node.core.engine import InvalidChanges

    try:
        validate(dict(choices.node_settings))
    except InvalidChanges as exc:
        problems = "; ".join(f"{key}: {why}" for key, why in exc.errors.items())
        raise AnswersError(f"{source}: [settings]: {problems}") from None


def load(path: Path, screens: tuple[str, ...] = ()) -> Answers:
    try:
        text = untrusted.read_text(path)
    except OSError as exc:
        raise AnswersError(f"{path}: {exc.strerror or exc}") from None
    except untrusted.UntrustedInputError as exc:
        raise AnswersError(f"{path}: {exc}") from None
    return parse(text, str(path), screens)
