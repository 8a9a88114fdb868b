from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ovirt_node.core import cmdline
from ovirt_node.core.cmdline import (
    ALIASES,
    MASK,
    SECRET_ARGS,
    Arg,
    BadSwitch,
    KernelArgs,
    canonical,
    parse,
    read,
    switch,
)
from ovirt_node.core.root import Root


def pairs(args: KernelArgs) -> list[tuple[str, str | None]]:
    return [(arg.name, arg.value) for arg in args]


class TestSplitting:
    def test_empty_and_blank(self) -> None:
        assert list(parse("")) == []
        assert list(parse(" \t\n ")) == []
        assert parse("").init_args == ()

    def test_flag_empty_and_nested_equals(self) -> None:
        args = parse("quiet key= key2=a=b=c")
        assert pairs(args) == [("quiet", None), ("key", ""), ("key2", "a=b=c")]
        assert args.get("quiet") is None and args.has("quiet")
        assert args.get("key") == ""

    def test_quoted_value(self) -> None:
        args = parse('foo="a b c" bar=x')
        assert pairs(args) == [("foo", "a b c"), ("bar", "x")]
        assert args.find("foo") == Arg("foo", "a b c", 'foo="a b c"')

    def test_quotes_around_the_whole_arg(self) -> None:
        args = parse('"foo=a b" "flag" next')
        assert pairs(args) == [("foo", "a b"), ("flag", None), ("next", None)]
        assert args.find("foo") is not None and args.find("foo") == Arg("foo", "a b", '"foo=a b"')

    def test_empty_quoted_value(self) -> None:
        assert pairs(parse('a="" b')) == [("a", ""), ("b", None)]

    def test_quote_inside_value_groups_but_stays(self) -> None:
        # As in the kernel: only an opening and a closing quote are dropped.
        assert pairs(parse('a=x"y z"w b')) == [("a", 'x"y z"w'), ("b", None)]

    def test_unbalanced_quote_swallows_the_rest(self) -> None:
        assert pairs(parse('a="x y -- z')) == [("a", "x y -- z")]

    def test_whitespace_kinds_and_trailing_newline(self) -> None:
        args = parse("  ro\troot=/dev/mapper/HostVG-Root \r\n quiet\n")
        assert pairs(args) == [("ro", None), ("root", "/dev/mapper/HostVG-Root"), ("quiet", None)]
        assert args.find("quiet") == Arg("quiet", None, "quiet")

    def test_newline_inside_quotes_is_kept(self) -> None:
        assert parse('a="x\ny"').get("a") == "x\ny"

    def test_repeated_keys_keep_order_last_wins(self) -> None:
        args = parse("console=tty0 quiet console=ttyS0,115200")
        assert args.get_all("console") == ["tty0", "ttyS0,115200"]
        assert args.get("console") == "ttyS0,115200"
        assert args.names() == ["console", "quiet"]
        assert len(args) == 3

    def test_get_default_and_absent(self) -> None:
        args = parse("a=1")
        assert args.get("b") is None
        assert args.get("b", "dflt") == "dflt"
        assert args.get_all("b") == []
        assert args.find("b") is None
        assert "b" not in args and not args.has("b")
        assert 3 not in args

    def test_iteration_and_contains(self) -> None:
        args = parse("a b=2")
        assert [arg.name for arg in args] == ["a", "b"]
        assert "a" in args and "b" in args


class TestDoubleDash:
    def test_init_args_kept_apart(self) -> None:
        args = parse("ro quiet -- single emergency x=1")
        assert pairs(args) == [("ro", None), ("quiet", None)]
        assert pairs(KernelArgs(args.init_args)) == [("single", None), ("emergency", None), ("x", "1")]
        assert "single" not in args

    def test_aliases_not_folded_after_dashes(self) -> None:
        args = parse("-- reinstall")
        assert list(args) == []
        assert args.init_args == (Arg("reinstall", None, "reinstall"),)

    def test_quoted_dashes_also_end(self) -> None:
        assert parse('a "--" b').init_args == (Arg("b", None, "b"),)

    def test_dashes_with_value_are_an_ordinary_arg(self) -> None:
        args = parse("--=x y")
        assert pairs(args) == [("--", "x"), ("y", None)]
        assert args.init_args == ()

    def test_second_dashes_go_to_init(self) -> None:
        args = parse("a -- b -- c")
        assert [a.name for a in args.init_args] == ["b", "--", "c"]


class TestAliases:
    @pytest.mark.parametrize(("alias", "name"), sorted(ALIASES.items()))
    def test_every_alias_folds(self, alias: str, name: str) -> None:
        args = parse(f"{alias}=v")
        (arg,) = args
        assert arg == Arg(name, "v", f"{alias}=v", alias=alias)
        assert arg.spelled == alias
        assert args.get(name) == "v"
        # Asking by the old spelling works as well.
        assert args.get(alias) == "v" and alias in args
        assert canonical(alias) == name

    def test_alias_table(self) -> None:
        assert ALIASES == {
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

    def test_not_folded(self) -> None:
        args = parse("ovirt_early=a,b rootpw=x adminpw=y storage_init")
        assert args.names() == ["ovirt_early", "rootpw", "adminpw", "storage_init"]
        assert all(arg.alias is None for arg in args)
        assert canonical("rootpw") == "rootpw"

    def test_alias_and_canonical_mix_last_wins(self) -> None:
        args = parse("firstboot reinstall=0")
        assert args.get_all("firstboot") == [None, "0"]
        assert switch(args, "firstboot") is False


class TestSwitch:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("firstboot", True),
            ("firstboot=1", True),
            ("firstboot=yes", True),
            ("firstboot=YES", True),
            ("firstboot=0", False),
            ("firstboot=no", False),
            ("firstboot=off", False),
            ("reinstall", True),
            ("reinstall=0", False),
            ("ovirt_firstboot=0", False),
            ("", None),
            ("upgrade", None),
            ("firstboot=0 firstboot", True),
        ],
    )
    def test_switch(self, text: str, expected: bool | None) -> None:
        assert switch(parse(text), "firstboot") is expected

    def test_switch_by_alias_name(self) -> None:
        assert switch(parse("local_boot"), "upgrade") is True
        assert switch(parse("upgrade"), "ovirt_upgrade") is True

    @pytest.mark.parametrize("text", ["stateless=maybe", "stateless=", "stateless=2", "stateless=ye\u0455"])
    def test_malformed_value_is_refused_with_the_spellings(self, text: str) -> None:
        with pytest.raises(BadSwitch) as caught:
            switch(parse(text.encode().decode("unicode_escape")), "stateless")
        assert str(caught.value).startswith(text.encode().decode("unicode_escape") + ": not understood; write "
                                            "stateless or stateless=1/y/yes/true/on to turn it on, "
                                            "stateless=0/n/no/false/off to turn it off")

    def test_an_unregistered_name_cannot_be_read_as_a_switch(self) -> None:
        with pytest.raises(KeyError, match="cmdline.SWITCHES"):
            switch(parse("rescue"), "rescue")


class TestRedaction:
    def test_secret_values_masked(self) -> None:
        args = parse('adminpw=$6$salt$hash rootpw="a b" keep=1 snmp_password=p -- cim_passwd=q x')
        text = args.redacted()
        assert text == f"adminpw={MASK} rootpw={MASK} keep=1 snmp_password={MASK} -- cim_passwd={MASK} x"
        for secret in ("$6$salt$hash", "a b", "=p ", "=q"):
            assert secret not in text
        assert str(args) == text
        assert "hash" not in repr(args)
        assert "hash" not in repr(args.find("adminpw"))
        # The parsed value itself is intact.
        assert args.get("adminpw") == "$6$salt$hash"

    def test_every_secret_name(self) -> None:
        assert SECRET_ARGS == {
            "adminpw",
            "rootpw",
            "snmp_password",
            "cim_passwd",
            "rhn_password",
            "rhn_proxypassword",
        }
        args = parse(" ".join(f"{name}=s3cret" for name in sorted(SECRET_ARGS)))
        assert "s3cret" not in args.redacted()
        assert args.redacted().count(MASK) == len(SECRET_ARGS)

    def test_non_secret_keeps_original_text(self) -> None:
        text = 'ovirt_init=/dev/sda "syslog=a b" quiet'
        assert parse(text).redacted() == text

    def test_secret_flag_has_nothing_to_hide(self) -> None:
        assert parse("adminpw").redacted() == "adminpw"


def test_real_pxe_cmdline() -> None:
    text = (
        "BOOTIF=01-52-54-00-12-34-56 storage_init=/dev/sda storage_vol=:2048::::-1 "
        "adminpw=$6$abc$Rq0lF3b1s7xWm9Zk.M4pN2cV8yT6uH5jE0dA3gK1iL7oP9qR2sT4uV6wX8yZ0aB1cD3eF5gH7iJ9kL1m "
        'ssh_pwauth=1 hostname=node1.example.com "syslog=log.example.com:514" '
        "console=tty0 console=ttyS0,115200n8\n"
    )
    args = parse(text)
    assert args.names() == [
        "BOOTIF",
        "storage_init",
        "storage_vol",
        "adminpw",
        "ssh_pwauth",
        "hostname",
        "syslog",
        "console",
    ]
    assert args.get("BOOTIF") == "01-52-54-00-12-34-56"
    assert args.get("storage_init") == "/dev/sda"
    assert args.get("storage_vol") == ":2048::::-1"
    assert (args.get("adminpw") or "").startswith("$6$abc$")
    assert args.get("ssh_pwauth") == "1"
    assert args.get("hostname") == "node1.example.com"
    assert args.get("syslog") == "log.example.com:514"
    assert args.get_all("console") == ["tty0", "ttyS0,115200n8"]
    assert args.get("console") == "ttyS0,115200n8"
    redacted = args.redacted()
    assert "$6$" not in redacted and f"adminpw={MASK}" in redacted
    assert redacted.endswith("console=tty0 console=ttyS0,115200n8")


def test_read_from_root(tmp_path: Path) -> None:
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc" / "cmdline").write_bytes(b"ovirt_init=/dev/vda  firstboot\n")
    args = read(Root.at(tmp_path))
    assert pairs(args) == [("storage_init", "/dev/vda"), ("firstboot", None)]


def test_read_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read(Root.at(tmp_path))


def test_read_host() -> None:
    if not Path("/proc/cmdline").exists():
        pytest.skip("no /proc/cmdline")
    assert isinstance(read(Root()), KernelArgs)


def test_join_quotes_values_with_spaces() -> None:
    assert cmdline.join(["a=1", "b=x y", "c", "d e"]) == 'a=1 b="x y" c "d e"'


# --- round trip --------------------------------------------------------------------------------

_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"
names = st.text(alphabet=_NAME_CHARS, min_size=1, max_size=12).filter(lambda n: n != "--")
values = st.one_of(
    st.none(),
    st.text(
        alphabet=st.characters(exclude_characters='"', exclude_categories=["Cs"]),
        max_size=20,
    ),
)


def _word(name: str, value: str | None) -> str:
    if value is None:
        return name
    if value == "" or any(c in " \t\n\r\v\f" for c in value):
        return f'{name}="{value}"'
    return f"{name}={value}"


@given(st.lists(st.tuples(names, values), max_size=12))
def test_round_trip(items: list[tuple[str, str | None]]) -> None:
    text = " ".join(_word(name, value) for name, value in items)
    args = parse(text)
    assert pairs(args) == [(canonical(name), value) for name, value in items]
    assert args.init_args == ()
    # The helper builds the same line for words that need quotes.
    assert pairs(parse(cmdline.join(n if v is None else f"{n}={v}" for n, v in items if v))) == [
        (canonical(n), v) for n, v in items if v
    ]
