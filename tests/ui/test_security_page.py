"""The Security page through PageHarness on a copied demo node: what it shows comes from the
files, bad input is refused inline with nothing written, the reserved-port warning does not
block Save, and a save with a password runs the real chpasswd without the password reaching a
log, the settings file or any other file."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ovirt_node.pages.security import SecurityPage
from ovirt_node.ui.page import PageContext, load_page
from ovirt_node.ui.plugins import discover
from ovirt_node.ui.testing import FakeUI, PageHarness
from tests.node_fixtures import snapshot
from tests.shadow import files_containing, shadow_fields, verifies
from tests.unit.test_sshkeys import keygen

PASSWORD = "Page-Secret-9931"


def harness(ctx: PageContext, apply: bool = False) -> PageHarness:
    return PageHarness(SecurityPage, ctx, ui=FakeUI(ctx, apply=apply))


def test_registered_like_a_plugin_with_the_3x_rank() -> None:
    assert SecurityPage in map(load_page, discover().pages)
    assert (SecurityPage.title, SecurityPage.rank) == ("Security", 20)


def test_shows_what_the_files_say(page_ctx: PageContext, node_root: Path) -> None:
    env = node_root / "etc/default/ssh"
    env.write_text(env.read_text() + 'SSH_USE_STRONG_RNG=48\nOPENSSL_ia32cap="~0x200000000000000"\n')
    h = harness(page_ctx)
    assert h.value("SSH port") == "22"  # sshd's default: the file sets none
    assert h.value("ssh.pwauth") == "no"
    assert h.value("Bytes used") == "48" and h.value("Disable AES-NI") == "yes"
    assert h.value("New password") == "" and not h.save_enabled
    text = h.text()
    assert "Account" in text and "no password set" in text  # the demo admin has a locked password
    assert "Confirm:" in text


@pytest.mark.parametrize(("port", "message"), [
    ("0", "must be a port number from 1 to 65535"),
    ("70000", "must be a port number from 1 to 65535"),
    ("22x", "must be a port number from 1 to 65535"),
])
def test_bad_port_is_an_inline_error_and_nothing_is_written(page_ctx: PageContext, node_root: Path, port: str,
                                                             message: str) -> None:
    before = snapshot(node_root)
    h = harness(page_ctx, apply=True)
    h.type("SSH port", port)
    assert h.error("SSH port") == message
    assert not h.save_enabled
    h.save()
    assert h.planned is None and snapshot(node_root) == before


@pytest.mark.parametrize(("port", "warned"), [("80", True), ("1023", True), ("22", False), ("2222", False),
                                              ("1024", False), ("0", False)])
def test_reserved_port_warning_does_not_block_save(page_ctx: PageContext, port: str, warned: bool) -> None:
    h = harness(page_ctx)
    h.type("SSH port", port)
    shown = "is in the reserved range (below 1024)" in h.text()
    assert shown == warned
    if warned:
        assert h.error("SSH port") == "" and h.save_enabled
        # The page says what `ovirt-node-config` says: the key's own warning, word for word.
        warning = page_ctx.engine.keys["ssh.port"].warning
        assert warning is not None and warning(port).startswith(f"port {port} is in the reserved range")
        assert f"Warning: {warning(port)}" in " ".join(h.text().split())


def test_strong_rng_rules(page_ctx: PageContext) -> None:
    h = harness(page_ctx)
    h.type("Bytes used", "5")
    assert h.error("Bytes used") == "must be 0 (off) or a whole number from 14 to 1024"
    h.type("Bytes used", "32")
    assert h.error("Bytes used") == "" and h.changes() == {"security.strong_rng": "32"}


def test_password_rules(page_ctx: PageContext) -> None:
    h = harness(page_ctx)
    h.type("New password", "abc")
    assert h.error("New password") == "must be text of at least 5 characters"
    h.type("New password", PASSWORD, confirm=False)
    assert h.confirm_error("New password") == "must match the password above"
    assert not h.save_enabled
    h.type_confirmation("New password", PASSWORD)
    assert h.error("New password") == "" and h.confirm_error("New password") == ""
    assert h.hint("New password").startswith("Strength: ")
    assert h.save_enabled and h.changes() == {"security.admin_password": PASSWORD}


@pytest.fixture
def setup_log(node_root: Path) -> Iterator[Path]:
    """Every log record at DEBUG into a file under the root, as the setup TUI's log is."""
    path = node_root / "var/log/ovirt-node/setup.log"
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root_logger = logging.getLogger()
    level = root_logger.level
    root_logger.addHandler(handler)
    root_logger.setLevel(logging.DEBUG)
    yield path
    root_logger.removeHandler(handler)
    root_logger.setLevel(level)
    handler.close()


def test_save_sets_everything_and_the_password_leaks_nowhere(page_ctx: PageContext, node_root: Path,
                                                             setup_log: Path, tmp_path: Path) -> None:
    old_hash = shadow_fields(node_root)[1]
    h = harness(page_ctx, apply=True)
    h.type("SSH port", "2222")
    h.toggle("Enable SSH password authentication")
    h.type("Bytes used", "32")
    h.toggle("Disable AES-NI")
    h.type("New password", PASSWORD)
    plan = "\n".join(h.plan().describe(page_ctx.engine.ctx))
    assert PASSWORD not in plan and "chpasswd, password on stdin" in plan
    assert plan.count("Restart ssh.service") == 1
    h.save()
    assert h.ui.results == [True], h.ui.dialogs
    # The page reloaded from the files: the new values, an empty password field.
    assert h.value("SSH port") == "2222" and h.value("Bytes used") == "32"
    assert h.value("Disable AES-NI") == "yes" and h.value("ssh.pwauth") == "yes"
    assert h.value("New password") == "" and "password set (last changed" in h.text()
    new_hash = shadow_fields(node_root)[1]
    assert new_hash != old_hash and verifies(PASSWORD, new_hash)
    assert "run: chpasswd --root" in setup_log.read_text()  # the log is real and has the command
    assert files_containing(node_root, PASSWORD) == []  # not in setup.log, /etc/default/ovirt, ...
    key = tmp_path / "hostkey"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    Path("/run/sshd").mkdir(exist_ok=True)
    check = subprocess.run(["/usr/sbin/sshd", "-t", "-f", str(node_root / "etc/ssh/sshd_config"), "-h", str(key)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_failed_chpasswd_rolls_back_and_says_why(page_ctx: PageContext, node_root: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bin/chpasswd"  # refuses as chpasswd does when PAM says no
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\ncat >/dev/null\necho 'chpasswd: (line 1, user admin) password not changed' >&2\n"
                    "exit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    before = snapshot(node_root)
    h = harness(page_ctx, apply=True)
    h.type("SSH port", "2222")
    h.type("New password", PASSWORD)
    h.save()
    assert h.ui.results == [False]
    failure = h.ui.dialogs[-1].text
    assert "Set the password of admin failed: chpasswd exited with 1" in failure and PASSWORD not in failure
    assert snapshot(node_root) == before  # sshd_config, written first, is back as it was



def test_no_admin_user_is_said_next_to_the_password(page_ctx: PageContext, node_root: Path) -> None:
    passwd = node_root / "etc/passwd"
    passwd.write_text("".join(f"{line}\n" for line in passwd.read_text().splitlines() if not line.startswith("admin:")))
    before = snapshot(node_root)
    h = harness(page_ctx, apply=True)
    assert "no user admin on this node" in h.text()
    h.type("New password", PASSWORD)
    h.save()
    assert h.error("New password") == "there is no user admin on this node (/etc/passwd)"
    assert h.planned is None and snapshot(node_root) == before


def test_ssh_keys_field_checks_each_key_and_saves_the_admins_file(page_ctx: PageContext, node_root: Path,
                                                                  tmp_path: Path) -> None:
    h = harness(page_ctx, apply=True)
    h.type("SSH keys (admin)", "ssh-ed25519 nonsense")
    assert h.error("SSH keys (admin)") == "key says ssh-ed25519 but its key data is of another type (or cut short)"
    assert not h.save_enabled
    key = keygen(tmp_path, "ed25519")
    h.type("SSH keys (admin)", key)
    assert h.error("SSH keys (admin)") == ""
    h.save()
    assert key in (node_root / "home/admin/.ssh/authorized_keys").read_text()
