"""The Security section without running anything: the commands a password change runs (the
secret, clear text or hash, only ever on stdin), the crypt method under a prefix, the hash rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovirt_node.areas.security import CRYPT_HASH, SetAdminPassword, crypt_method
from ovirt_node.core.context import Context
from ovirt_node.core.root import Root

SHA512 = "$6$abcdefgh$" + "A" * 86


def test_on_the_node_chpasswd_uses_pam_and_reads_stdin() -> None:
    step = SetAdminPassword("admin", "Secret-1")
    assert step.commands(Context(root=Root.at("/"))) == [(["chpasswd"], "admin:Secret-1\n")]
    assert "Secret-1" not in step.describe() and "Secret-1" not in repr(step)


def test_under_a_prefix_chpasswd_gets_root_and_the_targets_method(tmp_path: Path) -> None:
    ctx = Context(root=Root.at(tmp_path))
    step = SetAdminPassword("admin", "Secret-1")
    assert step.commands(ctx) == [(["chpasswd", "--root", str(tmp_path), "--crypt-method", "SHA512"],
                                   "admin:Secret-1\n")]
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/login.defs").write_text("# comment\nENCRYPT_METHOD YESCRYPT\n")
    assert crypt_method(ctx) == "YESCRYPT"
    (tmp_path / "etc/login.defs").write_text("ENCRYPT_METHOD DES\n")  # chpasswd -c would take it; we do not
    assert crypt_method(ctx) == "SHA512"


def test_a_hash_goes_to_chpasswd_on_stdin_and_is_expired(tmp_path: Path) -> None:
    step = SetAdminPassword("admin", SHA512, hashed=True)
    root = ["--root", str(tmp_path)]
    assert step.commands(Context(root=Root.at(tmp_path))) == [
        (["chpasswd", *root, "--encrypted"], f"admin:{SHA512}\n"),
        (["chage", *root, "-d", "0", "admin"], None),
    ]
    assert SHA512 not in step.describe() and "chage -d 0" in step.describe()


@pytest.mark.parametrize(("value", "ok"), [
    (SHA512, True),
    ("$6$rounds=5000$abcdefgh$" + "A" * 86, True),
    ("$5$salt$" + "b" * 43, True),
    ("$y$j9T$OQq8joWNG3HdU4raNw1XP1$EWcR9TR9WorPPRPrx0v9tNm.rE8N3GZDsDSTnbiee60", True),
    ("$2b$12$" + "c" * 53, True),
    ("$1$saltsalt$" + "d" * 22, True),
    ("$6$demo$notarealhash", False),
    ("plain-password", False),
    (SHA512 + ":0:0", False),  # a colon would split the shadow line
    ("!" + SHA512, False),
    ("", False),
])
def test_crypt_hash_rule(value: str, ok: bool) -> None:
    assert CRYPT_HASH.is_valid(value) is ok
