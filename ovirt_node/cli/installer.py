"""`ovirt-node-installer`: the installer TUI (being built; see README "Status")."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    print("ovirt-node-installer: the installer is not part of this release yet.", file=sys.stderr)
    return 1
