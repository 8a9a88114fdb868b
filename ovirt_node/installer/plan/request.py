"""What an installation is asked to do, from the kernel command line (or the installer pages):
which disks, which sizes, and whether firmware RAID metadata may be wiped.

A malformed storage argument stops the installation with a message instead of being skipped:
falling back to defaults on a run that erases disks would do something nobody asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ovirt_node.core.cmdline import BadSwitch, KernelArgs, switch
from ovirt_node.installer.plan.sizes import SizeError, Sizes, apply_storage_vol, parse_storage_vol


@dataclass(frozen=True)
class InstallRequest:
    #: `storage_init=` as given (None: the first candidate disk).
    disks: str | None = None
    sizes: Sizes = field(default_factory=Sizes)
    wipe_fakeraid: bool = False


def from_kernel_args(args: KernelArgs) -> InstallRequest:
    """Raises SizeError (a ValueError) naming the argument when a value cannot be used."""
    sizes = Sizes()
    overcommit = args.get("mem_overcommit")
    if overcommit is not None:
        try:
            factor = float(overcommit)
        except ValueError:
            raise SizeError(f"mem_overcommit: not a number: {overcommit!r}") from None
        sizes = Sizes(overcommit=factor)
    volumes = args.get("storage_vol")
    if volumes:
        sizes = apply_storage_vol(sizes, parse_storage_vol(volumes))
    try:
        wipe = switch(args, "wipe_fakeraid")
    except BadSwitch as exc:
        raise SizeError(str(exc)) from None
    return InstallRequest(disks=args.get("storage_init"), sizes=sizes, wipe_fakeraid=bool(wipe))
