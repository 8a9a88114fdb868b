"""`ovirt-node-installer --answers FILE --dry-run` without a terminal: install, upgrade and
uninstall on machine profiles print the same plan as the kernel arguments would; a bad
answers file (or one a screen refuses) exits 2 with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovirt_node.cli.installer import main
from tests.install_ui_helpers import shadow_root
from tests.node_fixtures import DEMO_ROOT


def run(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, machine: str, *extra: str,
        root: Path = DEMO_ROOT) -> tuple[int, str, str]:
    answers = tmp_path / "answers.toml"
    answers.write_text(text)
    code = main(["--dry-run", "--machine", machine, "--root", str(root), "--image", "/nonexistent.iso",
                 *(["--answers", str(answers)] if text else []), *extra])
    out, err = capsys.readouterr()
    return code, out, err


INSTALL = """
mode = "install"
keyboard = "de-latin1"
boot_disk = "/dev/disk/by-id/virtio-DEMO-VDA-0001"
confirm = true
[sizes]
swap = 2048
data = 20480
[password]
admin = "answered-secret"
"""


def test_install_from_answers_prints_the_kernel_arguments_plan(capsys: pytest.CaptureFixture[str],
                                                              tmp_path: Path) -> None:
    code, out, err = run(capsys, tmp_path, INSTALL, "demo")
    assert (code, err) == (0, "")
    assert "Swap        2048 MiB" in out and "Data        20480 MiB" in out
    assert "Apply the node's settings (install, keyboard, security.admin_password, storage_init, storage_vol)" in out
    assert "answered-secret" not in out
    code, by_kernel, _ = run(capsys, tmp_path, "", "demo", "--cmdline",
                             "install storage_init=/dev/disk/by-id/virtio-DEMO-VDA-0001 "
                             "storage_vol=2048,Swap:20480,Data keyboard=de-latin1")
    assert code == 0
    # The same plan, but for the password: a command line cannot carry a clear-text one.
    assert out.replace(", security.admin_password", "") == by_kernel


def test_upgrade_from_answers_checks_the_current_password(capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
    root = shadow_root(tmp_path, "old-secret")
    code, out, err = run(capsys, tmp_path, 'mode = "upgrade"\n[password]\ncurrent = "old-secret"\n', "hazards",
                         root=root)
    assert (code, err) == (0, "")
    assert "Upgrade installed node (version not read) to oVirt Node (version not read)" in out
    assert "mkfs.ext4 -q -F -L RootBackup /dev/HostVG/RootBackup" in out
    code, out, err = run(capsys, tmp_path, 'mode = "upgrade"\n[password]\ncurrent = "guess"\n', "hazards", root=root)
    assert code == 2 and out == ""
    assert "Password: the current admin password is not correct" in err


def test_uninstall_from_answers(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, tmp_path, 'mode = "uninstall"\nconfirm = true\n', "hazards")
    assert (code, err) == (0, "")
    assert out.startswith("Uninstall the node from 1 disk(s) on hazards")
    assert "wipefs --all --force /dev/nvme0n1" in out
    code, out, err = run(capsys, tmp_path, 'mode = "uninstall"\n', "hazards")
    assert code == 2 and "Confirm: type ERASE to go ahead" in err


@pytest.mark.parametrize(("text", "message"), [
    ("mode = 'explode'", "mode: must be one of install, upgrade, downgrade, reinstall, uninstall"),
    ("mode = 'install'\ncolour = 'red'", "unknown entry colour"),
    ("[sizes]\nswap = 'big'", "sizes.swap: must be a whole number of MiB"),
    ("[sizes]\nconfig = 1", "Config must be at least 64 MiB"),
    ("[password]\nadmin_hash = 'plain'", "password.admin_hash: must be a crypt(3) password hash"),
    ("interactive = ['everything']", "interactive: unknown screen 'everything'"),
    ("mode = [", "not valid TOML"),
    ("mode = 'install'\nboot_disk = '/dev/sdb'\nconfirm = true", "Boot device: /dev/sdb"),
    ("mode = 'upgrade'", "Welcome: upgrade is not possible here"),
    ("crashkernel = 'lots'", "crashkernel: must be a size such as 256M, or sizes by RAM such as "
                             "1G-4G:256M,4G-:512M, not 'lots'"),
    ("crashkernel = '256M quiet'", "crashkernel: must be a size such as 256M"),
    ("crashkernel = 256", "crashkernel: must be a string"),
])
def test_bad_answers_exit_2_with_the_reason(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str,
                                            message: str) -> None:
    code, out, err = run(capsys, tmp_path, text, "demo")
    assert code == 2 and out == ""
    assert message in err


def test_screens_need_a_terminal(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _out, err = run(capsys, tmp_path, "", "demo", "--tui")
    assert code == 1 and "need a terminal" in err
    code, _out, err = run(capsys, tmp_path, "", "demo", "--tui", "--cmdline", "install")
    assert code == 2 and "take no --auto or --cmdline" in err



def test_the_answers_crashkernel_goes_on_the_nodes_kernel_line(capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    answers = INSTALL.replace("confirm = true\n", 'confirm = true\ncrashkernel = "2G-:512M"\n')
    code, out, err = run(capsys, tmp_path, answers, "demo")
    assert (code, err) == (0, "")
    line = next(line for line in out.splitlines() if "Write the boot menu" in line)
    assert line.endswith(" crashkernel=2G-:512M") and line.count("crashkernel=") == 1
    code, out, err = run(capsys, tmp_path, INSTALL, "demo")
    line = next(line for line in out.splitlines() if "Write the boot menu" in line)
    assert line.endswith(" crashkernel=1G-4G:256M,4G-64G:384M,64G-:512M")


#: A SHA-512 crypt(3) hash's shape: salt, then 86 characters of ./0-9A-Za-z.
EXPORT_HASH = "$6$exportsalt$" + ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./" * 2)[:86]
EXPORT_TABLES = f"""
[ssh]
port = 2222
pwauth = true

[logging]
"rsyslog.server" = "log.example.com"

[keyboard]
keymap = "de"

[security]
admin_password = "{EXPORT_HASH}"
"""


def test_an_exports_area_tables_configure_the_installed_node(capsys: pytest.CaptureFixture[str],
                                                            tmp_path: Path) -> None:
    """`ovirt-node-config export`'s tables in an answers file: the node's settings, applied by
    the config engine on the installed node (its plan step names the keys, never a value)."""
    code, out, err = run(capsys, tmp_path, INSTALL.replace('keyboard = "de-latin1"\n', "") + EXPORT_TABLES, "demo")
    assert (code, err) == (0, "")
    step = next(line for line in out.splitlines() if "Apply the node's settings" in line)
    for key in ("keyboard.keymap", "logging.rsyslog.server", "security.admin_password", "ssh.port", "ssh.pwauth"):
        assert key in step
    assert "$6$exportsalt$" not in out and "answered-secret" not in out


@pytest.mark.parametrize(("tables", "message"), [
    ("[ssh]\nport = 70000\n", "answers.toml: ssh.port: must be a port number from 1 to 65535"),
    ("[ssh]\nprot = 22\n", "answers.toml: ssh.prot: not a setting of the ssh area"),
    ("[logging]\nrsyslog = { server = [1, 2] }\n", "answers.toml: logging.rsyslog.server: a value must be a string, "
                                                    "number or boolean, not a list"),
    ("[security]\nadmin_password = \"abc\"\n", "answers.toml: security.admin_password: must be text of at least 5"),
])
def test_bad_settings_in_an_answers_file_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path, tables: str,
                                                message: str) -> None:
    code, out, err = run(capsys, tmp_path, INSTALL + tables, "demo")
    assert code == 2 and out == ""
    assert message in err and "abc" not in err.replace(message, "")


def test_a_real_export_with_the_installers_entries(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                   node_root: Path) -> None:
    from tests.node_fixtures import run_config

    run_config("--root", str(node_root), "set", "ssh.port=2222", "network.ntp=ntp.example.com", check=True)
    run_config("--root", str(node_root), "set-password", stdin="Exported-Pass-1\n", check=True)
    exported = run_config("--root", str(node_root), "export", "--with-secrets", check=True).stdout
    code, out, err = run(capsys, tmp_path, INSTALL.replace('keyboard = "de-latin1"\n', "") + exported, "demo")
    assert (code, err) == (0, "")
    step = next(line for line in out.splitlines() if "Apply the node's settings" in line)
    assert "ssh.port" in step and "network.ntp" in step and "security.admin_password" in step
