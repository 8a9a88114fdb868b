#!/usr/bin/python
# GPL-2.0-or-later
"""The documentation of ovirt.node.persist; the action plugin of the same name does the work."""

from __future__ import annotations

DOCUMENTATION = r"""
module: persist
short_description: Keep files across reboots of an oVirt Node (persist / unpersist)
description:
  - Runs the node's C(persist) or C(unpersist) for the paths that need it (C(persist --list) says which
    are persisted already, also inside a persisted directory), so a second run reports no change.
  - The node's own rules apply - a relative, missing or not persistable path fails with its message.
version_added: 4.0.0
options:
  paths:
    description: Absolute paths on the node.
    type: list
    elements: str
    required: true
  state:
    description: C(present) persists, C(absent) unpersists (the file keeps its current content).
    type: str
    choices: [present, absent]
    default: present
  root:
    description: The node tree under this directory on the target.
    type: path
  binary:
    description: The persist program (unpersist is taken from the same directory; default - found on PATH).
    type: str
  sudo:
    description: 'Prefix C(sudo -n) (default - only with C(connection=local) as a user other than root).'
    type: bool
attributes:
  check_mode:
    support: full
    description: Says which paths would change.
"""

EXAMPLES = r"""
- ovirt.node.persist:
    paths:
      - /etc/hosts
"""

RETURN = r"""
paths:
  description: The paths that were (in check mode - would be) persisted or unpersisted.
  type: list
  returned: always
"""

if __name__ == "__main__":
    raise SystemExit("ovirt.node.persist runs as an action plugin on the control host")
