"""Validators for values a user typed: one rule each, each with a message saying what to enter.

The TUI shows the message next to a field, the CLI prints it after the key name, and the
kernel-args parser uses the same rules, so a value is judged the same way wherever it comes from.

Conventions, shared by every validator here:

* Values are always `str`, exactly as typed. Nothing is trimmed or case-folded on the way in:
  " 192.0.2.1" is not an address, because the space would end up in config files and on
  kernel command lines. A caller that wants to forgive stray blanks strips them first.
* Only ASCII digits and letters count where a number or a name is expected (`re` and `int()`
  would otherwise accept other scripts' digits, e.g. "١٩٢.0.2.1").
* `check()` returns None when the value is fine, else a message starting with "must" (or naming
  the offending part, for compound values such as bonding options).
* Validators are immutable: attributes are set once in `__init__` and never again, so a shared
  instance cannot carry state from one value to the next (oVirt Node 3.x had that bug).
* Most validators reject ""; make a field optional with `Empty() | X()`.
"""

from __future__ import annotations

import ipaddress
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable

__all__ = [
    "IQN",
    "URL",
    "AllOf",
    "AnyOf",
    "BondName",
    "BondOptions",
    "Boolean",
    "Empty",
    "EmptyOr",
    "FQDN",
    "FQDNOrIP",
    "Hostname",
    "IPAddress",
    "IPv4Address",
    "IPv4Netmask",
    "IPv4Prefix",
    "IPv6Address",
    "IPv6Prefix",
    "InvalidValue",
    "NFSAddress",
    "NoSpaces",
    "NonEmpty",
    "Number",
    "OneOf",
    "Port",
    "Regex",
    "SSHAddress",
    "SafeValue",
    "Text",
    "Validator",
    "VlanId",
    "parse_bool",
]


class InvalidValue(ValueError):
    """A value broke a rule; `message` (also `str(exc)`) says what to enter instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Validator(ABC):
    """One rule for a `str` value, combinable with `|` (either) and `&` (both).

    Subclasses set `description` (a noun phrase: "an IPv4 address (e.g. 192.0.2.10)") and
    implement `check`. Attributes are write-once so validating can never change a validator.
    """

    description: str = "a valid value"

    def __setattr__(self, name: str, value: object) -> None:
        if name in self.__dict__:
            raise AttributeError(f"{type(self).__name__} is immutable; {name} is already set")
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; cannot delete {name}")

    @abstractmethod
    def check(self, value: str) -> str | None:
        """None if `value` is valid, else a message such as "must be <description>"."""

    def __call__(self, value: str) -> None:
        message = self.check(value)
        if message is not None:
            raise InvalidValue(message)

    def is_valid(self, value: str) -> bool:
        return self.check(value) is None

    def __or__(self, other: Validator) -> Validator:
        if not isinstance(other, Validator):  # untyped callers: let Python raise TypeError
            return NotImplemented
        return AnyOf(self, other)

    def __and__(self, other: Validator) -> Validator:
        if not isinstance(other, Validator):
            return NotImplemented
        return AllOf(self, other)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.description}>"


class _Predicate(Validator):
    """A plain yes/no rule whose only message is "must be <description>"."""

    def check(self, value: str) -> str | None:
        return None if self._accepts(value) else f"must be {self.description}"

    @abstractmethod
    def _accepts(self, value: str) -> bool:
        """True if `value` follows the rule."""


class AnyOf(Validator):
    """Valid if any member is; the message lists every alternative ("must be A or B")."""

    validators: tuple[Validator, ...]

    def __init__(self, *validators: Validator) -> None:
        if not validators:
            raise ValueError("AnyOf needs at least one validator")
        members: list[Validator] = []
        for validator in validators:  # flatten so a | b | c reads "A or B or C"
            members.extend(validator.validators if isinstance(validator, AnyOf) else (validator,))
        self.validators = tuple(members)
        self.description = " or ".join(member.description for member in self.validators)

    def check(self, value: str) -> str | None:
        if len(self.validators) == 1:
            return self.validators[0].check(value)
        if any(member.is_valid(value) for member in self.validators):
            return None
        # Something was typed, so "must be empty or ..." would only confuse (the field may be
        # required right now, a kdump NFS location say): name what the text should have been.
        shown = [m for m in self.validators if not (value and isinstance(m, Empty))] or list(self.validators)
        return f"must be {' or '.join(member.description for member in shown)}"


class AllOf(Validator):
    """Valid if every member is; the message is the first failing member's, the most precise one."""

    validators: tuple[Validator, ...]

    def __init__(self, *validators: Validator) -> None:
        if not validators:
            raise ValueError("AllOf needs at least one validator")
        members: list[Validator] = []
        for validator in validators:
            members.extend(validator.validators if isinstance(validator, AllOf) else (validator,))
        self.validators = tuple(members)
        self.description = " and ".join(member.description for member in self.validators)

    def check(self, value: str) -> str | None:
        for member in self.validators:
            message = member.check(value)
            if message is not None:
                return message
        return None


def _or_list(words: Iterable[str]) -> str:
    """'a', 'a or b', 'a, b or c' — for messages."""
    items = list(words)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _printable_token(text: str) -> bool:
    """Non-empty, no whitespace and no control characters: safe as one word in a config file."""
    return bool(text) and all(char.isprintable() and not char.isspace() for char in text)


# --- general text --------------------------------------------------------------------------


def _characters(count: int) -> str:
    return f"{count} character" + ("" if count == 1 else "s")


class Text(_Predicate):
    """Any text whose length (in characters) is within bounds."""

    def __init__(self, min_length: int = 0, max_length: int | None = None) -> None:
        if min_length < 0 or (max_length is not None and max_length < min_length):
            raise ValueError(f"bad length bounds: {min_length}..{max_length}")
        self.min_length = min_length
        self.max_length = max_length
        if max_length is None:
            self.description = f"text of at least {_characters(min_length)}" if min_length else "text"
        elif min_length == max_length:
            self.description = f"text of exactly {_characters(max_length)}"
        elif min_length:
            self.description = f"text of {min_length} to {_characters(max_length)}"
        else:
            self.description = f"text of at most {_characters(max_length)}"

    def _accepts(self, value: str) -> bool:
        return len(value) >= self.min_length and (self.max_length is None or len(value) <= self.max_length)


class NonEmpty(Validator):
    """Something other than blanks: a field of only spaces looks empty to the user, so it is."""

    description = "a non-empty value"

    def check(self, value: str) -> str | None:
        if not value:
            return "must not be empty"
        if value.isspace():
            return "must not be only spaces"
        return None


class Empty(_Predicate):
    """Exactly "" (not blanks): the way to make a field optional, as in `Empty() | IPv4Address()`."""

    description = "empty"

    def _accepts(self, value: str) -> bool:
        return value == ""


class EmptyOr(Validator):
    """Exactly "" or valid by `rule`. Reads "must be <rule>" like `Empty() | rule` (the text
    typed is not empty, so that alternative goes unsaid), and a detail the rule names (a
    trailing dot, say) is shown, not hidden."""

    def __init__(self, rule: Validator) -> None:
        self.rule = rule
        self.description = f"empty or {rule.description}"

    def check(self, value: str) -> str | None:
        if value == "":
            return None
        return self.rule.check(value)


class NoSpaces(Validator):
    """No whitespace of any kind (including tabs and Unicode spaces), for one-word values."""

    description = "a value without spaces"

    def check(self, value: str) -> str | None:
        return "must not contain spaces" if any(char.isspace() for char in value) else None


# Everything str.splitlines() breaks on, not just \n and \r: a value must stay one line in any
# file the engine writes, whichever tool reads it back. NUL ends a C string early.
_LINE_BREAKS_AND_NUL = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00")


class SafeValue(Validator):
    """Applied by the engine to every value: one line, no NUL, so it cannot smuggle in extra keys."""

    description = "a single line without NUL characters"

    def check(self, value: str) -> str | None:
        if not _LINE_BREAKS_AND_NUL.isdisjoint(value):
            return "must not contain a line break (newline, carriage return) or a NUL character"
        if any("\ud800" <= char <= "\udfff" for char in value):  # a lone \ud800 escape (JSON, YAML)
            return "must be text: it holds an unpaired surrogate, which no file can store"
        return None


_BOOLEAN_WORDS = {w: True for w in ("yes", "true", "on", "1")} | {w: False for w in ("no", "false", "off", "0")}


class Boolean(_Predicate):
    """The spellings of yes/no found in config files and on kernel command lines (any case)."""

    description = "yes or no (also true/false, on/off, 1/0)"

    def _accepts(self, value: str) -> bool:
        # ASCII only, so that Unicode case mapping can never turn a look-alike into a word.
        return value.isascii() and value.lower() in _BOOLEAN_WORDS


def parse_bool(value: str) -> bool:
    """The truth value of a Boolean() spelling; InvalidValue if it is not one."""
    Boolean()(value)
    return _BOOLEAN_WORDS[value.lower()]


class OneOf(_Predicate):
    """Exactly one of a fixed set of strings (case-sensitive); the message lists them."""

    def __init__(self, *choices: str, description: str | None = None) -> None:
        if not choices:
            raise ValueError("OneOf needs at least one choice")
        self.choices = tuple(choices)
        shown = (c if _printable_token(c) and "," not in c else repr(c) for c in self.choices)
        self.description = description or "one of: " + ", ".join(shown)

    def _accepts(self, value: str) -> bool:
        return value in self.choices


class Regex(_Predicate):
    """A rule given as a regular expression, which must match the whole value."""

    def __init__(self, pattern: str | re.Pattern[str], description: str) -> None:
        #: Given as text, `re` compiles (and caches) it at the first check, not at import.
        self.pattern = pattern
        self.description = description

    def _accepts(self, value: str) -> bool:
        return re.fullmatch(self.pattern, value) is not None


# --- IP addresses --------------------------------------------------------------------------

# Leading zeros are refused: inet_aton() reads 010 as octal 8, so "010.1.1.1" is ambiguous.
_OCTET = r"(?:0|[1-9][0-9]{0,2})"
_IPV4_RE = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
# Hex digits, colons and dots only: no zone id ("fe80::1%eth0"), brackets or spaces.
_IPV6_RE = r"[0-9A-Fa-f:.]+"


def _ipv4_int(value: str) -> int | None:
    if re.fullmatch(_IPV4_RE, value) is None:
        return None
    try:
        return int(ipaddress.IPv4Address(value))
    except ValueError:  # an octet above 255
        return None


def _is_ipv4(value: str) -> bool:
    return _ipv4_int(value) is not None


def _is_ipv6(value: str) -> bool:
    if re.fullmatch(_IPV6_RE, value) is None:
        return False
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


class IPv4Address(_Predicate):
    """A dotted-quad IPv4 address, without leading zeros (they mean octal to inet_aton)."""

    description = "an IPv4 address (e.g. 192.0.2.10)"

    def _accepts(self, value: str) -> bool:
        return _is_ipv4(value)


class IPv6Address(_Predicate):
    """An IPv6 address without zone id: a zone ("%eth0") is per-host and meaningless in config."""

    description = "an IPv6 address (e.g. 2001:db8::10)"

    def _accepts(self, value: str) -> bool:
        return _is_ipv6(value)


class IPAddress(_Predicate):
    """Either family, for fields that accept both (DNS and NTP servers, for instance)."""

    description = "an IPv4 or IPv6 address (e.g. 192.0.2.10 or 2001:db8::10)"

    def _accepts(self, value: str) -> bool:
        return _is_ipv4(value) or _is_ipv6(value)


class IPv4Netmask(_Predicate):
    """A real netmask: ones then zeros. 3.x accepted any address here, so 255.0.255.0 slipped through.

    0.0.0.0 (/0) and 255.255.255.255 (/32) are accepted: both are contiguous masks with a
    meaning (everything; a single host). A field where /0 makes no sense adds its own rule.
    """

    description = "an IPv4 netmask such as 255.255.255.0 (contiguous ones)"

    def _accepts(self, value: str) -> bool:
        mask = _ipv4_int(value)
        if mask is None:
            return False
        host_bits = ~mask & 0xFFFFFFFF
        return host_bits & (host_bits + 1) == 0  # host bits are 2**k - 1: all low, all set


# --- numbers -------------------------------------------------------------------------------

# Plain decimal: no "+", no "-0", no leading zeros (ambiguous with octal), no spaces or "_".
_INTEGER_RE = r"0|-?[1-9][0-9]*"


def _range_phrase(noun: str, low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{noun} from {low} to {high}"
    if low is not None:
        return f"{noun} of {low} or more"
    if high is not None:
        return f"{noun} of {high} or less"
    return noun


class Number(_Predicate):
    """A decimal integer within optional bounds; a "-" sign is only ever useful when min < 0."""

    def __init__(
        self, min: int | None = None, max: int | None = None, *, description: str | None = None
    ) -> None:
        if min is not None and max is not None and min > max:
            raise ValueError(f"min ({min}) is greater than max ({max})")
        self.min = min
        self.max = max
        self.description = description or _range_phrase("a whole number", min, max)

    def _accepts(self, value: str) -> bool:
        if re.fullmatch(_INTEGER_RE, value) is None:
            return False
        if self.min is None and self.max is None:
            return True
        try:
            number = int(value)
        except ValueError:  # more digits than int() agrees to parse
            return False
        return (self.min is None or number >= self.min) and (self.max is None or number <= self.max)


class IPv4Prefix(Number):
    """A CIDR prefix length for IPv4 (the "24" of 192.0.2.0/24)."""

    def __init__(self) -> None:
        super().__init__(0, 32, description="an IPv4 prefix length from 0 to 32 (e.g. 24)")


class IPv6Prefix(Number):
    """A CIDR prefix length for IPv6 (the "64" of 2001:db8::/64)."""

    def __init__(self) -> None:
        super().__init__(0, 128, description="an IPv6 prefix length from 0 to 128 (e.g. 64)")


class Port(Number):
    """A TCP/UDP port; 0 is not a port one can connect to. `exclude_reserved` keeps out 1-1023."""

    def __init__(self, exclude_reserved: bool = False) -> None:
        low = 1024 if exclude_reserved else 1
        note = " (ports below 1024 are reserved)" if exclude_reserved else ""
        super().__init__(low, 65535, description=f"a port number from {low} to 65535{note}")
        self.exclude_reserved = exclude_reserved


class VlanId(Number):
    """An 802.1Q VLAN ID; 0 (priority tag only) and 4095 are reserved by the standard."""

    def __init__(self) -> None:
        super().__init__(1, 4094, description="a VLAN ID from 1 to 4094")


# --- host names ----------------------------------------------------------------------------

_LABEL_RE = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"


def _is_domain_name(value: str, min_labels: int) -> bool:
    """RFC 1123 labels, at most 253 characters, no trailing dot.

    The last label may not be all digits (RFC 3696 section 2): otherwise a mistyped address
    like 192.0.2.300 would pass as a host name. Internationalized names must be entered in
    their ASCII (xn--) form. The absolute form "node1.example.com." is refused: the files
    these names go to (chrony, rsyslog) cannot hold it, and a rule accepts only what can be written.
    """
    if not value or len(value) > 253:
        return False
    labels = value.split(".")
    return (
        len(labels) >= min_labels
        and all(re.fullmatch(_LABEL_RE, label) for label in labels)
        and not labels[-1].isdigit()
    )


def _is_hostname(value: str) -> bool:
    return _is_domain_name(value, min_labels=1)


def _trailing_dot(value: str, accepts: Callable[[str], bool]) -> str | None:
    """The message for a name that is fine but for its trailing dot, else None."""
    if value.endswith(".") and accepts(value[:-1]):
        return f"must be written without the trailing dot ({value[:-1]}, not {value})"
    return None


_UNSPECIFIED = ("0.0.0.0", "::")  # name no server: a client cannot send to them


class FQDN(_Predicate):
    """A fully qualified domain name: at least two labels ("node1.example.com"), trailing dot allowed."""

    description = "a fully qualified domain name (e.g. node1.example.com)"

    def check(self, value: str) -> str | None:
        return _trailing_dot(value, self._accepts) or super().check(value)

    def _accepts(self, value: str) -> bool:
        return _is_domain_name(value, min_labels=2)


class Hostname(_Predicate):
    """A short host name ("node1") or an FQDN.

    A short name is one DNS label, so at most 63 characters, within Linux's HOST_NAME_MAX (64).
    To set the kernel host name, which holds 64 characters in all, add `& Text(max_length=64)`.
    """

    description = "a host name (e.g. node1 or node1.example.com)"

    def check(self, value: str) -> str | None:
        return _trailing_dot(value, self._accepts) or super().check(value)

    def _accepts(self, value: str) -> bool:
        return _is_hostname(value)


class FQDNOrIP(_Predicate):
    """Where a server can be given by name or address (engine, NTP, syslog...); not the
    unspecified address (0.0.0.0, ::), which names no server."""

    def __init__(self, allow_ipv6: bool = True) -> None:
        self.allow_ipv6 = allow_ipv6
        if allow_ipv6:
            examples = "node1.example.com, 192.0.2.10 or 2001:db8::10"
            self.description = f"a host name or IP address (e.g. {examples})"
        else:
            self.description = "a host name or IPv4 address (e.g. node1.example.com or 192.0.2.10)"

    def check(self, value: str) -> str | None:
        if value in _UNSPECIFIED or (_is_ipv6(value) and ipaddress.IPv6Address(value).is_unspecified):
            return f"must be a server's address; {value} is the unspecified address"
        return _trailing_dot(value, self._accepts) or super().check(value)

    def _accepts(self, value: str) -> bool:
        return _is_hostname(value) or _is_ipv4(value) or (self.allow_ipv6 and _is_ipv6(value))


# --- network interfaces --------------------------------------------------------------------


class BondName(_Predicate):
    """bond0..bond999: the names the node creates, well inside the kernel's 15-character IFNAMSIZ."""

    description = "a bond name of the form bondN (e.g. bond0; N is 1 to 3 digits)"
    _PATTERN = r"bond[0-9]{1,3}"

    def _accepts(self, value: str) -> bool:
        return re.fullmatch(self._PATTERN, value) is not None


_INT_MAX = 2**31 - 1


def _kernel_enum(*names: str) -> OneOf:
    """A bonding option taking a name or its position in the kernel's table (mode=4 is 802.3ad)."""
    numbers = [str(index) for index in range(len(names))]
    described = f"one of {_or_list(names)} (or a number from 0 to {len(names) - 1})"
    return OneOf(*names, *numbers, description=described)


class _IPv4List(_Predicate):
    """arp_ip_target: comma-separated IPv4 addresses, at most 16 (BOND_MAX_ARP_TARGETS)."""

    description = "1 to 16 comma-separated IPv4 addresses (e.g. 192.0.2.1,192.0.2.2)"

    def _accepts(self, value: str) -> bool:
        targets = value.split(",")
        return len(targets) <= 16 and all(_is_ipv4(target) for target in targets)


_SWITCH = _kernel_enum("off", "on")
_BOND_VALUE_RULES: dict[str, Validator] = {
    "mode": _kernel_enum(
        "balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"
    ),
    "miimon": Number(0, _INT_MAX),
    "updelay": Number(0, _INT_MAX),
    "downdelay": Number(0, _INT_MAX),
    "peer_notif_delay": Number(0, _INT_MAX),
    "arp_interval": Number(0, _INT_MAX),
    "min_links": Number(0, _INT_MAX),
    "lp_interval": Number(1, _INT_MAX),
    "resend_igmp": Number(0, 255),
    "num_grat_arp": Number(0, 255),
    "num_unsol_na": Number(0, 255),
    "packets_per_slave": Number(0, 65535),
    "lacp_rate": _kernel_enum("slow", "fast"),
    "xmit_hash_policy": _kernel_enum("layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4", "vlan+srcmac"),
    "primary_reselect": _kernel_enum("always", "better", "failure"),
    "arp_validate": _kernel_enum(
        "none", "active", "backup", "all", "filter", "filter_active", "filter_backup"
    ),
    "arp_all_targets": _kernel_enum("any", "all"),
    "fail_over_mac": _kernel_enum("none", "active", "follow"),
    "ad_select": _kernel_enum("stable", "bandwidth", "count"),
    "all_slaves_active": _SWITCH,
    "use_carrier": _SWITCH,
    "tlb_dynamic_lb": _SWITCH,
    "arp_ip_target": _IPv4List(),
    "primary": Regex(r"(?!\.\.?\Z)[A-Za-z0-9_.-]{1,15}", "an interface name (e.g. eth0)"),
}


class BondOptions(Validator):
    """BONDING_OPTS: space-separated key=value pairs, checked against the kernel's bonding options.

    Unknown keys and bad values are caught here rather than when the bond comes up, where the
    kernel only logs them. Each key may appear once, since a repeat silently overrides.
    """

    description = "space-separated bonding options such as mode=802.3ad miimon=100"

    def check(self, value: str) -> str | None:
        pairs = [token for token in value.split(" ") if token]
        if not pairs:
            return f"must be {self.description}"
        seen: set[str] = set()
        for pair in pairs:
            key, equals, setting = pair.partition("=")
            if not equals or not key:
                return f"must be {self.description}; {pair!r} is not key=value"
            rule = _BOND_VALUE_RULES.get(key)
            if rule is None:
                return f"{key!r} is not a known bonding option; must be {self.description}"
            if key in seen:
                return f"bonding option {key} is given more than once"
            seen.add(key)
            problem = rule.check(setting)
            if problem is not None:
                return f"bonding option {key} {problem}, not {setting!r}"
        return None


# --- storage and remote addresses ----------------------------------------------------------

_DNS_LABEL_LOWER = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_IQN_RE = (
    rf"iqn\.[0-9]{{4}}-(?:0[1-9]|1[0-2])\.{_DNS_LABEL_LOWER}(?:\.{_DNS_LABEL_LOWER})+(?::\S+)?"
    r"|eui\.[0-9A-Fa-f]{16}"
)


class IQN(_Predicate):
    """An iSCSI name (RFC 3720): iqn.YYYY-MM.reversed.domain[:anything] or eui.<16 hex digits>.

    The part after ":" is the naming authority's own business, so it is only required to be
    printable with no spaces; the whole name is limited to 223 bytes as the RFC says.
    """

    description = "an iSCSI name such as iqn.2001-04.com.example:storage or eui.02004567A425678D"

    def _accepts(self, value: str) -> bool:
        return (
            re.fullmatch(_IQN_RE, value) is not None and value.isprintable() and len(value.encode("utf-8")) <= 223
        )


_PORT = Port()


class NFSAddress(_Predicate):
    """An NFS export as mount.nfs takes it: host:/absolute/path, an IPv6 host in brackets.

    The path may not contain spaces: they break fstab and every tool that splits the value.
    """

    description = "an NFS export of the form host:/path (e.g. nfs.example.com:/exports/data)"

    def _accepts(self, value: str) -> bool:
        if value.startswith("["):
            close = value.find("]:")
            if close < 0:
                return False
            host_ok = _is_ipv6(value[1:close])
            path = value[close + 2 :]
        else:
            host, _, path = value.partition(":")
            host_ok = _is_hostname(host) or _is_ipv4(host)
        return host_ok and path.startswith("/") and _printable_token(path)


# POSIX user names: portable filename characters, not starting with "-" (it would read as an
# option); at most 32 characters, the length utmp (and so useradd) allows.
_USER_RE = r"[A-Za-z0-9._][A-Za-z0-9._-]{0,31}"


class SSHAddress(_Predicate):
    """user@host for ssh; an IPv6 host is given bare (user@2001:db8::1), as ssh takes it."""

    description = "an SSH address of the form user@host (e.g. root@node1.example.com)"

    def _accepts(self, value: str) -> bool:
        user, at, host = value.partition("@")
        return (
            bool(at)
            and re.fullmatch(_USER_RE, user) is not None
            and (_is_hostname(host) or _is_ipv4(host) or _is_ipv6(host))
        )


_URL_RE = (
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://"
    r"(?P<host>\[[^\]]*\]|[^\[\]/:?#@]*)"
    r"(?::(?P<port>[^/?#]*))?"
    r"(?P<rest>[/?#].*)?"
)


class URL(_Predicate):
    """scheme://host[:port][/path][?query][#fragment], written out in full.

    Hand-parsed rather than via urllib.parse, which strips whitespace and accepts nearly
    anything. Credentials (user:password@) are refused: they do not belong in a config value.
    """

    def __init__(self, schemes: Iterable[str] = ("http", "https")) -> None:
        self.schemes = tuple(scheme.lower() for scheme in schemes)
        if not self.schemes:
            raise ValueError("URL needs at least one scheme")
        shown = "https" if "https" in self.schemes else self.schemes[0]
        example = f"{shown}://node1.example.com:8443/path"
        self.description = f"a URL such as {example} (scheme {_or_list(self.schemes)})"

    def _accepts(self, value: str) -> bool:
        match = re.fullmatch(_URL_RE, value, re.DOTALL)
        if match is None or match["scheme"].lower() not in self.schemes:
            return False
        host: str = match["host"]
        if host.startswith("["):
            host_ok = _is_ipv6(host[1:-1])
        else:
            host_ok = _is_hostname(host) or _is_ipv4(host)
        port: str | None = match["port"]
        rest: str = match["rest"] or ""
        return host_ok and (port is None or _PORT.is_valid(port)) and (not rest or _printable_token(rest))
