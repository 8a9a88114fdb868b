"""Tests for ovirt_node.core.valid: examples per validator, composition, and properties."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.provisional import domains

from ovirt_node.core.valid import (
    FQDN,
    IQN,
    URL,
    AllOf,
    AnyOf,
    BondName,
    BondOptions,
    Boolean,
    Empty,
    FQDNOrIP,
    Hostname,
    InvalidValue,
    IPAddress,
    IPv4Address,
    IPv4Netmask,
    IPv4Prefix,
    IPv6Address,
    IPv6Prefix,
    NFSAddress,
    NonEmpty,
    NoSpaces,
    Number,
    OneOf,
    Port,
    Regex,
    SafeValue,
    SSHAddress,
    Text,
    Validator,
    VlanId,
    parse_bool,
)

LONG_LABEL = "a" * 63
# 4 labels of 63 + 3 dots = 255; trim to exactly 253 characters.
NAME_253 = ".".join([LONG_LABEL] * 4)[:253]

EXAMPLES: list[tuple[str, Validator, list[str], list[str]]] = [
    (
        "ipv4",
        IPv4Address(),
        ["192.0.2.10", "0.0.0.0", "255.255.255.255", "10.0.0.1", "1.2.3.4"],
        ["", " ", "010.1.1.1", "1.2.3.04", "256.1.1.1", "1.2.3", "1.2.3.4.5", "1.2.3.4\n", " 1.2.3.4",
         "1.2.3.4 ", "١٩٢.0.2.1", "１.2.3.4", "0x1.2.3.4", "1.2.3.4/24", "::1", "a.b.c.d"],
    ),
    (
        "ipv6",
        IPv6Address(),
        ["::1", "::", "2001:db8::10", "FE80::1", "::ffff:192.0.2.1",
         "2001:0db8:0000:0000:0000:0000:0000:0001"],
        ["", "fe80::1%eth0", "[::1]", " ::1", "::1\n", "2001:db8::g", "1:2:3:4:5:6:7:8:9", "192.0.2.1",
         "::ffff:010.0.2.1", "2001:db8:::1", "２００１::1"],
    ),
    (
        "ip",
        IPAddress(),
        ["192.0.2.10", "2001:db8::10", "::"],
        ["", "010.1.1.1", "fe80::1%1", "node1", "[::1]"],
    ),
    (
        "netmask",
        IPv4Netmask(),
        ["255.255.255.0", "255.255.0.0", "255.255.255.252", "255.128.0.0", "0.0.0.0", "255.255.255.255"],
        ["", "255.0.255.0", "255.255.255.1", "0.255.255.255", "255.255.254.255", "255.255.255.00",
         "255.255.255.0 ", "256.255.255.0", "24"],
    ),
    (
        "ipv4-prefix",
        IPv4Prefix(),
        ["0", "8", "24", "32"],
        ["", "33", "-1", "+24", "024", " 24", "24 ", "2 4", "24.0", "٢٤", "/24"],
    ),
    (
        "ipv6-prefix",
        IPv6Prefix(),
        ["0", "64", "128"],
        ["", "129", "-0", "064", "1e2"],
    ),
    (
        "fqdn",
        FQDN(),
        ["node1.example.com", "a.b", "xn--bcher-kva.example", "1node.example.com",
         "a-b.example.com", "NODE1.Example.COM", f"{LONG_LABEL}.example", NAME_253],
        ["", "node1", "node1.", "node1.example.com.", NAME_253 + ".", ".example.com", "node1..example.com",
         "-node.example.com", "node-.example.com", "node_1.example.com", "bücher.example", "node1.example.com..",
         f"{LONG_LABEL}a.example", NAME_253 + "a", "192.0.2.10", "192.0.2.300", "node 1.example.com",
         "node1.example.com\n", "."],
    ),
    (
        "hostname",
        Hostname(),
        ["node1", "localhost", "node1.example.com", "n", LONG_LABEL],
        ["", " ", "node1.example.com.", "node1.", "node_1", "-node1", "node1-", LONG_LABEL + "a", "192.0.2.10",
         "1234", "node 1", "nöde", "node1\n", "."],
    ),
    (
        "fqdn-or-ip",
        FQDNOrIP(),
        ["node1", "node1.example.com", "192.0.2.10", "2001:db8::10"],
        ["", "010.1.1.1", "[2001:db8::10]", "node_1", "http://node1", "node1:80", "::", "0.0.0.0", "0::0",
         "example.com."],
    ),
    (
        "fqdn-or-ipv4",
        FQDNOrIP(allow_ipv6=False),
        ["node1", "192.0.2.10"],
        ["2001:db8::10", "::1"],
    ),
    (
        "port",
        Port(),
        ["1", "22", "80", "1023", "1024", "65535"],
        ["", "0", "65536", "-1", "080", "+80", " 80", "80 ", "8O", "٨٠", "99999999999999999999"],
    ),
    (
        "port-unreserved",
        Port(exclude_reserved=True),
        ["1024", "8443", "65535"],
        ["0", "1", "80", "1023", "65536"],
    ),
    (
        "number",
        Number(),
        ["0", "7", "-7", "123456789012345678901234567890", "9" * 5000],
        ["", "-0", "+7", "07", "-07", "7.0", "1e3", "1_000", " 7", "7\n", "٧", "--7", "-"],
    ),
    (
        "number-range",
        Number(min=-5, max=5),
        ["-5", "0", "5"],
        ["-6", "6", "9" * 5000, "-" + "9" * 5000],
    ),
    (
        "number-min",
        Number(min=0),
        ["0", "1", "99999"],
        ["-1"],
    ),
    (
        "vlan",
        VlanId(),
        ["1", "100", "4094"],
        ["", "0", "4095", "-1", "0100", "1 00"],
    ),
    (
        "bond-name",
        BondName(),
        ["bond0", "bond1", "bond99", "bond999", "bond007"],
        ["", "bond", "bond1000", "Bond0", "bond-0", "bond0 ", "team0", "eth0", "bond٠", "bond0\n"],
    ),
    (
        "bond-options",
        BondOptions(),
        ["mode=802.3ad", "mode=4 miimon=100", "mode=active-backup primary=eth0 miimon=100",
         " mode=1  miimon=100 ", "mode=balance-alb", "mode=0", "mode=6", "xmit_hash_policy=layer3+4",
         "lacp_rate=fast", "arp_interval=1000 arp_ip_target=192.0.2.1,192.0.2.2 arp_validate=all",
         "fail_over_mac=active", "ad_select=count", "min_links=2", "all_slaves_active=1",
         "use_carrier=on", "tlb_dynamic_lb=0", "lp_interval=1", "peer_notif_delay=200",
         "arp_all_targets=any", "primary_reselect=better", "resend_igmp=255", "num_grat_arp=3",
         "num_unsol_na=3", "packets_per_slave=0", "updelay=0 downdelay=0"],
        ["", " ", "mode", "=4", "mode=", "mode=7", "mode=-1", "mode=04", "mode=802.3AD", "foo=1",
         "mode=1 mode=2", "miimon=fast", "miimon=-1", "lp_interval=0", "resend_igmp=256",
         "arp_ip_target=192.0.2.300", "arp_ip_target=" + ",".join(["192.0.2.1"] * 17),
         "primary=eth0/1", "primary=" + "e" * 16, "mode=1\tmiimon=100", "mode=1\nmiimon=100"],
    ),
    (
        "iqn",
        IQN(),
        ["iqn.2001-04.com.example:storage", "iqn.1994-05.com.redhat:5b2a9c7e8f1", "iqn.2001-04.com.example",
         "iqn.2001-12.com.example:disk:1", "iqn.2001-04.com.example:Storage.Disk-1", "eui.02004567A425678D",
         "eui.02004567a425678d"],
        ["", "iqn.2001-13.com.example", "iqn.2001-00.com.example", "iqn.2001-4.com.example",
         "iqn.01-04.com.example", "iqn.2001-04.example", "iqn.2001-04.Com.Example", "IQN.2001-04.com.example",
         "iqn.2001-04.com.example:", "iqn.2001-04.com.example:a b", "iqn.2001-04.com.example:a\n",
         "iqn.2001-04.-com.example", "eui.02004567A425678", "eui.02004567A425678DA", "eui.0200456GA425678D",
         "iqn.2001-04.com.example:" + "x" * 200],
    ),
    (
        "nfs",
        NFSAddress(),
        ["nfs.example.com:/exports/data", "nfs:/", "192.0.2.10:/export", "[2001:db8::10]:/export",
         "nfs.example.com:/a/b-c_d.e"],
        ["", "nfs.example.com", "nfs.example.com:", "nfs.example.com:exports", ":/export",
         "2001:db8::10:/export", "[2001:db8::10]/export", "[nfs]:/export", "nfs:/a b", "nfs:/a\n",
         "010.0.0.1:/x", "nfs_1:/x"],
    ),
    (
        "ssh",
        SSHAddress(),
        ["root@node1.example.com", "admin@192.0.2.10", "user.name@node1", "_svc@host", "a-b@host",
         "root@2001:db8::10", "User1@host"],
        ["", "root", "@host", "root@", "-root@host", "ro ot@host", "root@host@host", "röot@host",
         "root@node_1", "root@[2001:db8::10]", "a" * 33 + "@host", "root@host\n"],
    ),
    (
        "url",
        URL(),
        ["http://node1.example.com", "https://node1.example.com:8443/path", "https://192.0.2.10/",
         "https://[2001:db8::10]:443/ovirt-engine/?x=1#top", "HTTPS://node1", "http://node1/a%20b"],
        ["", "node1.example.com", "ftp://node1.example.com", "https://", "https:///path",
         "https://node1:0/", "https://node1:65536/", "https://node1:/", "https://node1:http/",
         "https://user:pw@node1/", "https://node 1/", "https://node1/a b", "https://node1/\n",
         "https://2001:db8::10/", "https://[node1]/", "https://node_1/", "https:/node1"],
    ),
    (
        "url-schemes",
        URL(schemes=("ftp",)),
        ["ftp://mirror.example.com/pub"],
        ["http://mirror.example.com/pub"],
    ),
    ("text", Text(), ["", " ", "anything at all", "ü"], []),
    ("text-bounded", Text(min_length=2, max_length=4), ["ab", "abcd", "üü"], ["", "a", "abcde"]),
    ("non-empty", NonEmpty(), ["a", " a ", "ü"], ["", " ", "\t", "\u3000"]),
    ("empty", Empty(), [""], [" ", "a", "\n"]),
    ("one-of", OneOf("dhcp", "static"), ["dhcp", "static"], ["", "DHCP", "dhcp ", "none"]),
    ("regex", Regex(r"[a-z]+", "lower-case letters"), ["abc"], ["", "abc1", "ABC", "abc\n"]),
    ("no-spaces", NoSpaces(), ["", "abc", "a-b"], [" ", "a b", "a\tb", "a\nb", "a\u00a0b", "a\u3000b"]),
    ("boolean", Boolean(), ["yes", "no", "YES", "True", "false", "1", "0", "On", "OFF"],
     ["", "y", "n", "2", " yes", "yes ", "ｙｅｓ", "yeſ", "enabled"]),
    ("safe", SafeValue(), ["", "abc", "a b\tc", "ü"], ["\n", "a\nb", "a\r", "a\x00", "a\u2028b", "a\x85b"]),
]


def _cases(accepted: bool) -> list[object]:
    return [
        pytest.param(validator, value, id=f"{name}-{value[:40]!r}")
        for name, validator, good, bad in EXAMPLES
        for value in (good if accepted else bad)
    ]


@pytest.mark.parametrize(("validator", "value"), _cases(accepted=True))
def test_accepts(validator: Validator, value: str) -> None:
    assert validator.check(value) is None
    assert validator.is_valid(value)
    validator(value)


@pytest.mark.parametrize(("validator", "value"), _cases(accepted=False))
def test_rejects(validator: Validator, value: str) -> None:
    message = validator.check(value)
    assert message is not None
    assert message.startswith("must") or "bonding option" in message
    assert not validator.is_valid(value)
    with pytest.raises(InvalidValue) as caught:
        validator(value)
    assert caught.value.message == message
    assert str(caught.value) == message


def test_invalid_value_is_a_value_error() -> None:
    exc = InvalidValue("must be something")
    assert isinstance(exc, ValueError)
    assert exc.message == str(exc) == "must be something"


@pytest.mark.parametrize(
    ("validator", "value", "expected"),
    [
        (IPv4Netmask(), "255.0.255.0", "must be an IPv4 netmask such as 255.255.255.0 (contiguous ones)"),
        (IPv4Address(), "010.1.1.1", "must be an IPv4 address (e.g. 192.0.2.10)"),
        (VlanId(), "4095", "must be a VLAN ID from 1 to 4094"),
        (Port(), "0", "must be a port number from 1 to 65535"),
        (Number(min=3), "1", "must be a whole number of 3 or more"),
        (Number(max=3), "4", "must be a whole number of 3 or less"),
        (Number(), "x", "must be a whole number"),
        (Text(max_length=1), "ab", "must be text of at most 1 character"),
        (Text(min_length=2), "a", "must be text of at least 2 characters"),
        (Text(3, 3), "a", "must be text of exactly 3 characters"),
        (NonEmpty(), "", "must not be empty"),
        (NonEmpty(), "  ", "must not be only spaces"),
        (Empty(), "x", "must be empty"),
        (NoSpaces(), "a b", "must not contain spaces"),
        (OneOf("dhcp", "static", ""), "x", "must be one of: dhcp, static, ''"),
        (Regex("[0-9]+", "digits"), "x", "must be digits"),
        (BondOptions(), "mode=1 mode=1", "bonding option mode is given more than once"),
    ],
)
def test_exact_messages(validator: Validator, value: str, expected: str) -> None:
    assert validator.check(value) == expected


@pytest.mark.parametrize(
    ("validator", "value", "fragments"),
    [
        (Port(exclude_reserved=True), "80", ["1024", "65535", "reserved"]),
        (BondName(), "bond", ["bondN", "bond0"]),
        (BondOptions(), "foo=1", ["'foo'", "not a known bonding option", "mode=802.3ad"]),
        (BondOptions(), "mode", ["'mode'", "key=value"]),
        (BondOptions(), "mode=7", ["mode", "'7'", "balance-rr", "802.3ad", "0 to 6"]),
        (BondOptions(), "miimon=x", ["miimon", "'x'", "whole number"]),
        (IQN(), "iqn", ["iqn.2001-04.com.example:storage", "eui."]),
        (NFSAddress(), "x", ["host:/path"]),
        (SSHAddress(), "x", ["user@host"]),
        (URL(), "x", ["https", "http", "://"]),
        (URL(schemes=("ftp", "sftp")), "x", ["ftp or sftp"]),
        (SafeValue(), "a\nb", ["newline", "NUL"]),
        (Boolean(), "x", ["yes", "no"]),
        (FQDNOrIP(allow_ipv6=False), "x_y", ["IPv4"]),
    ],
)
def test_message_content(validator: Validator, value: str, fragments: list[str]) -> None:
    message = validator.check(value)
    assert message is not None
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [("yes", True), ("TRUE", True), ("on", True), ("1", True), ("no", False), ("False", False),
     ("OFF", False), ("0", False)],
)
def test_parse_bool(value: str, expected: bool) -> None:
    assert parse_bool(value) is expected


@pytest.mark.parametrize("value", ["", "maybe", " yes", "ｙｅｓ"])
def test_parse_bool_rejects(value: str) -> None:
    with pytest.raises(InvalidValue, match="yes or no"):
        parse_bool(value)


# --- composition ---------------------------------------------------------------------------


def test_or_accepts_either_and_names_both() -> None:
    optional_ip = Empty() | IPv4Address()
    assert isinstance(optional_ip, AnyOf)
    assert optional_ip.is_valid("")
    assert optional_ip.is_valid("192.0.2.10")
    assert optional_ip.check("x") == "must be an IPv4 address (e.g. 192.0.2.10)"


def test_or_uses_descriptions_not_specific_reasons() -> None:
    either = BondOptions() | Empty()
    assert either.check("foo=1") == f"must be {BondOptions.description}"  # text was typed: not "or empty"


def test_or_chains_flatten() -> None:
    chained = IPv4Address() | IPv6Address() | Empty()
    assert isinstance(chained, AnyOf)
    assert len(chained.validators) == 3
    message = chained.check("x")
    assert message is not None
    assert message.count(" or ") == 1
    assert "IPv4" in message and "IPv6" in message and "empty" not in message


def test_and_needs_both_and_reports_first_failure() -> None:
    short_name = Hostname() & Text(max_length=10)
    assert isinstance(short_name, AllOf)
    assert short_name.is_valid("node1")
    assert short_name.check("node_1") == Hostname().check("node_1")
    assert short_name.check("node1.example.com") == "must be text of at most 10 characters"
    assert short_name.description == f"{Hostname.description} and text of at most 10 characters"


def test_and_or_nest() -> None:
    rule = (Empty() | Port()) & SafeValue()
    assert rule.is_valid("")
    assert rule.is_valid("22")
    assert rule.check("0") == f"must be {Port().description}"
    assert rule.check("2\n2") == f"must be {Port().description}"
    flipped = SafeValue() & (Empty() | Port())
    assert flipped.check("2\n2") == SafeValue().check("\n")


def test_single_member_composites_keep_specific_message() -> None:
    assert AnyOf(BondOptions()).check("mode=1 mode=1") == "bonding option mode is given more than once"
    assert AllOf(NonEmpty()).check("") == "must not be empty"


def test_composition_with_non_validator_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        IPv4Address() | "x"  # type: ignore[operator]
    with pytest.raises(TypeError):
        IPv4Address() & 1  # type: ignore[operator]


@pytest.mark.parametrize(
    "make",
    [
        lambda: Number(min=5, max=1),
        lambda: Text(min_length=-1),
        lambda: Text(min_length=3, max_length=2),
        lambda: OneOf(),
        lambda: URL(schemes=()),
        lambda: AnyOf(),
        lambda: AllOf(),
    ],
)
def test_bad_construction(make: object) -> None:
    assert callable(make)
    with pytest.raises(ValueError):
        make()


# --- immutability --------------------------------------------------------------------------


def test_validators_refuse_reassignment() -> None:
    port = Port()
    with pytest.raises(AttributeError):
        port.description = "anything"
    with pytest.raises(AttributeError):
        port.max = 70000
    with pytest.raises(AttributeError):
        del port.min
    assert port.is_valid("65535") and not port.is_valid("65536")


ALL_VALIDATORS: list[Validator] = [validator for _, validator, _, _ in EXAMPLES] + [
    Empty() | IPv4Address(),
    NonEmpty() & NoSpaces() & Text(max_length=5),
]


def _snapshot(validator: Validator) -> tuple[str, dict[str, str]]:
    return validator.description, {name: repr(value) for name, value in vars(validator).items()}


@settings(max_examples=50)
@given(values=st.lists(st.text(max_size=30), min_size=1, max_size=10))
def test_validators_unchanged_by_use(values: list[str]) -> None:
    for validator in ALL_VALIDATORS:
        before = _snapshot(validator)
        for value in values:
            validator.check(value)
            validator.is_valid(value)
        assert _snapshot(validator) == before


# --- properties ----------------------------------------------------------------------------


@settings(max_examples=200)
@given(address=st.ip_addresses(v=4))
def test_every_ipv4_address_accepted(address: ipaddress.IPv4Address) -> None:
    assert IPv4Address().is_valid(str(address))
    assert IPAddress().is_valid(str(address))
    assert FQDNOrIP(allow_ipv6=False).is_valid(str(address)) == (not address.is_unspecified)
    assert not IPv6Address().is_valid(str(address))
    assert not Hostname().is_valid(str(address))


@settings(max_examples=200)
@given(address=st.ip_addresses(v=6))
def test_every_ipv6_address_accepted(address: ipaddress.IPv6Address) -> None:
    for text in (str(address), address.exploded, str(address).upper()):
        assert IPv6Address().is_valid(text)
        assert IPAddress().is_valid(text)
        assert FQDNOrIP().is_valid(text) == (not address.is_unspecified)  # :: names no server
        assert not IPv4Address().is_valid(text)
        assert NFSAddress().is_valid(f"[{text}]:/export")
        assert URL().is_valid(f"https://[{text}]:8443/")


@settings(max_examples=100)
@given(octets=st.lists(st.integers(0, 255), min_size=4, max_size=4), which=st.integers(0, 3))
def test_ipv4_leading_zero_rejected(octets: list[int], which: int) -> None:
    parts = [str(octet) for octet in octets]
    parts[which] = "0" + parts[which]
    assert not IPv4Address().is_valid(".".join(parts))


CONTIGUOUS_MASKS = {(0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF for prefix in range(33)}


@pytest.mark.parametrize("prefix", range(33))
def test_every_prefix_netmask_accepted(prefix: int) -> None:
    mask = str(ipaddress.IPv4Network(f"0.0.0.0/{prefix}").netmask)
    assert IPv4Netmask().is_valid(mask)
    assert IPv4Prefix().is_valid(str(prefix))


@settings(max_examples=200)
@given(mask=st.integers(0, 2**32 - 1).filter(lambda n: n not in CONTIGUOUS_MASKS))
def test_non_contiguous_netmask_rejected(mask: int) -> None:
    text = str(ipaddress.IPv4Address(mask))
    assert IPv4Address().is_valid(text)
    assert not IPv4Netmask().is_valid(text)


@settings(max_examples=100)
@given(prefix=st.integers(0, 32), flipped=st.integers(0, 31))
def test_netmask_with_one_bit_flipped_rejected(prefix: int, flipped: int) -> None:
    mask = (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF
    damaged = mask ^ (1 << flipped)
    assert IPv4Netmask().is_valid(str(ipaddress.IPv4Address(damaged))) == (damaged in CONTIGUOUS_MASKS)


@settings(max_examples=100)
@given(number=st.integers(-(10**6), 10**6))
def test_numbers_by_range(number: int) -> None:
    assert Number().is_valid(str(number))
    assert Port().is_valid(str(number)) == (1 <= number <= 65535)
    assert Port(exclude_reserved=True).is_valid(str(number)) == (1024 <= number <= 65535)
    assert VlanId().is_valid(str(number)) == (1 <= number <= 4094)
    assert IPv6Prefix().is_valid(str(number)) == (0 <= number <= 128)


@settings(max_examples=100)
@given(name=domains(max_length=253))
def test_generated_domains_accepted(name: str) -> None:
    name = name.rstrip(".")  # the absolute form is refused (see test_trailing_dot_is_refused_with_a_reason)
    assert Hostname().is_valid(name)
    assert FQDNOrIP().is_valid(name)
    assert FQDN().is_valid(name) == ("." in name)
    assert SSHAddress().is_valid(f"root@{name}")
    assert NFSAddress().is_valid(f"{name}:/export")
    assert URL().is_valid(f"https://{name}/")


@settings(max_examples=200)
@given(
    before=st.text(max_size=20),
    after=st.text(max_size=20),
    bad=st.sampled_from(["\n", "\r", "\x00", "\r\n"]),
)
def test_safe_value_rejects_line_breaks_and_nul(before: str, after: str, bad: str) -> None:
    value = before + bad + after
    assert not SafeValue().is_valid(value)
    with pytest.raises(InvalidValue):
        SafeValue()(value)


@settings(max_examples=200)
@given(char=st.characters())
def test_safe_value_matches_splitlines(char: str) -> None:
    """One line of text: what splitlines keeps whole, but NUL and unpaired surrogates (which no
    file can store)."""
    stays_one_line = len(f"a{char}b".splitlines()) == 1 and char != "\x00"
    storable = not "\ud800" <= char <= "\udfff"
    assert SafeValue().is_valid(char) == (stays_one_line and storable)


@settings(max_examples=200)
@given(validator=st.sampled_from(ALL_VALIDATORS), value=st.text(max_size=40))
def test_check_and_call_agree(validator: Validator, value: str) -> None:
    message = validator.check(value)
    assert validator.is_valid(value) == (message is None)
    if message is None:
        validator(value)
    else:
        assert message
        with pytest.raises(InvalidValue) as caught:
            validator(value)
        assert caught.value.message == message


@pytest.mark.parametrize("rule", [Hostname(), FQDN(), FQDNOrIP()])
def test_trailing_dot_is_refused_with_a_reason(rule: Validator) -> None:
    assert rule.check("node1.example.com.") == (
        "must be written without the trailing dot (node1.example.com, not node1.example.com.)")


@pytest.mark.parametrize("address", ["::", "0.0.0.0", "0:0::0"])
def test_the_unspecified_address_names_no_server(address: str) -> None:
    assert FQDNOrIP().check(address) == f"must be a server's address; {address} is the unspecified address"


def test_a_list_typed_with_spaces_is_told_to_use_commas() -> None:
    from ovirt_node.network.section import ListOf, Nameservers

    dns = Nameservers()
    for typed in ("192.0.2.1 192.0.2.2", "192.0.2.1, 192.0.2.2", "192.0.2.1 ,192.0.2.2"):
        assert dns.check(typed) == ("must be comma-separated IP addresses (at most three): separate them with "
                                    "commas, without spaces (e.g. 192.0.2.1,192.0.2.2)"), typed
    assert dns.check("192.0.2.1,192.0.2.2") is None
    # A bad entry among spaces is still named: the advice about commas would not help.
    assert (dns.check("192.0.2.1 nonsense") or "").startswith("'192.0.2.1 nonsense' must be an IPv4 or IPv6 address")
    assert ListOf(Hostname(), "domain names").check("a.example b.example").endswith("(e.g. a.example,b.example)")
