"""Reading what an installed node keeps in its Config volume (the persisted files), from the
boot media: the installer's upgrade screen checks the current admin password against the
node's persisted /etc/shadow.

The volume is mounted read-only for the time of the read and unmounted again; nothing on
the node is written.
"""

from __future__ import annotations

import logging

from ovirt_node.config.persist import check_path
from ovirt_node.installer.flows import Session
from ovirt_node.system.run import CommandError

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
