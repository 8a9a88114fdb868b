"""What the operator chose on the installer's screens (or wrote in an answers file), and the
kernel command line that says the same.

Every front door ends in the engine's one entry point, `autoinstall.build`, with kernel
arguments: the screens and the answers file turn their choices into the arguments an
auto-install would have been given, so the three doors cannot plan differently. The one
thing a command line cannot carry is a clear-text password (`adminpw=` is a hash): a typed
password goes to the engine as a setting instead, never into the arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ovirt_node.core.cmdline import KernelArgs, parse
from ovirt_node.installer.plan import sizes as S

MODES = ("install", "upgrade", "downgrade", "reinstall", "uninstall")
#: Modes that lay out disks (the storage screens are shown).
LAYOUT_MODES = frozenset({"install", "reinstall"})
#: The kernel argument of each mode (a downgrade is an upgrade into the other slot).
MODE_ARGS = {"install": "install", "upgrade": "upgrade", "downgrade": "upgrade", "reinstall": "reinstall",
             "uninstall": "uninstall"}
ADMIN_PASSWORD_KEY = "security.admin_password"


@dataclass(frozen=True)
class Choices:
    #: One of MODES; "" until the Welcome screen (or an answers file) says.
    mode: str = ""
    keymap: str = ""
    #: Disks by stable name (by-id path, else the device path); the first is the boot disk.
    disks: tuple[str, ...] = ()
    sizes: S.Sizes = field(default_factory=S.Sizes)
    #: A new admin password typed in clear (install; on an upgrade, optional).
    password: str = field(default="", repr=False)
    #: A crypt(3) hash instead (answers files; the kernel's `adminpw=`).
    password_hash: str = field(default="", repr=False)
    #: The installed node's current admin password (upgrade).
    current_password: str = field(default="", repr=False)
    wipe_fakeraid: bool = False
    force: bool = False
    #: The answers file said the disks may be erased (the Confirm screen's typed word).
    confirmed: bool = False
    #: The crash kernel's memory on the node's boot line (answers files; "" = the default).
    crashkernel: str = ""
    #: Settings for the installed node (an answers file's area tables: an export), key -> value.
    settings: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    def with_(self, **changes: object) -> Choices:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def lays_out(self) -> bool:
        return self.mode in LAYOUT_MODES or not self.mode


def storage_vol(sizes: S.Sizes) -> str:
    """`storage_vol=` in its named form for the sizes that differ from the defaults ("" if none)."""
    default = S.Sizes()
    parts = [f"{getattr(sizes, name.lower())},{name}" for name in ("Root", "Config", "Logging", "Data")
             if getattr(sizes, name.lower()) != getattr(default, name.lower())]
    if sizes.swap is not None:
        parts.insert(0, f"{sizes.swap},Swap")
    return ":".join(parts)


def kernel_words(choices: Choices) -> list[str]:
    """The kernel arguments an auto-install with these choices is given."""
    words = [MODE_ARGS[choices.mode]] if choices.mode else []
    if choices.lays_out:
        if choices.disks:
            words.append("storage_init=" + ",".join(choices.disks))
        volumes = storage_vol(choices.sizes)
        if volumes:
            words.append("storage_vol=" + volumes)
        if choices.sizes.overcommit != S.OVERCOMMIT_DEFAULT and choices.sizes.swap is None:
            words.append(f"mem_overcommit={choices.sizes.overcommit:g}")
        if choices.wipe_fakeraid:
            words.append("wipe_fakeraid")
        if choices.keymap:
            words.append("keyboard=" + choices.keymap)
        if choices.password_hash:
            words.append("adminpw=" + choices.password_hash)
        if choices.crashkernel:
            words.append("crashkernel=" + choices.crashkernel)
    if choices.force:
        words.append("force")
    return words


def kernel_args(choices: Choices, boot_words: Sequence[str] = ()) -> KernelArgs:
    """The arguments of `choices`, after the boot media's own `boot_words` (console=, ...)."""
    return parse(" ".join([*boot_words, *kernel_words(choices)]))


def settings(choices: Choices) -> dict[str, str]:
    """Engine values beside the arguments: the answers file's settings, and a typed password
    (chpasswd on the node), for an install or as the new password of an upgrade."""
    if choices.mode == "uninstall":
        return {}
    values = dict(choices.settings)
    if choices.password and not choices.password_hash:
        values[ADMIN_PASSWORD_KEY] = choices.password
    return values
