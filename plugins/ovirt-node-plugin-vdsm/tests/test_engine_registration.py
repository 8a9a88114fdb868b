"""Registration against a local HTTPS "engine" (127.0.0.1, a CA made with openssl): the right
fingerprint registers, a wrong one is refused with nothing kept, a server that is down gives a
clear error; the CLI, the kernel arguments and bad input."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from engine_server import SSH_KEY, FakeEngine
from ovirt_node_vdsm import pki
from ovirt_node_vdsm.config import EngineRegistration

from ovirt_node.api import Context, Engine, Root, TransactionError, all_sections
from tests.node_fixtures import changed_paths, run_config, snapshot

CA = "etc/pki/vdsm/certs/cacert.pem"


def engine(root: Path) -> Engine:
    return Engine(Context(root=Root.at(root)), all_sections())


def defaults(root: Path) -> str:
    return (root / "etc/default/ovirt").read_text()


def test_fingerprint_is_the_one_openssl_prints(fake_engine: FakeEngine) -> None:
    pem = pki.fetch_ca("127.0.0.1", fake_engine.port)
    assert pki.fingerprint(pem) == fake_engine.fingerprint
    assert pki.normalize(fake_engine.fingerprint.replace(":", "").lower()) == fake_engine.fingerprint


def test_the_right_fingerprint_registers_the_node(node_root: Path, fake_engine: FakeEngine) -> None:
    assert isinstance(engine(node_root).sections["engine"], EngineRegistration)
    engine(node_root).apply({"engine.server": "127.0.0.1", "engine.port": str(fake_engine.port),
                             "engine.fingerprint": fake_engine.fingerprint.replace(":", "").lower()})
    assert (node_root / CA).read_text() == fake_engine.ca_pem
    assert (node_root / "root/.ssh/authorized_keys").read_text() == SSH_KEY + "\n"
    assert (node_root / "root/.ssh/authorized_keys").stat().st_mode & 0o777 == 0o600
    [query] = fake_engine.registrations
    assert query["command"] == ["register"] and query["name"] == ["demo-node.example.com"]
    text = defaults(node_root)
    assert f'MANAGED_BY="oVirt Engine https://127.0.0.1:{fake_engine.port}"' in text
    assert 'MANAGED_IFNAMES="ovirtmgmt"' in text and 'OVIRT_MANAGEMENT_SERVER="127.0.0.1"' in text
    assert engine(node_root).values(["engine"])["engine.fingerprint"] == fake_engine.fingerprint  # from the CA file


def test_a_wrong_fingerprint_is_refused_and_nothing_is_kept(node_root: Path, fake_engine: FakeEngine) -> None:
    before = snapshot(node_root)
    wrong = "AB:" * 31 + "CD"
    with pytest.raises(TransactionError) as err:
        engine(node_root).apply({"engine.server": "127.0.0.1", "engine.port": str(fake_engine.port),
                                 "engine.fingerprint": wrong})
    assert f"has the fingerprint {fake_engine.fingerprint}, not the accepted {wrong}" in str(err.value)
    assert "rolled back" in str(err.value)
    assert changed_paths(before, snapshot(node_root)) == set() and fake_engine.registrations == []


def test_a_server_that_is_down_gives_a_clear_error(node_root: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(pki.EngineError, match=f"https://127.0.0.1:{port}/ovirt-engine/services/pki-resource: "
                                              "connection refused"):
        pki.fetch_ca("127.0.0.1", port)
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", "engine.server=127.0.0.1", f"engine.port={port}",
                        "engine.fingerprint=" + "AB" * 32)
    assert result.returncode == 3 and "connection refused" in result.stderr
    assert changed_paths(before, snapshot(node_root)) == set()


@pytest.mark.parametrize(("assignment", "message"), [
    ("engine.server=engine example", "invalid engine.server"),
    ("engine.port=70000", "invalid engine.port"),
    ("engine.fingerprint=12:34", "invalid engine.fingerprint: must be a SHA-256 fingerprint"),
])
def test_bad_input_exits_2_and_writes_nothing(node_root: Path, assignment: str, message: str) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", assignment)
    assert result.returncode == 2 and message in result.stderr
    assert changed_paths(before, snapshot(node_root)) == set()


def test_kernel_arguments_auto_accept_only_a_matching_fingerprint(node_root: Path, fake_engine: FakeEngine) -> None:
    server = f"management_server=127.0.0.1:{fake_engine.port}"
    only_address = run_config("--root", str(node_root), "cmdline", server)
    assert only_address.returncode == 0, only_address.stderr
    assert f'OVIRT_MANAGEMENT_PORT="{fake_engine.port}"' in defaults(node_root)
    assert not (node_root / CA).exists() and "MANAGED_BY=\"oVirt" not in defaults(node_root)

    bad = run_config("--root", str(node_root), "cmdline", server, "management_server_fingerprint=nonsense")
    assert "skipped: management_server_fingerprint=nonsense: engine.fingerprint: must be" in bad.stdout
    assert not (node_root / CA).exists()

    wrong = run_config("--root", str(node_root), "cmdline", server, "management_server_fingerprint=" + "0" * 64)
    assert wrong.returncode == 3 and "not the accepted" in wrong.stderr and not (node_root / CA).exists()

    right = run_config("--root", str(node_root), "cmdline", server,
                       f"management_server_fingerprint={fake_engine.fingerprint}")
    assert right.returncode == 0, right.stderr
    assert (node_root / CA).exists() and len(fake_engine.registrations) == 1


def test_clearing_the_server_forgets_the_engine(node_root: Path, fake_engine: FakeEngine) -> None:
    engine(node_root).apply({"engine.server": "127.0.0.1", "engine.port": str(fake_engine.port),
                             "engine.fingerprint": fake_engine.fingerprint})
    engine(node_root).apply({"engine.server": ""})
    assert not (node_root / CA).exists() and "MANAGED_BY" not in defaults(node_root)
