"""Everything a plan or a step needs to reach the node: the root, the runner, one Augeas
handle for the lenses in use, the persistence store, and (maybe) a D-Bus for runtime effects.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING

from ovirt_node.core.aug import Augeas, LensFile
from ovirt_node.core.defaults import DEFAULTS_FILE, Defaults
from ovirt_node.core.root import Root
from ovirt_node.core.run import Runner

if TYPE_CHECKING:
    from ovirt_node.persist.store import Store
    from ovirt_node.system.machine.model import Machine, Nic
    from ovirt_node.system.systemd import Systemd


class Context:
    """The node a change is planned for and applied to.

    Runtime effects (unit restarts, network activation) happen on the real node (root `/`),
    or under a root prefix only when `bus` names a D-Bus to perform them on; otherwise they
    are planned and shown but skipped. Files are always written under the root.

    (A plain class, not a dataclass: the setup TUI makes one before its first screen, and a
    dataclass costs it the compiles of its generated methods.)
    """

    def __init__(self, root: Root | None = None, bus: str | None = None, dry_run: bool = False,
                 lens_files: tuple[LensFile, ...] = (DEFAULTS_FILE,), runner: Runner | None = None,
                 machine: Machine | None = None) -> None:
        self.root = root if root is not None else Root()
        self.bus = bus
        self.dry_run = dry_run
        self.lens_files = lens_files
        self.runner = runner if runner is not None else Runner()
        self.runner.dry_run = self.runner.dry_run or dry_run
        #: The machine the setup TUI shows (a profile, or probed); None: sysfs under the root.
        self.machine = machine

    def __repr__(self) -> str:
        return (f"Context(root={self.root!r}, bus={self.bus!r}, dry_run={self.dry_run!r}, "
                f"lens_files={self.lens_files!r}, runner={self.runner!r}, machine={self.machine!r})")

    def need(self, files: Iterable[LensFile]) -> None:
        """Make sure these files are loaded: now if the handle exists, else when it is made."""
        files = tuple(files)
        self.lens_files = tuple(dict.fromkeys((*self.lens_files, *files)))
        if "aug" in self.__dict__:
            self.aug.add(files)

    @cached_property
    def aug(self) -> Augeas:
        return Augeas(self.root, self.lens_files)

    @cached_property
    def defaults(self) -> Defaults:
        return Defaults(self.aug)

    @cached_property
    def store(self) -> Store:
        from ovirt_node.persist.store import Store

        return Store(self.root)

    def nics(self) -> tuple[Nic, ...]:
        """The node's NICs, the one list the engine's rules and the pages both use."""
        if self.machine is not None:
            return self.machine.nics
        from ovirt_node.system.machine.probe import probe_nics

        return probe_nics(self.root)

    @property
    def runtime_effects(self) -> bool:
        return self.root.is_host or self.bus is not None

    def runtime_skip_reason(self) -> str | None:
        if self.runtime_effects:
            return None
        return f"root prefix {self.root}: runtime effects need --bus"

    @cached_property
    def systemd(self) -> Systemd:
        from ovirt_node.system.systemd import Systemd

        return Systemd.connect(self.bus)

    def reload(self) -> None:
        """Forget the handle after a rollback put the old contents back.

        Augeas's own reload skips files whose mtime looks unchanged (one-second
        granularity), so a file restored right after it was saved would keep the
        rolled-back tree; a new handle reads everything from disk.
        """
        aug = self.__dict__.pop("aug", None)
        self.__dict__.pop("defaults", None)
        if aug is not None:
            aug.close()
