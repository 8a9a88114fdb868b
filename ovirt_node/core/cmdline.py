"""The kernel command line: tokenised the way the kernel does it, with the 3.x aliases folded.

The splitting follows the kernel's own rules (lib/cmdline.c ``next_arg``):

* whitespace separates arguments, except inside double quotes;
* a quote may open the value (``foo="a b"``) or the whole argument (``"foo=a b"``); the opening
  quote and a quote that ends the argument are dropped, quotes elsewhere stay in the value;
* ``key`` is a flag (value ``None``), ``key=`` has the empty value, ``key=a=b`` has the value ``a=b``;
* a bare ``--`` ends the kernel's arguments; whatever follows belongs to init (``init_args``).

Names of the oVirt Node 3.x spellings (``ovirt_init``, ``reinstall`` …) are folded to their canonical
name; the original spelling stays in ``Arg.alias`` and ``Arg.raw``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ovirt_node.core.namedtuple import NamedTuple
from ovirt_node.core.root import Root

#: Where the running kernel exposes its command line.
PROC_CMDLINE = "/proc/cmdline"

#: What replaces a secret value in logs and in the persisted copy.
MASK = "********"

#: Old (3.x) spelling → canonical name.
ALIASES: dict[str, str] = {
    "ovirt_init": "storage_init",
    "ovirt_vol": "storage_vol",
    "ovirt_overcommit": "mem_overcommit",
    "ovirt_upgrade": "upgrade",
    "local_boot": "upgrade",
    "ovirt_firstboot": "firstboot",
    "reinstall": "firstboot",
    "ovirt_stateless": "stateless",
    "ovirt_standalone": "standalone",
    "bond_setup": "bond",
}

#: Arguments whose values never reach a log or a file in clear text.
SECRET_ARGS = frozenset(
    {"adminpw", "rootpw", "snmp_password", "cim_passwd", "rhn_password", "rhn_proxypassword"}
)

#: The one rule for every mode and yes/no argument (3.x's is_firstboot & co. read 0/no as off).
TRUE_WORDS = ("1", "y", "yes", "true", "on")
FALSE_WORDS = ("0", "n", "no", "false", "off")

#: The mode and yes/no arguments the installer and the boot code read (canonical names); the
#: config sections mark theirs with `model.switch_arg`. `switch()` refuses any other name, so a
#: new one has to be listed here (and then in the table test).
SWITCHES = frozenset({"install", "upgrade", "updateonly", "firstboot", "uninstall", "force", "wipe_fakeraid",
                      "stateless"})

# The kernel's isspace() on the command line: the C locale's whitespace set.
_SPACE = frozenset(" \t\n\r\v\f")


def canonical(name: str) -> str:
    """The canonical name of an argument (itself when it is not a 3.x alias)."""
    return ALIASES.get(name, name)


class Arg(NamedTuple):
    """One argument: its (canonical) name, its value (None for a bare flag) and the text it came from."""

    name: str
    value: str | None
    raw: str
    #: The spelling on the command line when it was an alias of `name`, else None.
    alias: str | None = None

    @property
    def is_secret(self) -> bool:
        return self.name in SECRET_ARGS

    @property
    def spelled(self) -> str:
        """The name as it was written on the command line."""
        return self.alias if self.alias is not None else self.name

    def redacted(self) -> str:
        """The argument's text, with the value masked when it is a secret."""
        if self.is_secret and self.value is not None:
            return f"{self.spelled}={MASK}"
        return self.raw

    def __repr__(self) -> str:
        # Never let a secret leak through a repr in a log line or a test failure.
        value = MASK if self.is_secret and self.value is not None else self.value
        raw = self.redacted()
        alias = f", alias={self.alias!r}" if self.alias is not None else ""
        return f"Arg(name={self.name!r}, value={value!r}, raw={raw!r}{alias})"


class KernelArgs:
    """The kernel's arguments in command-line order, plus those handed on to init after ``--``.
    Immutable, equal by value. A plain class (Arg a named tuple), not a dataclass: the setup
    TUI imports this before its first screen, and each dataclass costs it compiles."""

    __slots__ = ("args", "init_args")
    args: tuple[Arg, ...]
    #: The arguments after ``--`` (aliases are not folded there: they are not ours).
    init_args: tuple[Arg, ...]

    def __init__(self, args: tuple[Arg, ...] = (), init_args: tuple[Arg, ...] = ()) -> None:
        object.__setattr__(self, "args", args)
        object.__setattr__(self, "init_args", init_args)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"KernelArgs is immutable: cannot set {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not KernelArgs:
            return NotImplemented
        return (self.args, self.init_args) == (other.args, other.init_args)

    def __hash__(self) -> int:
        return hash((self.args, self.init_args))

    def __iter__(self) -> Iterator[Arg]:
        return iter(self.args)

    def __len__(self) -> int:
        return len(self.args)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.has(name)

    def has(self, name: str) -> bool:
        """True if the argument (or one of its aliases) is present in any form."""
        key = canonical(name)
        return any(arg.name == key for arg in self.args)

    def find(self, name: str) -> Arg | None:
        """The last occurrence of the argument, the one that wins."""
        key = canonical(name)
        for arg in reversed(self.args):
            if arg.name == key:
                return arg
        return None

    def get(self, name: str, default: str | None = None) -> str | None:
        """The value of the last occurrence; `default` when absent.

        A bare flag gives None, so use `has()` or `flag()` to tell a flag from an absent argument.
        """
        arg = self.find(name)
        return default if arg is None else arg.value

    def get_all(self, name: str) -> list[str | None]:
        """Every value given for the argument, in command-line order."""
        key = canonical(name)
        return [arg.value for arg in self.args if arg.name == key]

    def names(self) -> list[str]:
        """The canonical names present, each once, in order of first appearance."""
        return list(dict.fromkeys(arg.name for arg in self.args))

    def redacted(self) -> str:
        """The command line with every secret value masked (for logs and the on-disk copy)."""
        words = [arg.redacted() for arg in self.args]
        if self.init_args:
            words.append("--")
            words.extend(arg.redacted() for arg in self.init_args)
        return " ".join(words)

    def __str__(self) -> str:
        return self.redacted()

    def __repr__(self) -> str:
        return f"KernelArgs({self.redacted()!r})"


def _split(text: str) -> Iterator[tuple[str, str, str | None]]:
    """Yield (raw token, name, value) for each argument, kernel style."""
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos] in _SPACE:
            pos += 1
        if pos >= end:
            return
        start = pos
        quoted = text[pos] == '"'
        if quoted:
            pos += 1
        body_start = pos
        in_quote = quoted
        equals = -1
        while pos < end:
            char = text[pos]
            if char in _SPACE and not in_quote:
                break
            if equals < 0 and char == "=":
                equals = pos
            if char == '"':
                in_quote = not in_quote
            pos += 1
        raw = text[start:pos]
        body_end = pos
        # A quote that ends the argument closes either the whole-argument quote or a value quote.
        trailing_quote = body_end > body_start and text[body_end - 1] == '"'
        if equals < 0:
            if quoted and trailing_quote:
                body_end -= 1
            yield raw, text[body_start:body_end], None
            continue
        name = text[body_start:equals]
        value_start = equals + 1
        value_quoted = value_start < body_end and text[value_start] == '"'
        if value_quoted:
            value_start += 1
        if (value_quoted or quoted) and trailing_quote and body_end - 1 >= value_start:
            body_end -= 1
        yield raw, name, text[value_start:body_end]


def parse(text: str) -> KernelArgs:
    """Parse a kernel command line (the contents of /proc/cmdline, newline and all)."""
    args: list[Arg] = []
    init_args: list[Arg] = []
    after_dashes = False
    for raw, name, value in _split(text):
        if after_dashes:
            init_args.append(Arg(name, value, raw))
            continue
        if name == "--" and value is None:
            after_dashes = True
            continue
        key = canonical(name)
        args.append(Arg(key, value, raw, alias=name if key != name else None))
    return KernelArgs(tuple(args), tuple(init_args))


class BadSwitch(ValueError):
    """A mode or yes/no argument with a value that is neither on nor off; `str()` is
    "<argument>: <reason>", `reason` the part a message that already names it shows."""

    def __init__(self, argument: str, reason: str) -> None:
        self.argument = argument
        self.reason = reason
        super().__init__(f"{argument}: {reason}")


def truth(name: str, value: str | None) -> bool:
    """The one rule for a mode or yes/no argument called `name` (as written): bare or
    1/y/yes/true/on (any case) -> True; 0/n/no/false/off -> False; anything else (the empty
    value too) -> BadSwitch naming the argument and the accepted spellings."""
    if value is None:
        return True
    # ASCII only, so that Unicode case mapping can never turn a look-alike into a word.
    word = value.lower() if value.isascii() else value
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadSwitch(f"{name}={value}", f"not understood; write {name} or {name}={'/'.join(TRUE_WORDS)} to turn it "
                    f"on, {name}={'/'.join(FALSE_WORDS)} to turn it off")


def switch(args: KernelArgs, name: str) -> bool | None:
    """`truth()` of the last occurrence of the mode or yes/no argument `name` (or an alias);
    None when absent. BadSwitch when its value is neither on nor off."""
    key = canonical(name)
    if key not in SWITCHES:
        raise KeyError(f"{name} is not a mode or yes/no argument (add it to cmdline.SWITCHES)")
    arg = args.find(key)
    return None if arg is None else truth(arg.spelled, arg.value)


def read(root: Root) -> KernelArgs:
    """Parse ``/proc/cmdline`` under `root` (OSError when it is missing, as in a bare tree)."""
    data = root(PROC_CMDLINE).read_bytes()
    return parse(data.decode("utf-8", errors="replace"))


def join(words: Iterable[str]) -> str:
    """Build a command line from ``name`` / ``name=value`` words, quoting values that hold whitespace.

    The kernel has no escape for a double quote, so a word that holds one does not round-trip.
    """
    out: list[str] = []
    for word in words:
        if any(char in _SPACE for char in word):
            name, sep, value = word.partition("=")
            out.append(f'{name}="{value}"' if sep else f'"{word}"')
        else:
            out.append(word)
    return " ".join(out)
