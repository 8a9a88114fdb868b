"""The engine: one path from a change (TUI page, CLI, kernel arguments) to the node.

changes -> validate all (nothing applied if anything is wrong) -> plan a Transaction
(defaults file, the real files through Augeas, persistence, then unit restarts) -> run it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from ovirt_node.core.context import Context
from ovirt_node.core.namedtuple import NamedTuple

if TYPE_CHECKING:  # a read does not import the transactions
    # nor is the model imported until the first read (the setup TUI's first screen has none)
    from ovirt_node.core.model import Key, Section, Source
    from ovirt_node.core.transaction import ProgressCallback, Step, Transaction


class Setting(NamedTuple):
    """A key's effective value and where it came from."""

    key: Key
    value: str
    source: Source
    defaults_value: str | None  # what /etc/default/ovirt says, to show drift


class InvalidChanges(ValueError):
    """One or more changes were rejected; `errors` maps each key to its reason."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class Engine:
    def __init__(self, ctx: Context, sections: Iterable[Section] | Callable[[], Iterable[Section]],
                 one: Callable[[str], Section | None] | None = None) -> None:
        """`sections` may be a callable, called when a section or key is first needed: the setup
        TUI draws its first screen before the sections' modules are imported. `one` builds a
        section by name (None when it cannot): a read of named sections then imports those
        alone (the Status page needs two of ten); the full set, when built, keeps them."""
        self.ctx = ctx
        self._make = sections if callable(sections) else lambda: sections
        self._one = one
        self._lock = threading.Lock()
        self._sections: dict[str, Section] | None = None
        self._early: dict[str, Section] = {}
        self._keys: dict[str, Key] = {}
        if not callable(sections):
            self._load()  # a list or generator given is taken as it is now

    def _load(self) -> dict[str, Section]:
        with self._lock:  # page workers may be the first to ask
            if self._sections is None:
                sections = {s.name: self._early.get(s.name, s) for s in self._make()}
                self._keys = {k.name: k for s in sections.values() for k in s.keys}
                self._sections = sections
            return self._sections

    def section(self, name: str) -> Section:
        """The section `name`, built alone when the full set is not built yet (KeyError when
        no section has that name)."""
        if self._sections is None and self._one is not None:
            with self._lock:
                if name not in self._early and self._sections is None:
                    found = self._one(name)
                    if found is not None:
                        self._early[name] = found
                if name in self._early:
                    return self._early[name]
        return self.sections[name]

    @property
    def sections(self) -> dict[str, Section]:
        return self._sections if self._sections is not None else self._load()

    @property
    def keys(self) -> dict[str, Key]:
        if self._sections is None:
            self._load()
        return self._keys

    def unknown_key(self, name: str) -> str:
        """The message for a key nobody declares, with the known names it is close to."""
        import difflib  # only for a wrong key

        near = difflib.get_close_matches(name, self.keys, n=3, cutoff=0.7)
        hint = f"did you mean {' or '.join(near)}? " if near else ""
        return f"unknown key ({hint}`ovirt-node-config show` lists the keys)"

    # -- reading --------------------------------------------------------------------------

    def read(self, sections: Iterable[str] | None = None) -> dict[str, Setting]:
        from ovirt_node.core.model import Source

        settings: dict[str, Setting] = {}
        wanted = list(sections or self.sections)
        # Lenses load with the first read of their section, all at once: every Augeas load
        # re-reads the files already loaded, so one per section would cost one per section.
        self.ctx.need(lf for name in wanted for lf in self.section(name).lens_files)
        stored = self.ctx.defaults.items()
        for name in wanted:
            section = self.section(name)
            system = section.read(self.ctx)
            for key in section.keys:
                names = (key.ovirt, *key.legacy) if key.ovirt else ()
                in_defaults = next((stored[n] for n in names if n in stored), None)
                if system.get(key.name) is not None:
                    value, source = system[key.name] or "", Source.SYSTEM
                elif in_defaults is not None:
                    value, source = in_defaults, Source.DEFAULTS
                else:
                    value, source = key.default, Source.BUILTIN
                settings[key.name] = Setting(key, value, source, in_defaults)
        return settings

    def values(self, sections: Iterable[str] | None = None) -> dict[str, str]:
        return {name: s.value for name, s in self.read(sections).items()}

    # -- changing -------------------------------------------------------------------------

    def validate(self, changes: Mapping[str, str]) -> dict[str, str]:
        """Check every change; return them in canonical form or raise InvalidChanges."""
        return self._checked(changes)[0]

    def _checked(self, changes: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str], set[str]]:
        """validate(), plus the current values of the touched sections it had to read, and
        which of those keys only the defaults file holds (their real files say nothing)."""
        from ovirt_node.core.valid import SafeValue  # not before the first screen

        safe = SafeValue()
        errors: dict[str, str] = {}
        clean: dict[str, str] = {}
        for name, value in changes.items():
            key = self.keys.get(name)
            if key is None:
                errors[name] = self.unknown_key(name)
                continue
            problem = safe.check(value) or key.validator.check(value)
            if problem:
                errors[name] = problem
            else:
                clean[name] = key.canonical(value)
        if errors:
            raise InvalidChanges(errors)
        touched = {self.keys[n].section for n in clean}
        settings = self.read(touched)
        current = {name: s.value for name, s in settings.items()}
        desired = {**current, **clean}
        for name in touched:
            errors.update(self.sections[name].check_change(self.ctx, current, desired))
        if errors:
            raise InvalidChanges(errors)
        from ovirt_node.core.model import Source

        unwritten = {name for name, s in settings.items() if s.source is Source.DEFAULTS}
        return clean, current, unwritten

    def cross_check(self, values: Mapping[str, str], current: Mapping[str, str]) -> dict[str, str]:
        """The sections' rules across keys for `values` (some keys' desired values) on top of
        `current` (those sections' values now): what a form shows before Save is pressed."""
        touched = {self.keys[n].section for n in values if n in self.keys}
        desired = {**current, **{k: v for k, v in values.items() if k in self.keys}}
        errors: dict[str, str] = {}
        for name in touched:
            errors.update(self.sections[name].check_change(self.ctx, current, desired))
        return errors

    def plan(self, changes: Mapping[str, str], title: str = "Apply configuration") -> Transaction:
        """Validate, then build the transaction; empty when nothing would change."""
        from ovirt_node.core.model import changed_fields
        from ovirt_node.core.steps import PersistPath, RestartUnit, WriteDefaults  # not at start-up
        from ovirt_node.core.transaction import Transaction

        clean, current, unwritten = self._checked(changes)
        by_section: dict[str, dict[str, str]] = {}
        for name, value in clean.items():
            by_section.setdefault(self.keys[name].section, {})[name] = value

        file_steps: list[Step] = []
        restarts: list[Step] = []
        restarted: set[str] = set()
        defaults: dict[str, str | None] = {}
        secrets: set[str] = set()
        stored = self.ctx.defaults.items()
        for name, section_changes in by_section.items():
            section = self.sections[name]
            desired = {**current, **section_changes}
            # The real files win: a key set to the value only the defaults file holds (set there
            # by hand, or a write that never happened) is planned from the built-in default, so
            # the files get it instead of "nothing to change". A different value plans from the
            # defaults file as usual (a key only it can hold, the engine's address, clears).
            real = {**current, **{k: self.keys[k].default for k, v in section_changes.items()
                                  if k in unwritten and v == current.get(k)}}
            old, new = section.to_settings(real), section.to_settings(desired)
            for key in section.keys:
                if not key.ovirt or key.secret:
                    continue
                wanted = desired[key.name] or None
                if key.name in section_changes and stored.get(key.ovirt) != wanted:
                    defaults[key.ovirt] = wanted
                if key.name in section_changes:
                    defaults.update({old: None for old in key.legacy if old in stored})
            if not changed_fields(old, new):
                continue
            for step in section.plan(self.ctx, old, new):
                if not isinstance(step, RestartUnit):
                    file_steps.append(step)
                elif step.unit not in restarted:  # two sections of one daemon: restart it once
                    restarted.add(step.unit)
                    restarts.append(step)
            secrets.update(k.ovirt for k in section.keys if k.secret and k.ovirt)

        steps: list[Step] = []
        if defaults:
            steps.append(WriteDefaults(defaults, frozenset(secrets)))
        steps.extend(file_steps)
        steps = merge_defaults(steps)
        written = dict.fromkeys(p for s in steps for p in s.touches())
        steps.extend(PersistPath(p) for p in written)
        steps.extend(restarts)
        return Transaction(title, steps)

    def apply(
        self, changes: Mapping[str, str], progress: ProgressCallback | None = None
    ) -> Transaction:
        tx = self.plan(changes)
        tx.run(self.ctx, progress)
        return tx



def merge_defaults(steps: list[Step]) -> list[Step]:
    """One WriteDefaults per plan, where the first was: sections add their own (the network's
    derived 3.x keys), and the file is written, shown and rolled back once. Later values win."""
    from ovirt_node.core.steps import WriteDefaults

    writes = [s for s in steps if isinstance(s, WriteDefaults)]
    if len(writes) < 2:
        return steps
    changes: dict[str, str | None] = {}
    for write in writes:
        changes.update(write.changes)
    merged = WriteDefaults(changes, frozenset().union(*(w.secret_keys for w in writes)))
    first = next(i for i, s in enumerate(steps) if s is writes[0])
    return [merged if i == first else s for i, s in enumerate(steps)
            if i == first or not isinstance(s, WriteDefaults)]
