"""Nothing leaked, nothing hangs: hostile files and arguments get a clear refusal (exit 2,
nothing written) — never a traceback, a run of minutes or a secret echoed back."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from ovirt_node.areas.registry import builtin_sections
from ovirt_node.cli import boot, config, config_change, installer, persist, setup, upgrade
from ovirt_node.core.untrusted import MAX_DEPTH, MAX_ENTRIES, MAX_FILE_BYTES
from tests.node_fixtures import DEMO_ROOT, changed_paths, node_root, run_config, snapshot  # noqa: F401  (a fixture)

#: 820 bytes of YAML that expand to 9^9 strings ("billion laughs").
LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True))


# The config CLI imports its change commands and the areas when first asked: done here, so the
# timings below are the refusals' own, not a first import's (a loaded machine takes 0.3 s for it).
assert config_change.main and builtin_sections()


def _timed(call: Callable[[], int]) -> tuple[int, float]:
    start = time.monotonic()
    try:
        code = call()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    return code, time.monotonic() - start


# -- ovirt-node-config apply ---------------------------------------------------------------------

@pytest.mark.parametrize(("content", "message"), [
    (b"ssh:\n  port: \xff\xfe22\n", "not UTF-8 text (byte 0xff at offset 13)"),
    (b"a: " + b"[" * 5000 + b"]" * 5000, f"nested deeper than the limit of {MAX_DEPTH} levels"),
    (b"a:\n" + b"".join(b"  " * i + b"k:\n" for i in range(1, 300)), f"nested deeper than the limit of {MAX_DEPTH}"),
    (LAUGHS.encode(), "aliases (*name) are not accepted (line 2, column 8)"),
    (b"a: 1\n" + b"#" * MAX_FILE_BYTES, f"larger than the limit of {MAX_FILE_BYTES // 1024} KiB"),
    ("".join(f"k{i}: 1\n" for i in range(200_000)).encode(), "larger than the limit of 1024 KiB"),
    ("".join(f"k{i}: 1\n" for i in range(MAX_ENTRIES + 1)).encode(), f"more than the limit of {MAX_ENTRIES} entries"),
])
def test_apply_refuses_hostile_files_at_once(node_root: Path, tmp_path: Path,  # noqa: F811
                                             capsys: pytest.CaptureFixture[str], content: bytes, message: str) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_bytes(content)
    before = snapshot(node_root)
    code, took = _timed(lambda: config.main(["--root", str(node_root), "apply", str(answers)]))
    out, err = capsys.readouterr()
    assert code == 2, err
    assert f"ovirt-node-config: {answers}: {message}" in err and "Nothing was changed." in err
    assert "Traceback" not in err and out == ""
    assert took < 1.0, took  # "at once": the refusals it replaced took 25 to 89 s
    assert snapshot(node_root) == before


@pytest.mark.parametrize("content", ['{"ssh": {"pwauth": true}}', "ssh: &s\n  pwauth: true\n"])
def test_apply_still_takes_json_and_yaml_with_an_unused_anchor(node_root: Path, tmp_path: Path,  # noqa: F811
                                                                content: str) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(content)
    assert config.main(["--root", str(node_root), "apply", "--dry-run", str(answers)]) == 0


# -- installer answers ----------------------------------------------------------------------------

def _install(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes) -> tuple[int, str, str, float]:
    answers = tmp_path / "answers.toml"
    answers.write_bytes(content)
    code, took = _timed(lambda: installer.main(["--dry-run", "--machine", "demo", "--root", str(DEMO_ROOT),
                                                "--image", "/nonexistent.iso", "--answers", str(answers)]))
    out, err = capsys.readouterr()
    return code, out, err, took


@pytest.mark.parametrize(("content", "message"), [
    (b"mode = '\xc3\x28'\n", "not UTF-8 text (byte 0xc3 at offset 8)"),
    (b"a = " + b"[" * 5000 + b"]" * 5000, f"nested deeper than the limit of {MAX_DEPTH} levels"),
    (b"a = " + b"{b = " * 5000 + b"1" + b"}" * 5000, f"nested deeper than the limit of {MAX_DEPTH} levels"),
    (b"[sizes]\novercommit = inf\n", "the memory overcommit factor must be a number up to 1000 (inf)"),
    (b"[sizes]\novercommit = nan\n", "the memory overcommit factor must be a number up to 1000 (nan)"),
    (b"[sizes]\novercommit = 1e308\n", "the memory overcommit factor must be a number up to 1000"),
    (b"boot_disk = '/dev/vda'\ndata_disks = [" + b"'a'," * 100_000 + b"]\n",
     f"more than the limit of {MAX_ENTRIES} entries"),
    (b"boot_disk = '/dev/vda'\ndata_disks = [" + b"'/dev/vdb'," * 65 + b"]\n", "data_disks: at most 64 disks, not 65"),
    ("".join(f"k{i} = 1\n" for i in range(200_000)).encode(), "larger than the limit of 1024 KiB"),
    ("".join(f"k{i} = 1\n" for i in range(2_000)).encode(), f"more than the limit of {MAX_ENTRIES} entries"),
])
def test_installer_answers_refuse_hostile_files_at_once(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                        content: bytes, message: str) -> None:
    code, out, err, took = _install(capsys, tmp_path, content)
    assert code == 2 and out == "", err
    assert message in err and "Traceback" not in err
    assert took < 1.0, took  # "at once": the refusals it replaced took 25 to 89 s


@pytest.mark.parametrize("content", [
    'password = "Hunter2Secret"\n',
    '[password]\nadmin = ["Hunter2Secret"]\n',
    '[password]\ncurrent = {x = "Hunter2Secret"}\n',
])
def test_installer_answers_errors_never_echo_a_password(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                        content: str) -> None:
    code, out, err, _ = _install(capsys, tmp_path, content.encode())
    assert code == 2 and out == ""
    assert "must be" in err and "Hunter2Secret" not in err


def test_installer_answers_password_type_error_says_what_it_is(capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    _, _, err, _ = _install(capsys, tmp_path, b'password = "Hunter2Secret"\n')
    assert "[password]: must be a table, not a str" in err


# -- persist --------------------------------------------------------------------------------------

def test_persist_refuses_a_path_longer_than_path_max(node_root: Path,  # noqa: F811
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(node_root)
    long_path = "/etc/" + "a/" * 2100
    code = persist.persist_main(["--root", str(node_root), long_path])
    err = capsys.readouterr().err
    assert code == 2
    assert "the path is longer than the limit of 4095 bytes" in err and "Traceback" not in err
    code = persist.persist_main(["--root", str(node_root), "/etc/" + "n" * 256])
    assert code == 2 and "a name in the path is longer than the limit of 255 bytes" in capsys.readouterr().err
    assert snapshot(node_root) == before


# -- --root of every console script ----------------------------------------------------------------

SCRIPTS: list[tuple[str, Callable[[Sequence[str]], int], list[str]]] = [
    ("ovirt-node-setup", setup.main, []),
    ("ovirt-node-installer", installer.main, ["--dry-run"]),
    ("ovirt-node-upgrade", upgrade.main, ["--rollback"]),
    ("ovirt-node-config", config.main, ["show"]),
    ("persist", lambda argv: persist.persist_main(list(argv)), ["--list"]),
    ("unpersist", lambda argv: persist.unpersist_main(list(argv)), ["/etc/hosts"]),
    ("ovirt-node-restore-config", lambda argv: persist.restore_main(list(argv)), []),
    ("ovirt-node-boot", boot.main, ["decide"]),
]


@pytest.mark.parametrize(("name", "main", "extra"), SCRIPTS, ids=[s[0] for s in SCRIPTS])
def test_missing_root_is_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str,
                                   main: Callable[[Sequence[str]], int], extra: list[str]) -> None:
    missing = tmp_path / "nonexistent"
    code, _ = _timed(lambda: main(["--root", str(missing), *extra]))
    err = capsys.readouterr().err
    assert code == 2, (name, err)
    assert f"--root {missing}: not a directory" in err
    assert not missing.exists()


# -- quadratic costs: bonds and connections --------------------------------------------------------

def _nics(count: int) -> str:
    return ",".join(f"eth{i}" for i in range(count))


def test_a_bond_of_ten_thousand_slaves_is_refused_at_once(node_root: Path,  # noqa: F811
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(node_root)
    code, took = _timed(lambda: config.main(["--root", str(node_root), "set", "network.bond.name=bond0",
                                             f"network.bond.slaves={_nics(10_000)}"]))
    err = capsys.readouterr().err
    assert code == 2 and took < 0.5, (code, took)
    assert "invalid network.bond.slaves: at most 32 slaves per bond, not 10000" in err
    assert "Nothing was changed." in err
    assert snapshot(node_root) == before


def test_a_bond_kernel_argument_of_ten_thousand_slaves_is_skipped_at_once(node_root: Path,  # noqa: F811
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(node_root)
    code, took = _timed(lambda: config.main(["--root", str(node_root), "cmdline", f"bond=bond0:{_nics(10_000)}"]))
    out = capsys.readouterr().out
    assert code == 0 and took < 0.5, (code, took)
    assert "network.bond.slaves: at most 32 slaves per bond, not 10000" in out
    assert "No settings in the kernel arguments." in out
    assert snapshot(node_root) == before


def test_thirty_two_slaves_are_still_a_bond(node_root: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    code = config.main(["--root", str(node_root), "set", "network.bond.name=bond0", f"network.bond.slaves={_nics(33)}"])
    assert code == 2 and "at most 32 slaves per bond, not 33" in capsys.readouterr().err
    # 32 pass the limit: what refuses them now is the node's own rule about the NIC in use.
    config.main(["--root", str(node_root), "set", "network.bond.name=bond0", f"network.bond.slaves={_nics(32)}"])
    assert "at most 32" not in capsys.readouterr().err


def test_many_connections_are_refused_at_once(node_root: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    before = snapshot(node_root)
    spec = ";".join(f"eth{i}:master=bond0" for i in range(10_000))
    code, took = _timed(lambda: config.main(["--root", str(node_root), "set", f"network.interfaces={spec}"]))
    err = capsys.readouterr().err
    assert code == 2 and took < 0.5, (code, took)
    assert "at most 256 connections, not 10000" in err
    assert snapshot(node_root) == before


def test_a_bond_of_thirty_three_slaves_in_connections_is_refused() -> None:
    from ovirt_node.network.model import check_network, parse_spec
    spec = "bond0:type=bond,mode=active-backup,ipv4=dhcp,ipv6=none;" + ";".join(
        f"eth{i}:master=bond0" for i in range(33))
    assert "bond0: at most 32 slaves per bond, not 33" in check_network(parse_spec(spec))


def test_an_unpaired_surrogate_is_refused_not_a_traceback(node_root: Path, tmp_path: Path) -> None:  # noqa: F811
    """JSON's (and YAML's) \\ud800 escapes give a string no file can hold; found by the fuzz of
    `apply` (tests/integration/test_fuzz_front_doors.py): it was a UnicodeEncodeError traceback."""
    answers = tmp_path / "answers.json"
    answers.write_text('{"ssh.root_authorized_keys": "\\ud800\\udc00", "network.hostname": "a\\udfffb"}')
    before = snapshot(node_root)
    done = run_config("--root", str(node_root), "apply", str(answers))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "invalid ssh.root_authorized_keys: must be text: it holds an unpaired surrogate" in done.stderr
    assert "invalid network.hostname: must be text" in done.stderr
    assert changed_paths(before, snapshot(node_root)) == set()


# -- found by the campaign (tests/campaign, docs/robustness.md) -------------------------------------

@pytest.mark.parametrize(("content", "message"), [
    (b"ssh.port: " + b"9" * 5000 + b"\n", "holds a number longer than the limit of 4300 digits"),
    (b"ssh.port: 2222\nssh.port: 2223\n", "the key 'ssh.port' is given twice (line 2, column 1)"),
    (b'{"ssh.port": "2222", "ssh.port": "2223"}', "the key 'ssh.port' is given twice (line 1, column 22)"),
    (b"ssh.port: 2222\nssh:\n  port: 2223\n", "ssh.port: given twice (as a dotted key and inside its section)"),
    (b"ssh:\n  port: 2223\nssh.port: 2222\n", "ssh.port: given twice (as a dotted key and inside its section)"),
    (b"ssh.pwauth: {}\n", "ssh.pwauth: an empty mapping; give its value, or leave it out"),
])
def test_apply_refuses_ambiguous_or_oversized_answers(node_root: Path, tmp_path: Path,  # noqa: F811
                                                      capsys: pytest.CaptureFixture[str], content: bytes,
                                                      message: str) -> None:
    """A huge integer was a ValueError traceback; a key given twice (or dotted and in its
    section) silently took one of the two values; `key: {}` was applied as nothing at all."""
    answers = tmp_path / "answers.yaml"
    answers.write_bytes(content)
    before = snapshot(node_root)
    code = config.main(["--root", str(node_root), "apply", str(answers)])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert f"ovirt-node-config: {answers}: {message}" in err and "Nothing was changed." in err
    assert "Traceback" not in err and out == ""
    assert snapshot(node_root) == before


def test_installer_answers_refuse_a_huge_number(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err, _ = _install(capsys, tmp_path, b"[sizes]\nswap = " + b"9" * 5000 + b"\n")
    assert code == 2 and out == "", err
    assert "holds a number longer than the limit of 4300 digits" in err and "Traceback" not in err


def test_ctrl_c_outside_a_change_is_said_not_a_traceback(node_root: Path,  # noqa: F811
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """A SIGINT while the arguments are parsed (before any change guards the signals) came out
    as a KeyboardInterrupt traceback: the campaign's random-moment SIGINTs hit it. Python's own
    SIGINT handler is put on SIGALRM here, so a timer raises KeyboardInterrupt 2 ms into the
    run, while its 200,000 arguments are parsed (the test has no hook into the code)."""
    import signal

    before = snapshot(node_root)
    argv = ["--root", str(node_root), "set", *[f"ssh.port={n}" for n in range(200_000)]]  # parsed for >2 ms
    old = signal.signal(signal.SIGALRM, signal.default_int_handler)
    signal.setitimer(signal.ITIMER_REAL, 0.002)
    try:
        code = config.main(argv)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    err = capsys.readouterr().err
    assert code == 130, err
    assert "ovirt-node-config: interrupted by SIGINT (no change was in progress)" in err
    assert snapshot(node_root) == before
