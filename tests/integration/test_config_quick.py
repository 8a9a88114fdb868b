"""`ovirt-node-config get KEY`'s fast path (cli/config_fast.py, areas/quick.py) says exactly
what the full path (the parser and the engine) says, for every key of the registry, on the
demo root, on an EL root and on trees made odd on purpose; where it cannot be sure it leaves
the answer to the full path, and it reads the keys it knows without importing the engine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from ovirt_node.areas import quick
from ovirt_node.areas.registry import builtin_sections
from ovirt_node.cli import config
from ovirt_node.core.runstate import JOURNAL_DIR, LOCK_PATH
from tests.integration.el_node import make_el_root
from tests.node_fixtures import snapshot

ALL_KEYS = [key.name for section in builtin_sections() for key in section.keys]

Outcome = tuple[object, str, str]


def outcome(run: Callable[[Sequence[str]], int], argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> Outcome:
    """Exit code (or the exception's type and text), stdout and stderr of one in-process run."""
    try:
        code: object = run(argv)
    except BaseException as exc:  # noqa: BLE001 - the two paths must fail alike too
        code = (type(exc).__name__, str(exc))
    out, err = capsys.readouterr()
    return code, out, err


def same(root: Path, key: str, capsys: pytest.CaptureFixture[str]) -> Outcome:
    """The outcome of `get KEY` through main (the fast path first), asserted equal to the full path's."""
    argv = ["--root", str(root), "get", key]
    fast = outcome(config.main, argv, capsys)
    assert fast == outcome(config.full, argv, capsys), key
    return fast


def answered(root: Path, key: str) -> bool:
    """Whether the fast path answers `key` itself on this tree (not handing it to the full path)."""
    return quick.read(os.path.realpath(root), key) is not None


@pytest.mark.parametrize("flavour", ["demo", "el"])
def test_every_key_reads_the_same_on_both_paths(node_root: Path, flavour: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = make_el_root(node_root) if flavour == "el" else node_root
    before = snapshot(root)
    for key in ALL_KEYS:
        code, out, err = same(root, key, capsys)
        assert (code, err) == (0, ""), (key, out, err)
    assert set(quick.KEYS) <= set(ALL_KEYS)
    assert [key for key in quick.KEYS if not answered(root, key)] == []
    assert snapshot(root) == before and not (root / "run").exists()  # a read writes nothing


#: Trees where the files say something else than on the demo root: key -> (file edits, expected value).
VARIANTS: list[tuple[str, dict[str, str | None], str]] = [
    ("ssh.port", {"/etc/ssh/sshd_config": "Port 2222\nMatch User x\n  Port 1\n"}, "2222"),
    ("ssh.port", {"/etc/ssh/sshd_config": "# nothing\n", "/etc/default/ovirt": 'OVIRT_SSH_PORT="2200"\n'}, "22"),
    ("ssh.port", {"/etc/ssh/sshd_config": None, "/etc/default/ovirt": 'OVIRT_SSH_PORT="2200"\n'}, "2200"),
    ("ssh.port", {"/etc/ssh/sshd_config": None, "/etc/default/ovirt": "# none\n"}, "22"),
    ("ssh.pwauth", {"/etc/ssh/sshd_config": "PasswordAuthentication TRUE\n"}, "yes"),
    ("ssh.pwauth", {"/etc/ssh/sshd_config": "Port 22\n"}, "yes"),
    ("ssh.pwauth", {"/etc/ssh/sshd_config": None, "/etc/default/ovirt": "OVIRT_SSH_PWAUTH=yes\n"}, "yes"),
    ("iscsi.initiator_name", {"/etc/iscsi/initiatorname.iscsi": None,
                              "/etc/default/ovirt": "OVIRT_ISCSI_NAME='iqn.2001-04.com.example:old'\n"},
     "iqn.2001-04.com.example:old"),
    ("iscsi.initiator_name", {"/etc/iscsi/initiatorname.iscsi": 'InitiatorName="iqn.2001-04.com.example:q"\n'},
     "iqn.2001-04.com.example:q"),
    ("iscsi.initiator_name", {"/etc/iscsi/initiatorname.iscsi": "# none yet\n",
                              "/etc/default/ovirt": 'OVIRT_ISCSI_NAME="iqn.2001-04.com.example:old"\n'
                                                    'OVIRT_ISCSI_NODE_NAME="iqn.2001-04.com.example:new"\n'},
     "iqn.2001-04.com.example:new"),
    ("keyboard.keymap", {"/etc/vconsole.conf": 'KEYMAP="de"\n'}, "de"),
    ("keyboard.keymap", {"/etc/vconsole.conf": "FONT=x\n", "/etc/default/ovirt": "OVIRT_KEYBOARD_LAYOUT=fr\n"}, "us"),
    ("keyboard.keymap", {"/etc/vconsole.conf": None, "/etc/default/ovirt": "OVIRT_KEYBOARD_LAYOUT=fr\n"}, "fr"),
    ("nfsv4.domain", {"/etc/idmapd.conf": "[General]\nDomain = example.org\n"}, "example.org"),
    ("nfsv4.domain", {"/etc/idmapd.conf": None, "/etc/default/ovirt": "OVIRT_NFSV4_DOMAIN=lab.example\n"},
     "lab.example"),
    ("lifecycle.report_url", {"/etc/default/ovirt": 'OVIRT_REPORT_URL="https://e.example/\\$x \\"q\\""\n'},
     'https://e.example/$x "q"'),
    # Twice in the defaults file: the engine's reading finds neither (its labels get [1], [2]).
    ("lifecycle.report_url", {"/etc/default/ovirt": "OVIRT_REPORT_URL=a\nOVIRT_REPORT_URL=b\n"}, ""),
]


def edit(root: Path, files: dict[str, str | None]) -> None:
    for path, text in files.items():
        target = root / path.lstrip("/")
        if text is None:
            target.unlink(missing_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)


@pytest.mark.parametrize(("key", "files", "value"), VARIANTS)
def test_the_fast_path_follows_the_areas_rules(node_root: Path, key: str, files: dict[str, str | None], value: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    edit(node_root, files)
    assert answered(node_root, key)
    assert same(node_root, key, capsys) == (0, value + "\n", "")


def symlink_out(root: Path, path: str, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.write_text("Port 1\n")
    target = root / path.lstrip("/")
    target.unlink(missing_ok=True)
    target.symlink_to(outside)


def odd(name: str, root: Path, tmp_path: Path) -> None:
    """Make `root` odd in the way `name` says."""
    if name == "sshd_config leads out":
        symlink_out(root, "/etc/ssh/sshd_config", tmp_path)
    elif name == "sshd_config links inside":
        (root / "etc/ssh/sshd_config").rename(root / "etc/ssh/real_config")
        (root / "etc/ssh/sshd_config").symlink_to("real_config")
    elif name == "admin's keys lead out":
        (root / "home/admin/.ssh").mkdir(parents=True, exist_ok=True)
        symlink_out(root, "/home/admin/.ssh/authorized_keys", tmp_path)
    elif name == "a relative home":
        passwd = root / "etc/passwd"
        passwd.write_text(passwd.read_text().replace(":/root:", ":root:"))
    elif name == "sshd_config is a directory":
        (root / "etc/ssh/sshd_config").unlink()
        (root / "etc/ssh/sshd_config").mkdir()
    elif name == "defaults is a FIFO":
        (root / "etc/default/ovirt").unlink()
        os.mkfifo(root / "etc/default/ovirt")
    elif name == "two Port lines":
        (root / "etc/ssh/sshd_config").write_text("Port 22\nPort 2222\n")
    elif name == "sshd_config unparsable":
        (root / "etc/ssh/sshd_config").write_text("Port\n")
    elif name == "a word that is not a boolean":
        (root / "etc/ssh/sshd_config").write_text("PasswordAuthentication maybe\n")
    elif name == "an interrupted change":
        (root / JOURNAL_DIR.lstrip("/")).mkdir(parents=True)
    elif name == "a lock file":
        (root / LOCK_PATH.lstrip("/")).parent.mkdir(parents=True)
        (root / LOCK_PATH.lstrip("/")).write_text("")
    else:
        raise AssertionError(name)


ODD = ["sshd_config leads out", "sshd_config links inside", "admin's keys lead out", "a relative home",
       "sshd_config is a directory", "defaults is a FIFO", "two Port lines", "sshd_config unparsable",
       "a word that is not a boolean", "an interrupted change", "a lock file"]


@pytest.mark.parametrize("name", ODD)
def test_what_the_fast_path_cannot_be_sure_of_takes_the_full_path(node_root: Path, tmp_path: Path, name: str,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A link, a special file, an Augeas error, a value the engine refuses, a change to finish:
    the fast path hands over, and the user sees exactly the full path's answer."""
    odd(name, node_root, tmp_path)
    key = "ssh.pwauth" if name == "a word that is not a boolean" else "ssh.port"
    assert not answered(node_root, key)
    code, out, err = same(node_root, key, capsys)
    if name in ("sshd_config leads out", "admin's keys lead out", "sshd_config is a directory",
                "defaults is a FIFO", "sshd_config unparsable"):
        assert code == 1 and out == "" and err.startswith("ovirt-node-config: "), (code, out, err)


def test_bad_roots_and_other_shapes_take_the_full_path(tmp_path: Path, node_root: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing"
    for argv in (["--root", str(missing), "get", "ssh.port"], ["--root", str(node_root), "--debug", "get", "ssh.port"],
                 ["--root", str(node_root), "get", "network.hostname"], ["--root", str(node_root), "get", "ssh.prot"]):
        assert config_fast_get(argv) is None, argv
    code, out, err = outcome(config.main, ["--root", str(missing), "get", "ssh.port"], capsys)
    assert (code, out, err) == (("SystemExit", "2"), "", f"--root {missing}: not a directory\n")


def config_fast_get(argv: list[str]) -> int | None:
    from ovirt_node.cli import config_fast

    return config_fast.get(argv)


PROBE = """
import sys
from ovirt_node.cli.config import main
code = main(sys.argv[1:])
print("MODULES", " ".join(sorted(sys.modules)), "EXIT", code)
"""


def test_the_fast_path_imports_neither_argparse_nor_the_engine(node_root: Path) -> None:
    """What costs a plain read its time: none of it is imported for a key the fast path knows."""
    result = subprocess.run([sys.executable, "-c", PROBE, "--root", str(node_root), "get", "ssh.port"],
                            capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.startswith("22\nMODULES "), result.stdout
    modules = set(result.stdout.split()[2:-2])
    assert result.stdout.split()[-1] == "0"
    heavy = {"argparse", "logging", "dataclasses", "typing", "ovirt_node.core.engine", "ovirt_node.areas.ssh",
             "ovirt_node.core.valid", "ovirt_node.cli.common", "signal"}
    assert modules & heavy == set()
    assert "augeas" in modules


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_during_the_fast_read_ends_it_as_the_full_path_does(
        node_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], signum: int) -> None:
    """SIGTERM, SIGHUP or SIGINT while the key is read: the message and exit code 128+N of the
    full path's SignalGuard, nothing printed on stdout, and the handlers put back after."""
    real_read = quick.read

    def read_then_signalled(prefix: str, key: str) -> str | None:
        value = real_read(prefix, key)
        os.kill(os.getpid(), signum)
        return value

    monkeypatch.setattr(quick, "read", read_then_signalled)
    before = signal.getsignal(signum)
    code, out, err = outcome(config.main, ["--root", str(node_root), "get", "ssh.port"], capsys)
    assert (code, out, err) == (128 + signum, "", f"ovirt-node-config: interrupted by {signal.Signals(signum).name}\n")
    assert signal.getsignal(signum) == before
