"""Keys and sections: the mechanism every config area plugs into.

A `Key` is one setting with a dotted name (`logging.rsyslog.server`), the `OVIRT_*` name it
has in /etc/default/ovirt (3.x's name where 3.x had one), a validator and a built-in default.
A `Section` is one area: its keys, a typed dataclass of its settings, the files (lenses) it
reads and writes, how to read the current values back from those files, how to plan a
change, and which kernel arguments feed it. Values cross the edges (CLI, kernel arguments,
the defaults file) as canonical strings; planning works on the typed settings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar

from ovirt_node.core.aug import LensFile
from ovirt_node.core.context import Context
from ovirt_node.core.record import Record
from ovirt_node.core.valid import Validator, parse_bool

if TYPE_CHECKING:  # a read (`ovirt-node-config get`) imports neither platforms nor transactions
    from ovirt_node.core.platform import Platform, PlatformNames
    from ovirt_node.core.transaction import Step


class Kind(Enum):
    BOOL = "bool"
    INT = "int"
    TEXT = "text"


class Source(Enum):
    SYSTEM = "system"  # read back from the real configuration file
    DEFAULTS = "defaults"  # /etc/default/ovirt
    BUILTIN = "built-in"  # nothing set anywhere: the product default


class Key(Record):
    name: str
    ovirt: str | None
    validator: Validator
    kind: Kind = Kind.TEXT
    default: str = ""
    help: str = ""
    secret: bool = False
    #: Older OVIRT_* names of the same setting, read when `ovirt` is absent and removed when
    #: the key is written (3.x wrote some settings under two names).
    legacy: tuple[str, ...] = ()
    #: For a valid value that is allowed but unusual: the sentence to warn with, else "".
    warning: Callable[[str], str] | None = None
    #: For a TEXT key whose settings field is structured: text -> typed value (ValueError when
    #: it cannot be understood; the validator says so first).
    parse: Callable[[str], Any] | None = None

    @property
    def section(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def field(self) -> str:
        """The attribute of the section's settings dataclass: `rsyslog.server` -> `rsyslog_server`."""
        return self.name.split(".", 1)[1].replace(".", "_")

    def canonical(self, value: str) -> str:
        """The stored spelling of a valid value: booleans as yes/no, numbers without padding."""
        if self.kind is Kind.BOOL:
            return "yes" if parse_bool(value) else "no"
        if self.kind is Kind.INT and value.strip():
            return str(int(value))
        return value

    def typed(self, value: str) -> Any:
        if self.kind is Kind.BOOL:
            return parse_bool(value) if value else False
        if self.kind is Kind.INT:
            return int(value) if value else None
        return self.parse(value) if self.parse is not None else value


#: Turns one kernel argument value (None for a bare flag) into key -> value changes.
KernelArgHandler = Callable[[str | None], Mapping[str, str]]


def switch_arg(name: str, on: Mapping[str, str], off: Mapping[str, str]) -> KernelArgHandler:
    """The handler of the yes/no kernel argument `name`: `on` or `off` by cmdline.truth (the one
    rule the installer and the boot code use too); a malformed value raises BadSwitch, which
    the kernel-argument reader reports. The handler's `switch` names it for the table test."""

    def handle(value: str | None) -> Mapping[str, str]:
        from ovirt_node.core.cmdline import truth

        return dict(on if truth(name, value) else off)

    handle.switch = name  # type: ignore[attr-defined]
    return handle


class Section:
    """One configuration area. Subclasses fill in the class attributes and the methods."""

    name: ClassVar[str]
    title: ClassVar[str]
    keys: ClassVar[tuple[Key, ...]]
    settings: ClassVar[type]
    lens_files: ClassVar[tuple[LensFile, ...]] = ()
    #: Names of units/paths/tools the section needs beyond ovirt_node/data/platforms (a plugin's daemons),
    #: by platform id; `platform(ctx)` has them, and the demo mocks the units listed here.
    platform_names: ClassVar[PlatformNames] = {}

    def platform(self, ctx: Context) -> Platform:
        """The node's platform names, with this section's own `platform_names` added."""
        from ovirt_node.core.platform import detect

        platform = detect(ctx.root)
        return platform.extended(self.platform_names) if self.platform_names else platform

    def read(self, ctx: Context) -> dict[str, str | None]:
        """The values the real files hold, by key name; None where the files say nothing."""
        raise NotImplementedError

    def check(self, ctx: Context, values: Mapping[str, str]) -> dict[str, str]:
        """Rules across keys (key -> message) on the complete desired values; `ctx` is the
        node, for rules that depend on what it has (installed keymaps, tuned profiles)."""
        return {}

    def check_change(self, ctx: Context, current: Mapping[str, str], desired: Mapping[str, str]) -> dict[str, str]:
        """check() for a change from the `current` values (rules on the change itself)."""
        return self.check(ctx, desired)

    def plan(self, ctx: Context, old: Any, new: Any) -> Sequence[Step]:
        """Steps that bring the files and services from `old` to `new` settings."""
        raise NotImplementedError

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        return {}

    def to_settings(self, values: Mapping[str, str]) -> Any:
        return self.settings(**{k.field: k.typed(values.get(k.name, k.default)) for k in self.keys})

    def key(self, name: str) -> Key:
        for k in self.keys:
            if k.name == name:
                return k
        raise KeyError(name)


def split_host_port(text: str) -> tuple[str, str | None]:
    """`host`, `host:port`, `[v6]:port` or a bare IPv6 address -> (host, port or None)."""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, rest[1:] if rest.startswith(":") else None
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, port
    return text, None


def changed_fields(old: Any, new: Any) -> set[str]:
    return {f.name for f in dataclasses.fields(old) if getattr(old, f.name) != getattr(new, f.name)}
