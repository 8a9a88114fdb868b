"""The page API: what a setup page (built-in or a plugin's) declares.

A page is a class with a name, a title, a rank (menu order; ties broken by name), the
engine keys it edits, and a declarative layout of items. Fields bind to keys: engine keys
(`ssh.port`) get the engine's validator and current value; page-local keys (e.g. a
password confirmation) carry their own validator and are handed to `Page.save()`.

The UI framework (`ovirt_node.ui.form`, `ovirt_node.ui.app`) renders the layout, validates
as the operator types, disables Save while anything is invalid, and on Save passes only the
values that changed to `Page.save()`, whose default runs them through the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeVar

from ovirt_node.core.record import Record, field

if TYPE_CHECKING:
    from ovirt_node.core.context import Context
    from ovirt_node.core.engine import Engine
    from ovirt_node.core.model import Section
    from ovirt_node.core.root import Root
    from ovirt_node.core.run import Runner
    from ovirt_node.core.transaction import Confirmation, Transaction
    from ovirt_node.core.valid import Validator
    from ovirt_node.system.machine.model import Machine

Values = Mapping[str, str]
S = TypeVar("S", bound="Section")
#: Whether an item is enabled, given the form's current values (typed or not yet saved).
EnabledWhen = Callable[[Values], bool]


class PageContext(Record):
    """What a page can read: the engine (values, plans), the machine, the root."""

    engine: Engine
    machine: Machine
    root: Root
    demo: bool = False

    @property
    def runner(self) -> Runner:
        """What runs the node's tools (the engine's: dry runs and tests record the calls)."""
        return self.engine.ctx.runner

    @property
    def node(self) -> Context:
        """The node as the areas read it (root, runner, Augeas, /etc/default/ovirt): what an
        area's helpers take (the keymaps or tuned profiles a node has, say)."""
        return self.engine.ctx

    def node_setting(self, name: str) -> str:
        """A raw key of /etc/default/ovirt that no engine key owns (MANAGED_BY), "" when unset."""
        return self.engine.ctx.defaults.get(name) or ""

    def section(self, kind: type[S]) -> S:
        """The engine's section of this class (a plugin's page asks for its own)."""
        for section in self.engine.sections.values():
            if isinstance(section, kind):
                return section
        raise LookupError(f"the engine has no {kind.__name__} section")


class PageUI(Protocol):
    """What a page's button handlers may ask of the UI. Every call returns at once; slow
    work goes through `run_in_worker`, whose callback runs back on the main loop."""

    def info(self, title: str, text: str) -> None: ...
    def confirm(self, title: str, text: str, on_yes: Callable[[], None]) -> None: ...
    def show_text(self, title: str, text: str, *, at_end: bool = False) -> None:
        """A scrolling viewer; `at_end` opens it at the last line (logs: the newest)."""
        ...
    def run_in_worker(self, work: Callable[[], object], done: Callable[[object], None]) -> None: ...
    def run_transaction(self, tx: Transaction, on_done: Callable[[bool], None] | None = None,
                        confirm: Confirmation | None = None) -> None: ...
    def reload(self) -> None: ...
    def lock(self) -> None: ...
    def quit(self) -> None: ...


class FormUI(PageUI, Protocol):
    """What a `Button`'s handler actually gets: the PageUI plus the page's form, so a button
    can act on what is typed (fetch from the address in a field, say) and fill a field in
    (a value the operator accepted in a dialog). Handlers that need it `cast` their argument."""

    def values(self) -> Values:
        """The page's current values (what is typed, for enabled fields)."""
        ...

    def set_value(self, key: str, value: str) -> None:
        """Put `value` in the field of `key`, as if typed (validated, shown, saved by Save)."""
        ...


#: A line of output for a streamed dialog; returns False once the operator closed it (stop).
Emit = Callable[[str], bool]


class FormSpec(Record):
    """A dialog holding a form: its own items and keys (page-local, with `values` to start
    from), validated as typed like a page (`check` adds rules across its fields). OK is
    enabled while the form is valid; `on_ok` gets the values and returns messages by key to
    keep the dialog open with them shown (empty: accepted, the dialog closes)."""

    title: str
    items: Sequence[Item]
    values: Mapping[str, str]
    on_ok: Callable[[Values], Mapping[str, str]]
    check: Callable[[Values], Mapping[str, str]] | None = None
    ok_label: str = "OK"


class DialogUI(PageUI, Protocol):
    """Dialogs beyond the PageUI's (the application and FakeUI have them; handlers `cast`)."""

    def open_form(self, spec: FormSpec) -> None:
        """Open a dialog with a form (see FormSpec); its buttons get a FormUI of that form."""
        ...

    def stream(self, title: str, work: Callable[[Emit], object]) -> None:
        """Run `work` in a worker; each line it emits shows at once in a dialog, then its
        outcome (what it returns, or the exception it raised)."""
        ...

    def countdown(self, title: str, text: str, seconds: int, on_answer: Callable[[bool], None],
                  yes: str = "OK", no: str = "Cancel", work: Callable[[Emit], object] | None = None
                  ) -> Callable[[], None]:
        """A question with a live countdown: `on_answer(True)` for `yes`, `on_answer(False)`
        for `no` or when the time runs out (Esc does not close it). `{left}` in `text` shows
        the seconds left (else a line says them). `work` runs in a worker meanwhile, each line it
        emits shown under the question as it comes. Returns a function that closes it
        unanswered (on the main loop)."""
        ...


class Item(Record):
    """Anything in a layout. `enabled_when` greys it out (keeping typed values) when false."""

    enabled_when: EnabledWhen | None = field(default=None, kw_only=True)


class Field(Item):
    """An input bound to a key; `validator` overrides (or, for page-local keys, provides)
    the rule. Empty `label` is allowed for fields explained by a neighbouring Label."""

    key: str
    label: str
    validator: Validator | None = field(default=None, kw_only=True)
    help: str = field(default="", kw_only=True)


class Entry(Field):
    """One line of text."""


class Password(Field):
    """A masked entry; with `confirm`, a second entry must match. `strength_hint` shows
    the system's password-quality verdict as a notice (never blocks Save by itself)."""

    confirm: bool = field(default=True, kw_only=True)
    strength_hint: bool = field(default=True, kw_only=True)


class Choice(Field):
    """Radio buttons: (value, label) pairs."""

    options: Sequence[tuple[str, str]] = field(default=(), kw_only=True)


class Checkbox(Field):
    """A yes/no key; the value is "yes" or "no"."""


class Row(Record):
    """A table row: `value` is what selecting it stores; a disabled row shows `reason`."""

    value: str
    cells: Sequence[str]
    enabled: bool = True
    reason: str = ""


class Table(Field):
    """Rows with columns. Single select stores the row value; `multi` stores a
    comma-separated list of row values. `rows` is called in a worker (it may be slow).
    `search` adds a "Search:" entry above the rows: typing filters them (for long lists)."""

    columns: Sequence[str] = field(default=(), kw_only=True)
    rows: Callable[[PageContext], Sequence[Row]] = field(default=lambda ctx: (), kw_only=True)
    multi: bool = field(default=False, kw_only=True)
    height: int = field(default=5, kw_only=True)
    search: bool = field(default=False, kw_only=True)
    #: Enter on a row calls this with the UI (a FormUI) and the row's value instead of
    #: picking it: a list of things that each open a dialog (the Network page's NICs).
    on_activate: Callable[[PageUI, str], None] | None = field(default=None, kw_only=True)
    #: False: the rows start at the left edge, not under the fields (wide tables at 80x24).
    indent: bool = field(default=True, kw_only=True)


class Display(Field):
    """A value the operator does not type: buttons and dialogs set it (`FormUI.set_value`).
    It is shown through `render`, validated and saved like any field."""

    render: Callable[[str], str] = field(default=str, kw_only=True)


class Button(Item):
    """A push button; `on_press` gets the UI to open dialogs, run workers or transactions
    (a `FormUI`: it also reads and fills the page's fields)."""

    label: str
    on_press: Callable[[PageUI], None]


class Label(Item):
    """Static text."""

    text: str


class Notice(Item):
    """A hint computed from the form's current values, shown while it is not empty; it never
    blocks Save (a warning, not an error: rules that must hold belong in validators/check)."""

    text: Callable[[Values], str]


def key_warning(ctx: PageContext, name: str) -> Callable[[Values], str]:
    """A Notice's text: the engine key's own warning for the typed value (the one
    `ovirt-node-config` prints), so a valid but unusual value is explained in one place."""
    key = ctx.engine.keys[name]

    def text(values: Values) -> str:
        said = key.warning(values.get(name, "")) if key.warning is not None else ""
        return f"Warning: {said}" if said else ""

    return text


class KeyValue(Item):
    """`label: value`, the value computed from the page context (in a worker)."""

    label: str
    value: Callable[[PageContext], str]


class Divider(Item):
    """A blank line, or a line of `char`."""

    char: str = " "


class Page:
    """Base class of every setup page. Subclass, set the class attributes, implement
    `layout()`; override `check()` for rules across fields and `save()` for changes that
    are not plain engine keys."""

    name: ClassVar[str]
    title: ClassVar[str]
    rank: ClassVar[int] = 50
    #: Pages that only show things have no Save/Reset buttons.
    editable: ClassVar[bool] = True
    #: What the page does, for its F1 help (see `help()`); "" builds one from the fields.
    help_text: ClassVar[str] = ""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        #: The UI showing the page (set by the view), for `save()`s that ask the operator later.
        self.ui: PageUI | None = None

    def layout(self) -> Sequence[Item]:
        raise NotImplementedError

    def check(self, values: Values) -> dict[str, str]:
        """Messages by key for rules that span fields (shown next to the field)."""
        return {}

    def local_values(self) -> Values:
        """Values of the page's own (non-engine) keys when it is read; "" for the others."""
        return {}

    def save(self, changes: Values) -> Transaction:
        """The transaction for the changed values; by default the engine's plan."""
        return self.ctx.engine.plan({k: v for k, v in changes.items() if k in self.ctx.engine.keys},
                                    title=f"Save {self.title}")

    def help(self) -> str:
        """What F1 shows about the page, above its keys: `help_text` by default. Empty: the
        framework lists the title and each field's label and help instead."""
        return self.help_text

    def confirmation(self) -> Confirmation | None:
        """What the run of a Save asks the operator once its change is live (the Network page:
        keep the new connections?); by default nothing."""
        return None


class PageRef:
    """A page the menu lists before its module is imported: its name, title and rank, and
    where its class is (`module:Class`). Registered like a Page class (an entry point may
    name one, `pages()` may return some); the class is imported when the page is first
    shown, and must declare the same name, title and rank. The built-in pages are listed so
    (ovirt_node/pages/__init__.py): importing the eleven modules the first screen does not
    show cost the setup TUI's start about as much as drawing that screen."""

    __slots__ = ("name", "title", "rank", "target")

    def __init__(self, name: str, title: str, rank: int, target: str) -> None:
        self.name = name
        self.title = title
        self.rank = rank
        self.target = target

    def __repr__(self) -> str:
        return f"PageRef({self.name!r}, {self.title!r}, {self.rank}, {self.target!r})"

    def load(self) -> type[Page]:
        """The page's class; ImportError, AttributeError, TypeError or ValueError say why not."""
        from ovirt_node.core.entrypoints import load_value  # as an entry point's value is loaded

        found = load_value(self.target)
        if not (isinstance(found, type) and issubclass(found, Page)):
            raise TypeError(f"{self.target} is not a Page subclass")
        declared = (found.name, found.title, found.rank)
        if declared != (self.name, self.title, self.rank):
            raise ValueError(f"{self.target} declares name, title, rank {declared}, "
                             f"not {(self.name, self.title, self.rank)} as the menu lists it")
        return found


#: A page as the menu has it: its class, or a reference to it not imported yet.
MenuPage = type[Page] | PageRef


def load_page(page: MenuPage) -> type[Page]:
    """The class of a menu page (imported now when it is a PageRef)."""
    return page.load() if isinstance(page, PageRef) else page


def sort_pages(pages: Sequence[MenuPage]) -> list[MenuPage]:
    """Menu order: rank, then title (3.x's order was undefined on equal ranks)."""
    return sorted(pages, key=lambda p: (p.rank, p.title.lower(), p.name))


def read_hostname(ctx: PageContext) -> str:
    """The node's name as the header shows it: /etc/hostname under the root, else the machine's."""
    try:
        name = ctx.root("/etc/hostname").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        name = ""
    return name.splitlines()[0].strip() if name else ctx.machine.name
