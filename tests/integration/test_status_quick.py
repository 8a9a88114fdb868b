"""The Status page's plain-text reads (network/quick.py, areas/logs_quick.py, core/plaintext.py)
say exactly what the engine's Augeas path says, on the demo and the EL roots, as shipped and
after every kind of save the Network and Logging pages make; where they cannot be sure they
answer None and the page asks the engine. A read writes nothing."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from ovirt_node.areas import logs_quick
from ovirt_node.areas.registry import builtin_sections
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.root import Root
from ovirt_node.network import quick as network_quick
from ovirt_node.pages import status
from ovirt_node.system.machine.profile import load_profile, profile_path
from ovirt_node.ui.page import PageContext
from tests.integration.el_node import make_el_root
from tests.integration.network_cases import CASES
from tests.node_fixtures import snapshot

READERS: dict[str, Callable[[Root], dict[str, str] | None]] = {
    "network": network_quick.values, "logging": logs_quick.values}
KEYS = {"network": network_quick.KEYS, "logging": logs_quick.KEYS}
KEYFILES = "etc/NetworkManager/system-connections"


def engine(root: Path) -> Engine:
    return Engine(Context(root=Root.at(root)), builtin_sections())


def both(root: Path, section: str) -> tuple[dict[str, str] | None, dict[str, str]]:
    """(the plain-text read, the engine's values of the same keys), from a fresh engine."""
    full = engine(root).values([section])
    return READERS[section](Root.at(root)), {key: full[key] for key in KEYS[section]}


def assert_same(root: Path) -> None:
    before = snapshot(root)
    for section in READERS:
        quick, full = both(root, section)
        assert quick == full, section
    assert snapshot(root) == before


def test_the_keys_are_the_registry_s() -> None:
    registry = {key.name: key for section in builtin_sections() for key in section.keys}
    for keys in KEYS.values():
        for name, (ovirt, default) in keys.items():
            assert (registry[name].ovirt, registry[name].default, registry[name].legacy) == (ovirt, default, ())


#: Saves the Network and Logging pages make (each applied by the engine on its own tree).
SAVES: list[dict[str, str]] = [
    {},
    *({"network.interfaces": spec} for spec in CASES.values()),
    {"network.interfaces": CASES["vlan-on-bond"], "network.bootif": "bond0"},
    {"network.bootproto": "static", "network.ip.address": "192.0.2.10", "network.ip.netmask": "255.255.255.0",
     "network.ip.gateway": "192.0.2.1"},
    {"network.dns": "192.0.2.1,2001:db8::1", "network.dns.search": "example.com"},
    {"network.dns": ""},
    {"logging.rsyslog.server": "logs.example.com", "logging.rsyslog.port": "1514"},
    {"logging.rsyslog.server": "2001:db8::5", "logging.rsyslog.protocol": "tcp"},
    {"logging.netconsole.server": "192.0.2.9", "logging.netconsole.port": "6000"},
]


@pytest.mark.parametrize("flavour", ["demo", "el"])
@pytest.mark.parametrize("save", SAVES, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()) or "shipped")
def test_both_paths_agree_after_each_save(node_root: Path, flavour: str, save: dict[str, str]) -> None:
    root = make_el_root(node_root) if flavour == "el" else node_root
    if save:
        engine(root).apply(save)
    for section in READERS:
        quick, full = both(root, section)
        assert quick is not None, section  # the page's plain read answered itself
    assert_same(root)


def test_a_save_then_clearing_it_agrees_too(node_root: Path) -> None:
    engine(node_root).apply({"logging.rsyslog.server": "logs.example.com"})
    engine(node_root).apply({"logging.rsyslog.server": ""})
    assert logs_quick.values(Root.at(node_root)) is not None
    assert_same(node_root)


def test_the_settings_file_decides_when_the_files_say_nothing(node_root: Path) -> None:
    for name in os.listdir(node_root / KEYFILES):
        (node_root / KEYFILES / name).unlink()
    (node_root / KEYFILES).rmdir()
    (node_root / "etc/resolv.conf").unlink()
    with (node_root / "etc/default/ovirt").open("a") as settings:
        settings.write('OVIRT_NETWORK_INTERFACES="eth0:ipv4=dhcp,ipv6=none"\nOVIRT_BOOTPROTO=dhcp\n'
                       "OVIRT_DNS='192.0.2.7'\nOVIRT_SYSLOG_SERVER=logs.example.com\nOVIRT_SYSLOG_PORT=\n"
                       "OVIRT_NETCONSOLE_SERVER=192.0.2.8\n")
    assert network_quick.values(Root.at(node_root)) == {
        "network.interfaces": "eth0:ipv4=dhcp,ipv6=none", "network.bootproto": "dhcp", "network.dns": "192.0.2.7"}
    assert_same(node_root)


def test_resolv_conf_as_a_link_is_followed_inside_the_root(node_root: Path) -> None:
    run = node_root / "run/NetworkManager"
    run.mkdir(parents=True)
    (run / "resolv.conf").write_text("# by NM\nnameserver 198.51.100.53\nsearch lab.example\n")
    (node_root / "etc/resolv.conf").unlink()
    (node_root / "etc/resolv.conf").symlink_to("/run/NetworkManager/resolv.conf")
    assert (network_quick.values(Root.at(node_root)) or {}).get("network.dns") == "198.51.100.53"
    assert_same(node_root)


def write(root: Path, path: str, text: str) -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


#: Trees the plain reads leave to the engine: (section, file, its text).
ODD: list[tuple[str, str, str]] = [
    ("network", f"/{KEYFILES}/eth1.nmconnection", "[connection]\ntype = ethernet\n"),  # spaces around =
    ("network", f"/{KEYFILES}/eth1.nmconnection", "[connection]\ntype=ethernet\n[connection]\nid=x\n"),
    ("network", f"/{KEYFILES}/eth1.nmconnection", "id=eth1\n[connection]\n"),  # a key before a section
    ("network", f"/{KEYFILES}/eth1.nmconnection", "[connection]\ntype=ethernet"),  # no last newline
    ("network", f"/{KEYFILES}/eth1.nmconnection", "[connection]\ntype=ethernet\ntype=bond\n"),
    ("network", f"/{KEYFILES}/other-eth0.nmconnection", "[connection]\ntype=ethernet\ninterface-name=eth0\n"),
    ("network", f"/{KEYFILES}/.hidden.nmconnection", "[connection]\ntype=ethernet\n"),
    ("network", "/etc/NetworkManager/conf.d/90-ovirt-node-dns.conf", "[global-dns-domain-*]\nservers=1.2.3.4\r\n"),
    ("network", "/etc/default/ovirt", 'export OVIRT_DNS="192.0.2.1"\n'),
    ("network", "/etc/default/ovirt", 'OVIRT_DNS="192.0.2.1"  # trailing\n'),
    ("network", "/etc/default/ovirt", 'OVIRT_BOOTIF="e\\"th0"\n'),
    ("network", "/etc/default/ovirt", "OVIRT_DNS=192.0.2.1\nOVIRT_DNS=192.0.2.2\n"),
    ("logging", "/etc/default/ovirt", "if true; then\n"),
    ("logging", "/etc/rsyslog.d/ovirt-node-remote.conf", "*.* @@logs.example.com:514;RSYSLOG_ForwardFormat\n"),
    ("logging", "/etc/rsyslog.d/ovirt-node-remote.conf", "*.* action(type=\"omfwd\" target=\"x\")\n"),
    ("logging", "/etc/rsyslog.d/ovirt-node-remote.conf", "$ActionQueueType LinkedList # why\n*.* @h\n"),
]


@pytest.mark.parametrize(("section", "path", "text"), ODD, ids=lambda v: repr(v)[:40] if isinstance(v, str) else v)
def test_what_the_plain_reads_do_not_take_goes_to_the_engine(node_root: Path, section: str, path: str,
                                                             text: str) -> None:
    write(node_root, path, text)
    root = Root.at(node_root)
    before = snapshot(node_root)
    assert READERS[section](root) is None
    # The page asks the engine then: its value, or its error, is what the page shows.
    ctx = PageContext(engine=engine(node_root), machine=load_profile(profile_path("demo")), root=root, demo=True)
    try:
        shown: object = status._values(ctx, section)
        expected: object = engine(node_root).values([section])
    except Exception as exc:  # noqa: BLE001 - the engine refuses it: the page says why
        shown, expected = type(exc), type(exc)
    assert shown == expected
    assert snapshot(node_root) == before


@pytest.mark.parametrize("odd", ["symlink out", "symlink in", "fifo", "directory", "not utf-8"])
def test_odd_files_go_to_the_engine(node_root: Path, tmp_path: Path, odd: str) -> None:
    keyfile = node_root / KEYFILES / "eth0.nmconnection"
    if odd == "symlink out":
        outside = tmp_path / "outside.nmconnection"
        outside.write_text(keyfile.read_text())
        keyfile.unlink()
        keyfile.symlink_to(outside)
    elif odd == "symlink in":
        keyfile.rename(node_root / "etc/eth0.keep")
        keyfile.symlink_to("/etc/eth0.keep")
    elif odd == "fifo":
        keyfile.unlink()
        os.mkfifo(keyfile)
    elif odd == "directory":
        (node_root / KEYFILES / "eth9.nmconnection").mkdir()
    else:
        keyfile.write_bytes(keyfile.read_bytes().replace(b"id=eth0", b"id=eth\xff"))
    before = snapshot(node_root)
    assert network_quick.values(Root.at(node_root)) is None
    assert network_quick.bootif(Root.at(node_root)) == ""  # the settings file alone is plain
    assert snapshot(node_root) == before


def test_a_keyfile_name_augeas_would_quote_goes_to_the_engine(node_root: Path) -> None:
    (node_root / KEYFILES / "eth0.nmconnection").rename(node_root / KEYFILES / "eth 0.nmconnection")
    assert network_quick.values(Root.at(node_root)) is None


def test_a_broken_file_the_values_do_not_come_from_leaves_them_shown(node_root: Path) -> None:
    """On purpose: the engine's read of the whole section fails on a bad /etc/hosts; the
    Status page still shows the connections and DNS (the Network page says what is wrong)."""
    write(node_root, "/etc/hosts", "127.0.0.1 localhost\n192.0.2.1\n")  # an address without a name
    with pytest.raises(Exception, match="hosts"):
        engine(node_root).values(["network"])
    assert network_quick.values(Root.at(node_root)) == {
        "network.interfaces": "eth0:ipv4=dhcp,ipv6=auto", "network.bootproto": "dhcp",
        "network.dns": "192.0.2.53,192.0.2.54"}
