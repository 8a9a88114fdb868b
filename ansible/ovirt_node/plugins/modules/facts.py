#!/usr/bin/python
# GPL-2.0-or-later
"""The documentation of ovirt.node.facts; the action plugin of the same name does the work."""

from __future__ import annotations

DOCUMENTATION = r"""
module: facts
short_description: The oVirt Node's settings as facts
description:
  - Reads C(ovirt-node-config show --json) on the node and sets C(ansible_facts.ovirt_node)
    (key to value, e.g. C(ansible_facts.ovirt_node['network.ntp'])) and
    C(ansible_facts.ovirt_node_sources) (key to where the value comes from - system, defaults, built-in).
version_added: 4.0.0
options:
  prefix:
    description: Only the keys starting with this (e.g. C(logging)).
    type: str
    default: ""
  root:
    description: Read the node tree under this directory on the target.
    type: path
  binary:
    description: The ovirt-node-config program (default - found on PATH).
    type: str
  sudo:
    description: 'Prefix C(sudo -n) (default - only with C(connection=local) as a user other than root).'
    type: bool
attributes:
  check_mode:
    support: full
    description: Reads only.
"""

EXAMPLES = r"""
- ovirt.node.facts:
- ansible.builtin.debug:
    msg: "{{ ansible_facts.ovirt_node['network.ntp'] }}"
"""

RETURN = r"""
ansible_facts:
  description: ovirt_node (key to value) and ovirt_node_sources (key to source).
  type: dict
  returned: success
"""

if __name__ == "__main__":
    raise SystemExit("ovirt.node.facts runs as an action plugin on the control host")
