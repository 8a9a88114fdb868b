#!/usr/bin/python
# GPL-2.0-or-later
"""The documentation of ovirt.node.config; the action plugin of the same name does the work."""

from __future__ import annotations

DOCUMENTATION = r"""
module: config
short_description: Apply oVirt Node settings with ovirt-node-config
description:
  - Sends the settings to C(ovirt-node-config apply --json -) on the node, in one transaction
    (validated first - a bad key or value fails the task with the tool's message and changes nothing).
  - Runs on the control host and sends one command through the connection, so the node needs no
    Python. Over SSH as C(admin) the node's admin login shell runs it through C(sudo -n).
  - Idempotent - a second run with the same settings reports no change.
version_added: 4.0.0
options:
  settings:
    description: 'Keys and values, e.g. C(network.ntp=ntp1.example.com,ntp2.example.com) as a mapping.'
    type: dict
  answers:
    description: A whole answers structure (as C(ovirt-node-config apply) takes, nested or flat).
    type: dict
  wait:
    description: Seconds to wait for another change in progress on the node to finish (0 fails at once).
    type: float
    default: 0
  root:
    description: Act on the node tree under this directory on the target (a node root on the control host).
    type: path
  binary:
    description: The ovirt-node-config program (default - found on PATH).
    type: str
  sudo:
    description:
      - Prefix C(sudo -n). Default - only with C(connection=local) as a user other than root and
        without become (over SSH the admin login shell adds sudo itself).
    type: bool
attributes:
  check_mode:
    support: full
    description: The plan only (C(--check)); C(changed) says whether the settings would change anything.
  diff_mode:
    support: full
    description: The unified diff of every file the change writes (or would write).
notes:
  - At least one of O(settings) or O(answers), not both.
"""

EXAMPLES = r"""
- name: NTP and remote syslog
  ovirt.node.config:
    settings:
      network.ntp: ntp1.example.com,ntp2.example.com
      logging.rsyslog.server: logs.example.com
      logging.rsyslog.port: 514

- name: The same as an answers structure, on a node root on the control host
  ovirt.node.config:
    root: /srv/node-root
    answers:
      logging:
        rsyslog:
          server: logs.example.com
"""

RETURN = r"""
changed:
  description: Whether the settings changed (would change, in check mode) anything on the node.
  type: bool
  returned: always
steps:
  description: The transaction's steps, each with title, state and detail.
  type: list
  returned: when the tool ran
warnings:
  description: Warnings of the tool (e.g. a service that could not be restarted).
  type: list
  returned: when the tool ran
"""

if __name__ == "__main__":
    raise SystemExit("ovirt.node.config runs as an action plugin on the control host")
