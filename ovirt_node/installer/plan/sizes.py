"""Volume sizes of the node's storage layout, in MiB: defaults, 3.x's swap formula, and the two
`storage_vol=` spellings of the kernel command line.

3.x sizes were megabytes of 1024 * 1024 bytes; so are ours (MiB). Data `-1` fills what is left,
`0` means no Data volume.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

GIB = 1024  # MiB

FILL = -1
ROOT_DEFAULT = 4096
#: 3.x's 5 MiB Config volume is too small for ext4's journal and the persisted files.
CONFIG_DEFAULT = 128
LOGGING_DEFAULT = 2048
EFI_SIZE = 256
BIOS_BOOT_SIZE = 1
OVERCOMMIT_DEFAULT = 0.5
#: The largest overcommit factor: RAM x 1000 of swap is already absurd.
MAX_OVERCOMMIT = 1000.0

MIN_ROOT = 1024
MIN_CONFIG = 64
MIN_LOGGING = 5
MIN_SWAP = 5
MIN_DATA = 10 * GIB

#: The names `storage_vol=` knows, in 3.x's positional order (Boot, EFI and the App VG's
#: Swap2/Data2 are accepted but have no volume in our layout).
POSITIONAL = ("Boot", "Swap", "Root", "Config", "Logging", "Data", "Swap2", "Data2")
NAMED = frozenset({"EFI", *POSITIONAL})
#: Names that size something in our layout -> the Sizes field.
_FIELDS = {"Swap": "swap", "Root": "root", "Config": "config", "Logging": "logging", "Data": "data"}


class SizeError(ValueError):
    """A size or a `storage_vol=` value that cannot be used; the message says why."""


@dataclass(frozen=True)
class Sizes:
    """What the operator (or the kernel command line) asked for; `swap` None = the formula."""

    root: int = ROOT_DEFAULT
    config: int = CONFIG_DEFAULT
    logging: int = LOGGING_DEFAULT
    swap: int | None = None
    data: int = FILL
    overcommit: float = OVERCOMMIT_DEFAULT

    def swap_mib(self, memory_bytes: int) -> int:
        return self.swap if self.swap is not None else swap_size(memory_bytes, self.overcommit)

    def problems(self) -> list[str]:
        """Sizes below the minimums, as sentences (empty when all is well)."""
        found = []
        for name, value, minimum in (("Root", self.root, MIN_ROOT), ("Config", self.config, MIN_CONFIG),
                                     ("Logging", self.logging, MIN_LOGGING)):
            if value < minimum:
                found.append(f"{name} must be at least {minimum} MiB (asked for {value})")
        if self.swap is not None and self.swap < MIN_SWAP and self.swap != 0:
            found.append(f"Swap must be 0 or at least {MIN_SWAP} MiB (asked for {self.swap})")
        if self.data not in (FILL, 0) and self.data < MIN_DATA:
            found.append(f"Data must be -1 (fill), 0 (none) or at least {MIN_DATA} MiB (asked for {self.data})")
        if self.overcommit < 0:
            found.append(f"the memory overcommit factor cannot be negative ({self.overcommit})")
        elif not math.isfinite(self.overcommit) or self.overcommit > MAX_OVERCOMMIT:  # inf, nan: no swap size
            found.append(f"the memory overcommit factor must be a number up to {MAX_OVERCOMMIT:g} ({self.overcommit})")
        return found


def swap_size(memory_bytes: int, overcommit: float = OVERCOMMIT_DEFAULT) -> int:
    """3.x's formula: a base by RAM size (2/4/8/16 GiB for RAM < 4/< 16/< 64/>= 64 GiB) plus
    RAM x overcommit, in MiB."""
    ram_mib = memory_bytes // (1024 * 1024)
    if ram_mib < 4 * GIB:
        base = 2 * GIB
    elif ram_mib < 16 * GIB:
        base = 4 * GIB
    elif ram_mib < 64 * GIB:
        base = 8 * GIB
    else:
        base = 16 * GIB
    return base + int(ram_mib * overcommit)


def _number(name: str, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise SizeError(f"storage_vol: the size of {name} is not a whole number of MiB: {text!r}") from None


def parse_storage_vol(text: str) -> dict[str, int]:
    """`storage_vol=` in 3.x's forms, as {volume name: MiB}: colon-separated fields, each
    empty (the default stays), `size` (the volume at that position of
    `BOOT:SWAP:ROOT:CONFIG:LOGGING:DATA:SWAP2:DATA2`) or `size,Name` (that volume), e.g.
    `:2048::::-1`, `4096,Root:2048,Logging:-1,Data` or `:4096,Swap::256,Config`.
    """
    parts = text.split(":")
    sizes: dict[str, int] = {}
    for position, part in enumerate(parts):
        if not part.strip():
            continue
        size, comma, name = part.partition(",")
        if not comma and position >= len(POSITIONAL):
            raise SizeError(f"storage_vol: at most {len(POSITIONAL)} positional sizes "
                            f"({':'.join(POSITIONAL)}), got {len(parts)}")
        name = name.strip() if comma else POSITIONAL[position]
        if name not in NAMED:
            known = ", ".join(sorted(NAMED))
            raise SizeError(f"storage_vol: unknown volume {name!r} in {part!r} (known: {known})")
        if name in sizes:
            raise SizeError(f"storage_vol: {name} is given twice")
        sizes[name] = _number(name, size)
    return sizes


def apply_storage_vol(sizes: Sizes, volumes: dict[str, int]) -> Sizes:
    """`sizes` with the volumes named in a parsed `storage_vol=` replaced."""
    changes = {_FIELDS[name]: value for name, value in volumes.items() if name in _FIELDS}
    return dataclasses.replace(sizes, **changes)
