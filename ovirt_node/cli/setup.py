"""`ovirt-node-setup`: the setup TUI (being built; see README "Status")."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    print(
        "ovirt-node-setup: the setup TUI is not part of this release yet; "
        "use `ovirt-node-config show|set` meanwhile.",
        file=sys.stderr,
    )
    return 1
