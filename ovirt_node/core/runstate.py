"""Where a change in progress keeps its state (under /run: gone at reboot): the transaction
lock and the intent journal. Apart from the transactions and the journal, so that a read can
see that there is nothing to finish without importing either."""

from __future__ import annotations

#: The flock every change holds (core.transaction).
LOCK_PATH = "/run/ovirt-node/transaction.lock"
#: A running change's journal of intent (core.journal): present only while one runs, or after
#: one was killed.
JOURNAL_DIR = "/run/ovirt-node/transaction"
#: Temporary files of ours are `.ovirt-node-tmp.<name>.*` beside their target (core.journal
#: removes a dead run's).
TEMP_PREFIX = ".ovirt-node-tmp."
