"""The form behind one page: values, validation, enabled state and the changes Save applies.

It knows nothing of urwid, so the rules (what is valid, what Save would change, what a
disabled field contributes) are tested without a terminal and shared by every front end.

Two dictionaries hold the state: `loaded` (what the system had when the page was read) and
the typed values (what the widgets show). A field whose `enabled_when` is false keeps what
was typed (the stash) but contributes its loaded value to `values`, so it is neither
validated nor part of `changes()`; enabling it again brings the typed value back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from ovirt_node.ui.page import Checkbox, Field, Item, Page, Password

if TYPE_CHECKING:
    from ovirt_node.core.transaction import Transaction
    from ovirt_node.core.valid import Validator

log = logging.getLogger(__name__)

CONFIRM_SUFFIX = ".confirm"
#: Key of a message that belongs to no field (a page's `check()` that raised, for instance).
FORM_KEY = ""
MISMATCH = "must match the password above"


def confirm_key(key: str) -> str:
    """The value key of a password's confirmation entry."""
    return key + CONFIRM_SUFFIX


def fields_of(items: Iterable[Item]) -> list[Field]:
    return [item for item in items if isinstance(item, Field)]


class Form:
    """Values and rules of one page. Every mutation notifies the subscribers, which is how the
    widgets refresh error lines, greyed-out fields and the Save button."""

    def __init__(self, page: Page, items: Sequence[Item] | None = None) -> None:
        self.page = page
        self.engine = page.ctx.engine
        self.items: Sequence[Item] = page.layout() if items is None else items
        self.fields = fields_of(self.items)
        keys = [f.key for f in self.fields]
        duplicate = next((k for k in keys if keys.count(k) > 1), None)
        if duplicate is not None:
            raise ValueError(f"page {page.name!r}: two fields edit {duplicate!r}")
        self.loaded: dict[str, str] = {}
        self._typed: dict[str, str] = {}
        self._values: dict[str, str] = {}
        self._enabled: dict[int, bool] = {}
        #: Messages from the last Save the engine refused (cross-key rules), until the next edit.
        self.save_errors: dict[str, str] = {}
        self._errors: dict[str, str] | None = None
        #: The edited sections' values when the page was read, and the last cross-key check.
        self._current: dict[str, str] = {}
        self._cross: tuple[tuple[tuple[str, str], ...], dict[str, str]] | None = None
        self._subscribers: list[Callable[[], None]] = []
        self.load()

    # -- loading --------------------------------------------------------------------------

    def _read_system(self) -> dict[str, str]:
        engine_keys = [f.key for f in self.fields if f.key in self.engine.keys]
        sections = list(dict.fromkeys(self.engine.keys[k].section for k in engine_keys))
        current = self.engine.values(sections) if sections else {}
        self._current, self._cross = current, None
        loaded: dict[str, str] = {}
        local = self.page.local_values()
        for f in self.fields:
            loaded[f.key] = current.get(f.key, local.get(f.key, ""))
            if isinstance(f, Checkbox) and not loaded[f.key]:
                loaded[f.key] = "no"  # a page-local flag starts unticked, and says so
            if isinstance(f, Password) and f.confirm:
                loaded[confirm_key(f.key)] = loaded[f.key]
        return loaded

    def load(self) -> None:
        """Read the current values; typed values and stashes are dropped."""
        self.loaded = self._read_system()
        self._typed = dict(self.loaded)
        self.save_errors = {}
        self._recompute()

    def reset(self) -> None:
        """Reload from the system (a fresh Augeas handle, so edits made elsewhere show)."""
        self.engine.ctx.reload()
        self.load()
        self._notify()

    # -- observing ------------------------------------------------------------------------

    def subscribe(self, callback: Callable[[], None]) -> None:
        self._subscribers.append(callback)

    def unsubscribe(self, callback: Callable[[], None]) -> None:
        if callback in self._subscribers:
            self._subscribers.remove(callback)

    def _notify(self) -> None:
        for callback in list(self._subscribers):
            callback()

    # -- values ---------------------------------------------------------------------------

    def typed(self, key: str) -> str:
        """What the widget for `key` shows (kept while the field is disabled)."""
        return self._typed.get(key, "")

    def set(self, key: str, value: str) -> None:
        if key not in self._typed:
            raise KeyError(f"no field edits {key!r}")
        if self._typed[key] == value:
            return
        self._typed[key] = value
        self.save_errors = {}
        self._recompute()
        self._notify()

    @property
    def values(self) -> dict[str, str]:
        """Effective values: typed for enabled fields, loaded for disabled ones."""
        return dict(self._values)

    def enabled(self, item: Item) -> bool:
        """Whether `item` is enabled for the current values (True without `enabled_when`)."""
        cached = self._enabled.get(id(item))
        if cached is not None:
            return cached
        return self._evaluate(item, self._values)

    def _evaluate(self, item: Item, values: Mapping[str, str]) -> bool:
        if item.enabled_when is None:
            return True
        try:
            return bool(item.enabled_when(values))
        except Exception:  # a broken rule must not take the page down; leave the item usable
            log.exception("enabled_when of %r failed", item)
            return True

    def _recompute(self) -> None:
        """Settle enabled states and effective values; `enabled_when` may depend on fields
        that are themselves conditional, so iterate until nothing changes."""
        values = dict(self._typed)
        enabled: dict[int, bool] = {}
        for _ in range(len(self.items) + 1):
            enabled = {id(item): self._evaluate(item, values) for item in self.items}
            settled = dict(self._typed)
            for f in self.fields:
                if not enabled[id(f)]:
                    settled[f.key] = self.loaded[f.key]
                    if confirm_key(f.key) in settled:
                        settled[confirm_key(f.key)] = self.loaded[confirm_key(f.key)]
            if settled == values:
                break
            values = settled
        self._values = values
        self._enabled = enabled
        self._errors = None

    # -- validation -----------------------------------------------------------------------

    def validator(self, f: Field) -> Validator | None:
        if f.validator is not None:
            return f.validator
        key = self.engine.keys.get(f.key)
        return key.validator if key is not None else None

    def _field_errors(self, f: Field) -> dict[str, str]:
        value = self._values[f.key]
        if isinstance(f, Password):
            confirm = self._values.get(confirm_key(f.key), value)
            if value == self.loaded[f.key] and confirm == self.loaded.get(confirm_key(f.key), confirm):
                return {}  # untouched: nothing to set, nothing to judge
        from ovirt_node.core.valid import SafeValue  # with the first field checked, not at start-up

        problem = SafeValue().check(value)
        rule = self.validator(f)
        if problem is None and rule is not None:
            problem = rule.check(value)
        errors = {f.key: problem} if problem else {}
        if isinstance(f, Password) and f.confirm and self._values[confirm_key(f.key)] != value:
            errors[confirm_key(f.key)] = MISMATCH
        return errors

    def errors(self) -> dict[str, str]:
        """A message per key that has a problem; an empty dict means the form is valid."""
        if self._errors is None:
            self._errors = self._collect_errors()
        return dict(self._errors)

    def _collect_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        live = {f.key for f in self.fields if self.enabled(f)}
        for f in self.fields:
            if f.key in live:
                errors.update(self._field_errors(f))
        try:
            cross = {**self._section_rules(), **self.page.check(self.values)}
        except Exception as exc:
            log.exception("check() of page %s failed", self.page.name)
            cross = {FORM_KEY: f"the page's own check failed: {type(exc).__name__}: {exc}"}
        for key, message in {**cross, **self.save_errors}.items():
            base = key[: -len(CONFIRM_SUFFIX)] if key.endswith(CONFIRM_SUFFIX) else key
            if message and (base in live or base not in self.loaded) and key not in errors:
                errors[key] = message
        return errors

    def _section_rules(self) -> dict[str, str]:
        """The engine's own rules across keys (a kdump mode needs its location, a keymap must
        be installed) for what is typed, inline before Save; run again only when an engine
        value changed, since a rule may ask the node (list its keymaps, say)."""
        mine = tuple((k, v) for k, v in self.values.items() if k in self.engine.keys)
        if not mine:
            return {}
        if self._cross is None or self._cross[0] != mine:
            self._cross = (mine, self.engine.cross_check(dict(mine), self._current))
        return dict(self._cross[1])

    def error(self, key: str) -> str:
        return self.errors().get(key, "")

    @property
    def valid(self) -> bool:
        return not self.errors()

    # -- saving ---------------------------------------------------------------------------

    def changes(self) -> dict[str, str]:
        """Values of enabled fields that differ from what was loaded (confirmations excluded)."""
        return {
            f.key: self._values[f.key]
            for f in self.fields
            if self.enabled(f) and self._values[f.key] != self.loaded[f.key]
        }

    @property
    def can_save(self) -> bool:
        return bool(self.changes()) and self.valid

    def refuse(self, errors: Mapping[str, str]) -> None:
        """Show these messages next to their fields until the next edit (a rule the page or a
        dialog checks only when asked to go ahead)."""
        self.save_errors = dict(errors)
        self._errors = None
        self._notify()

    def plan(self) -> Transaction:
        """The page's transaction for the changes. InvalidChanges from the engine (rules across
        keys) are kept as `save_errors`, shown next to the fields, and raised again."""
        from ovirt_node.core.engine import InvalidChanges

        try:
            return self.page.save(self.changes())
        except InvalidChanges as exc:
            self.refuse(exc.errors)
            raise
