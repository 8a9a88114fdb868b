"""What an installed node keeps in its Config volume (the persisted files), from the boot
media: the installer's upgrade screen checks the current admin password against the node's
persisted /etc/shadow (the volume mounted read-only for the time of the read), and an
upgrade that sets a new admin password first puts the persisted files in place in the work
tree, so the password tools change the node's own shadow, not the image's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ovirt_node.core.context import Context
from ovirt_node.core.root import Root
from ovirt_node.core.run import CommandError
from ovirt_node.core.transaction import Step, StepRun
from ovirt_node.installer.session import Session
from ovirt_node.installer.steps.storage import Target
from ovirt_node.persist.paths import check_path
from ovirt_node.persist.store import Store

log = logging.getLogger(__name__)

CONFIG_VOLUME = "Config"


def persisted_file(session: Session, path: str) -> bytes | None:
    """The node's persisted copy of `path` (an absolute path such as /etc/shadow), or None
    when the node does not persist it or its Config volume cannot be read."""
    relative = check_path(path).lstrip("/")
    s = session
    mounted = s.target.workdir / "inspect-config"
    try:
        s.devices.activate(s.ctx)
        s.devices.mount(s.ctx, s.devices.volume(CONFIG_VOLUME), mounted, "ro")
        return (mounted / relative).read_bytes()
    except (OSError, CommandError, RuntimeError) as exc:
        log.info("the installed node's persisted %s cannot be read: %s", path, exc)
        return None
    finally:
        s.devices.unmount_all(s.ctx, mounted)


@dataclass(frozen=True)
class RestorePersisted(Step):
    """The node's persisted files bound into the work tree (the node's boot does the same),
    over the image's /etc: settings applied next change what the node really has."""

    target: Target
    title: str = "Put the node's persisted files in place"

    def apply(self, ctx: Context, run: StepRun) -> None:
        if ctx.runner.dry_run:
            return
        restored = Store(Root.at(self.target.node)).restore()
        run.report(f"{len(restored)} persisted paths")
