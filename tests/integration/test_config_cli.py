"""`ovirt-node-config` end to end: a real process, real Augeas, a copied node tree,
the daemons' own checkers on what it writes, and a private D-Bus for unit restarts."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dbus_env import MockService
from tests.node_fixtures import REPO, changed_paths, run_config, snapshot

needs_root = pytest.mark.skipif(
    shutil.which("unshare") is None or __import__("os").geteuid() != 0, reason="needs root and unshare"
)


def show_json(root: Path) -> dict[str, dict[str, str]]:
    out = run_config("--root", str(root), "show", "--json", check=True)
    data: dict[str, dict[str, str]] = json.loads(out.stdout)
    return data


def test_set_changes_exactly_the_expected_files_and_show_reports_them(node_root: Path) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", "logging.rsyslog.server=log.example.com", "ssh.pwauth=yes")
    assert result.returncode == 0, result.stderr
    assert changed_paths(before, snapshot(node_root)) == {
        "/etc/default/ovirt",
        "/etc/ssh/sshd_config",
        "/etc/rsyslog.d/ovirt-node-remote.conf",
    }
    shown = show_json(node_root)  # a fresh process reads it back from the files
    assert shown["ssh.pwauth"] == {**shown["ssh.pwauth"], "value": "yes", "source": "system", "defaults_value": "yes"}
    assert shown["logging.rsyslog.server"]["value"] == "log.example.com"
    assert shown["logging.rsyslog.server"]["source"] == "system"
    assert shown["logging.rsyslog.port"]["value"] == "514"
    assert shown["logging.netconsole.server"]["source"] == "built-in"
    defaults = (node_root / "etc/default/ovirt").read_text()
    assert 'OVIRT_SYSLOG_SERVER="log.example.com"' in defaults and 'OVIRT_SSH_PWAUTH="yes"' in defaults


def test_get_and_second_set_is_a_no_op(node_root: Path) -> None:
    run_config("--root", str(node_root), "set", "ssh.port=2222", check=True)
    assert run_config("--root", str(node_root), "get", "ssh.port").stdout == "2222\n"
    before = snapshot(node_root)
    again = run_config("--root", str(node_root), "set", "ssh.port=2222")
    assert again.returncode == 0 and "Nothing to change" in again.stdout
    assert snapshot(node_root) == before


def test_sshd_options_go_before_the_match_block(node_root: Path) -> None:
    run_config("--root", str(node_root), "set", "ssh.port=2222", "ssh.pwauth=yes", check=True)
    lines = (node_root / "etc/ssh/sshd_config").read_text().splitlines()
    match_at = lines.index("Match User backup")
    assert lines.index("Port 2222") < match_at
    assert lines.index("PasswordAuthentication yes") < match_at
    assert "\tPasswordAuthentication no" in lines[match_at:]  # the Match block's own value is untouched


@pytest.fixture
def host_key(tmp_path: Path) -> Path:
    if not shutil.which("sshd"):
        pytest.skip("sshd is not installed")
    key = tmp_path / "hostkey"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd -t insists on its privilege separation dir
    return key


@pytest.mark.parametrize("changes", [
    ["ssh.pwauth=yes", "ssh.port=2222"],
    ["ssh.pwauth=no", "ssh.port=22"],
    ["ssh.port=65535"],
])
def test_generated_sshd_config_passes_sshd_t(node_root: Path, host_key: Path, changes: list[str]) -> None:
    run_config("--root", str(node_root), "set", *changes, check=True)
    check = subprocess.run(["/usr/sbin/sshd", "-t", "-f", str(node_root / "etc/ssh/sshd_config"), "-h", str(host_key)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("changes", [
    ["logging.rsyslog.server=log.example.com"],
    ["logging.rsyslog.server=192.0.2.7", "logging.rsyslog.port=10514", "logging.rsyslog.protocol=tcp"],
    ["logging.rsyslog.server=2001:db8::7", "logging.rsyslog.protocol=udp"],
])
def test_generated_rsyslog_config_passes_rsyslogd_n1(node_root: Path, changes: list[str]) -> None:
    if not shutil.which("rsyslogd") and not Path("/usr/sbin/rsyslogd").exists():
        pytest.skip("rsyslogd is not installed")
    run_config("--root", str(node_root), "set", *changes, check=True)
    conf = node_root / "etc/rsyslog.d/ovirt-node-remote.conf"
    check = subprocess.run(["/usr/sbin/rsyslogd", "-N1", "-f", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    shown = show_json(node_root)
    for change in changes:
        key, value = change.split("=", 1)
        assert shown[key]["value"] == value


def test_disabling_remote_syslog_removes_the_forward(node_root: Path) -> None:
    run_config("--root", str(node_root), "set", "logging.rsyslog.server=log.example.com", check=True)
    run_config("--root", str(node_root), "set", "logging.rsyslog.server=", check=True)
    conf = (node_root / "etc/rsyslog.d/ovirt-node-remote.conf").read_text()
    assert "log.example.com" not in conf
    assert "OVIRT_SYSLOG_SERVER" not in (node_root / "etc/default/ovirt").read_text()
    assert show_json(node_root)["logging.rsyslog.server"]["value"] == ""


@needs_root
def test_logrotate_sets_maxsize_and_passes_logrotate_d(node_root: Path) -> None:
    (node_root / "etc/logrotate.d/ovirt-node").write_text("/var/log/ovirt-node/*.log {\n    minsize 1M\n}\n")
    run_config("--root", str(node_root), "set", "logging.logrotate.max_size=2048",
               "logging.logrotate.interval=weekly", check=True)
    text = (node_root / "etc/logrotate.d/ovirt-node").read_text()
    assert "maxsize 2048k" in text and "weekly" in text
    assert "minsize" not in text  # 3.x's wrong option is gone
    # logrotate stats the log directory: give it one in a private namespace, not on the host.
    script = (
        "import os, subprocess, sys\n"
        "subprocess.run(['mount', '-t', 'tmpfs', 'tmpfs', '/var/log'], check=True)\n"
        "os.makedirs('/var/log/ovirt-node')\n"
        "sys.exit(subprocess.run(['/usr/sbin/logrotate', '-d', '-s', '/var/log/state', sys.argv[1]]).returncode)\n"
    )
    check = subprocess.run(
        ["unshare", "-m", "--propagation", "private", sys.executable, "-c", script,
         str(node_root / "etc/logrotate.d/ovirt-node")],
        capture_output=True, text=True,
    )
    assert check.returncode == 0, check.stderr
    assert "log files >= 2097152 are rotated earlier" in check.stderr + check.stdout


def test_netconsole_is_written(node_root: Path) -> None:
    # Debian (the demo node): the defaults file, read by ovirt-node-netconsole.service;
    # EL: /etc/sysconfig/netconsole (tests/integration/test_netconsole.py)
    run_config("--root", str(node_root), "set", "logging.netconsole.server=192.0.2.9", check=True)
    text = (node_root / "etc/default/ovirt").read_text()
    assert 'OVIRT_NETCONSOLE_SERVER="192.0.2.9"' in text
    assert not (node_root / "etc/sysconfig/netconsole").exists()


def test_dry_run_prints_the_plan_and_changes_nothing(node_root: Path) -> None:
    before = snapshot(node_root)
    out = run_config("--root", str(node_root), "set", "--dry-run", "ssh.pwauth=yes", check=True).stdout
    assert "Plan (" in out and "Configure the SSH daemon (/etc/ssh/sshd_config)" in out
    assert "Restart ssh.service  [skipped: root prefix" in out
    assert snapshot(node_root) == before


def test_answers_file_yaml_and_json(node_root: Path, tmp_path: Path) -> None:
    yaml_file = tmp_path / "answers.yaml"
    yaml_file.write_text("ssh:\n  pwauth: true\n  port: 2200\nlogging.rsyslog.server: log.example.com\n")
    run_config("--root", str(node_root), "apply", str(yaml_file), check=True)
    json_file = tmp_path / "answers.json"
    json_file.write_text(json.dumps({"logging": {"logrotate": {"interval": "monthly"}}}))
    run_config("--root", str(node_root), "apply", str(json_file), check=True)
    shown = show_json(node_root)
    assert [shown[k]["value"] for k in ("ssh.pwauth", "ssh.port", "logging.rsyslog.server",
                                         "logging.logrotate.interval")] == ["yes", "2200", "log.example.com", "monthly"]


# -- bad input: a clear error naming key and rule, exit 2, nothing written ------------------

@pytest.mark.parametrize(("args", "message"), [
    (["set", "ssh.port=0"], "invalid ssh.port: must be a port number from 1 to 65535"),
    (["set", "ssh.port=22", "ssh.pwauth=maybe"], "invalid ssh.pwauth: must be"),
    (["set", "no.such.key=1"], "invalid no.such.key: unknown key"),
    (["set", "logging.rsyslog.server=bad_host!"], "invalid logging.rsyslog.server: must be"),
    (["set", "logging.netconsole.server=2001:db8::1"], "invalid logging.netconsole.server"),
    (["set", "logging.logrotate.interval=hourly"], "invalid logging.logrotate.interval: must be one of"),
    (["set", "logging.logrotate.max_size=-5"], "invalid logging.logrotate.max_size"),
    (["set", "ssh.port"], "'ssh.port': expected KEY=VALUE"),
    (["set", "ssh.pwauth=yes\nPort 1"], "invalid ssh.pwauth: must not contain a line break"),
    (["get", "no.such.key"], "invalid no.such.key: unknown key"),
])
def test_bad_input_is_refused_and_nothing_is_written(node_root: Path, args: list[str], message: str) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert snapshot(node_root) == before


@pytest.mark.parametrize(("content", "message"), [
    ("ssh: [1, 2\n", "not valid TOML, YAML or JSON (as YAML: line 2, column 1)"),
    ("- just\n- a list\n", "must hold a mapping of keys to values"),
    ("ssh:\n  port: [22]\n", "ssh.port: a value must be a string, number or boolean, not a list"),
    ("", "the file is empty"),
    ('{"ssh.pwauth": "yes\\u0000"}', "invalid ssh.pwauth: must not contain a line break"),
    ('{"ssh.pwauth": "yes", "ssh.bogus": 1}', "invalid ssh.bogus: unknown key"),
])
def test_malformed_answers_file(node_root: Path, tmp_path: Path, content: str, message: str) -> None:
    answers = tmp_path / "answers"
    answers.write_text(content)
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "apply", str(answers))
    assert result.returncode == 2, result.stdout
    assert message in result.stderr
    assert snapshot(node_root) == before


# -- kernel arguments -----------------------------------------------------------------------

def test_cmdline_applies_known_args_lists_ignored_and_masks_secrets(node_root: Path) -> None:
    result = run_config("--root", str(node_root), "cmdline")  # the demo's /proc/cmdline
    assert result.returncode == 0, result.stderr
    assert "ignored: console=tty0" in result.stdout
    # The demo's adminpw= is not a real crypt(3) hash: refused, and its value never shown.
    assert "skipped: adminpw=********: security.admin_password_hash: must be a crypt(3)" in result.stdout
    assert "notarealhash" not in result.stdout + result.stderr
    shown = show_json(node_root)
    assert shown["ssh.pwauth"]["value"] == "yes"
    assert shown["logging.rsyslog.server"]["value"] == "log.example.com"
    assert shown["logging.logrotate.interval"]["value"] == "weekly"


def test_cmdline_bad_values_are_skipped_good_ones_applied(node_root: Path, tmp_path: Path) -> None:
    args = tmp_path / "cmdline"
    args.write_text('ssh_pwauth=maybe "syslog=[2001:db8::5]:70000" logrotate_max_size=4096 netconsole=nc.example.com\n')
    result = run_config("--root", str(node_root), "cmdline", "--from", str(args))
    assert result.returncode == 0, result.stderr
    assert ("skipped: ssh_pwauth=maybe: not understood; write ssh_pwauth or "
            "ssh_pwauth=1/y/yes/true/on to turn it on") in result.stdout
    assert 'skipped: "syslog=[2001:db8::5]:70000": logging.rsyslog.port: must be a port number' in result.stdout
    shown = show_json(node_root)
    assert shown["logging.logrotate.max_size"]["value"] == "4096"
    assert shown["logging.netconsole.server"]["value"] == "nc.example.com"
    assert shown["ssh.pwauth"]["value"] == "no"  # unchanged


def test_cmdline_dry_run(node_root: Path) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "cmdline", "--dry-run", "ssh_pwauth", "syslog=log.example.com:514")
    assert result.returncode == 0 and "Plan (" in result.stdout
    assert snapshot(node_root) == before


# -- runtime effects over a private D-Bus ---------------------------------------------------

def test_unit_restart_over_the_given_bus(node_root: Path, systemd_mock: MockService) -> None:
    systemd_mock.mock.AddMockUnit("ssh.service")
    result = run_config("--root", str(node_root), "--bus", systemd_mock.address, "set", "ssh.port=2222")
    assert result.returncode == 0, result.stderr
    assert "Restart ssh.service: done" in result.stdout
    calls = [(str(name), [str(a) for a in args]) for _t, name, args in systemd_mock.mock.GetCalls()]
    assert ("RestartUnit", ["ssh.service", "replace"]) in calls


def test_failed_restart_rolls_back_the_files(node_root: Path, systemd_mock: MockService) -> None:
    before = snapshot(node_root)  # ssh.service unknown to the mock: the restart fails
    result = run_config("--root", str(node_root), "--bus", systemd_mock.address, "set", "ssh.port=2222")
    assert result.returncode == 3
    assert "Restart ssh.service failed" in result.stderr and "rolled back" in result.stderr
    assert snapshot(node_root) == before


# -- a read-only root: clear error, nothing half-written ----------------------------------------

@needs_root
def test_read_only_root(node_root: Path) -> None:
    before = snapshot(node_root)
    run_dir = node_root.parent / "run"
    run_dir.mkdir()
    script = (
        "import subprocess, sys\n"
        "root, run = sys.argv[1], sys.argv[2]\n"
        "subprocess.run(['mount', '--bind', root, root], check=True)\n"
        "subprocess.run(['mount', '-o', 'remount,ro,bind', root], check=True)\n"
        "subprocess.run(['mount', '--bind', run, root + '/run'], check=False)\n"
        "cmd = [sys.executable, '-m', 'ovirt_node.cli.config', '--root', root, 'set', 'ssh.pwauth=yes']\n"
        "sys.exit(subprocess.run(cmd).returncode)\n"
    )
    (node_root / "run").mkdir(exist_ok=True)
    before = snapshot(node_root)
    result = subprocess.run(
        ["unshare", "-m", "--propagation", "private", sys.executable, "-c", script, str(node_root), str(run_dir)],
        capture_output=True, text=True, cwd=REPO,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Read-only file system" in result.stderr
    assert "rolled back" in result.stderr
    assert snapshot(node_root) == before


def test_garbage_lines_in_the_settings_file_are_kept(node_root: Path) -> None:
    defaults = node_root / "etc/default/ovirt"
    defaults.write_text(defaults.read_text() + "this is ( not shell\n")
    shown = run_config("--root", str(node_root), "show")
    assert shown.returncode == 0
    assert "kept a line that is not a setting: 'this is ( not shell'" in shown.stderr
    run_config("--root", str(node_root), "set", "ssh.port=2200", check=True)
    text = defaults.read_text()
    assert "this is ( not shell\n" in text and 'OVIRT_SSH_PORT="2200"' in text


# -- what a typo gets: a clear error and the names it is close to ------------------------------

def test_show_with_an_unknown_prefix_exits_2_with_the_near_keys(node_root: Path) -> None:
    result = run_config("--root", str(node_root), "show", "sssh")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "ovirt-node-config: no key starts with 'sssh' (did you mean ssh?)\n"


def test_get_of_an_unknown_key_suggests_the_near_one_and_says_nothing_about_changes(node_root: Path) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "get", "ssh.prot")
    assert result.returncode == 2
    assert result.stderr == ("ovirt-node-config: invalid ssh.prot: unknown key (did you mean ssh.port? "
                             "`ovirt-node-config show` lists the keys)\n")  # a read changes nothing anyway
    assert snapshot(node_root) == before


def test_set_of_an_unknown_key_suggests_the_near_one(node_root: Path) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", "ssh.prot=2222")
    assert result.returncode == 2
    assert "invalid ssh.prot: unknown key (did you mean ssh.port?" in result.stderr
    assert "Nothing was changed." in result.stderr
    assert snapshot(node_root) == before


def test_cmdline_suggests_the_argument_a_typo_is_close_to(node_root: Path) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "cmdline", "ssh_pwuath=1", "console=tty0")
    assert result.returncode == 0
    assert "ignored: ssh_pwuath=1 (not a setting this node knows; did you mean ssh_pwauth?)\n" in result.stdout
    assert "ignored: console=tty0 (not a setting this node knows)\n" in result.stdout  # the kernel's own
    assert snapshot(node_root) == before


# -- every line once --------------------------------------------------------------------------

def test_set_prints_each_step_once(node_root: Path) -> None:
    result = run_config("--root", str(node_root), "set", "ssh.port=2222")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines.count("(2/5) Configure the SSH daemon: done") == 1
    steps = [line.split(":")[0] for line in lines if line.startswith("(")]
    assert len(steps) == len(set(steps)) == 5, result.stdout
    assert lines[-1] == "Applied: ssh.port"


def test_cmdline_reports_a_skipped_argument_once(node_root: Path) -> None:
    result = run_config("--root", str(node_root), "cmdline", "ssh_pwauth=maybe", "ssh_port=x")
    assert result.returncode == 0
    assert (result.stdout + result.stderr).count("ssh_pwauth=maybe") == 1
    assert "skipped: ssh_pwauth=maybe: not understood; write ssh_pwauth or" in result.stdout


def test_apply_dash_reads_the_answers_from_standard_input(node_root: Path) -> None:
    """`... | ovirt-node-config apply -`: a pipe, as an automation tool gives it."""
    done = run_config("--root", str(node_root), "apply", "-", stdin="ssh:\n  port: 2222\n")
    assert done.returncode == 0, done.stderr
    assert "Applied: ssh.port" in done.stdout
    assert run_config("--root", str(node_root), "get", "ssh.port").stdout == "2222\n"
    again = run_config("--root", str(node_root), "apply", "-", stdin='{"ssh.port": "2222"}')
    assert "Nothing to change" in again.stdout


@pytest.mark.parametrize(("stdin", "args", "message"), [
    ("ssh: [\n", (), "ovirt-node-config: standard input: not valid TOML, YAML or JSON (as YAML: line 2, column 1)"),
    ("", (), "ovirt-node-config: standard input: the file is empty"),
    ("ssh:\n  port: 2222\n", ("--confirm-timeout", "30"),
     "apply -: the answers come on standard input, so no `yes` can follow them there"),
])
def test_apply_dash_refuses_bad_input_and_writes_nothing(node_root: Path, stdin: str, args: tuple[str, ...],
                                                         message: str) -> None:
    before = snapshot(node_root)
    done = run_config("--root", str(node_root), "apply", *args, "-", stdin=stdin)
    assert done.returncode == 2 and message in done.stderr and "Nothing was changed." in done.stderr
    assert changed_paths(before, snapshot(node_root)) == set()
