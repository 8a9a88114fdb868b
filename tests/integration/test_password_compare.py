"""Passwords are compared with the stored hash: re-applying the admin's password (set-password,
an answers file, the kernel arguments' adminpw=/rootpw= hashes) is no change, a different one
is; a crypt(3) hash given as the admin password (an export --with-secrets) is set as it is and
not expired. All through the real chpasswd on a copied node tree."""

from __future__ import annotations

import json
from pathlib import Path

from tests.node_fixtures import changed_paths, run_config, snapshot
from tests.shadow import crypt_sha512, shadow_fields, verifies


def changed(*args: str, stdin: str | None = None) -> bool:
    done = run_config(*args, "--json", stdin=stdin)
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert data["error"] is None
    return bool(data["changed"])


def test_set_password_twice_then_another(node_root: Path) -> None:
    root = str(node_root)
    assert changed("--root", root, "set-password", stdin="Same-Pass-123\n")
    first = shadow_fields(node_root)
    before = snapshot(node_root)
    assert not changed("--root", root, "set-password", stdin="Same-Pass-123\n")
    assert changed_paths(before, snapshot(node_root)) == set()
    assert not changed("--root", root, "set-password", "--check", stdin="Same-Pass-123\n")
    assert changed("--root", root, "set-password", "--check", stdin="Other-Pass-456\n")
    assert shadow_fields(node_root) == first  # the check wrote nothing
    assert changed("--root", root, "set-password", stdin="Other-Pass-456\n")
    assert verifies("Other-Pass-456", shadow_fields(node_root)[1])


def test_a_non_ascii_password_again_is_no_change(node_root: Path) -> None:
    assert changed("--root", str(node_root), "set-password", stdin="Pässwort-Ünï-9\n")
    assert not changed("--root", str(node_root), "set-password", stdin="Pässwort-Ünï-9\n")
    assert changed("--root", str(node_root), "set-password", stdin="Passwort-Uni-9\n")


def test_an_answers_file_with_the_password_is_applied_once(node_root: Path) -> None:
    answers = "security:\n  admin_password: Answers-Pass-77\nssh:\n  port: 2200\n"
    assert changed("--root", str(node_root), "apply", "-", stdin=answers)
    assert verifies("Answers-Pass-77", shadow_fields(node_root)[1])
    before = snapshot(node_root)
    assert not changed("--root", str(node_root), "apply", "-", stdin=answers)
    assert changed_paths(before, snapshot(node_root)) == set()


def test_a_hash_as_the_admin_password_is_kept_not_expired(node_root: Path) -> None:
    hashed = crypt_sha512("Kept-Hash-9", "keptsalt")
    answers = json.dumps({"security.admin_password": hashed})
    assert changed("--root", str(node_root), "apply", "-", stdin=answers)
    fields = shadow_fields(node_root)
    assert fields[1] == hashed and fields[2] != "0"  # not "change at the next login"
    assert not changed("--root", str(node_root), "apply", "-", stdin=answers)
    # The clear text of that hash is the same password too.
    assert not changed("--root", str(node_root), "apply", "-", stdin='{"security.admin_password": "Kept-Hash-9"}')


def test_adminpw_and_rootpw_again_are_no_change(node_root: Path) -> None:
    admin, root_hash = crypt_sha512("first-admin-1", "adminsalt"), crypt_sha512("first-root-1", "rootsalt")
    args = [f"adminpw={admin}", f"rootpw={root_hash}"]
    assert changed("--root", str(node_root), "cmdline", *args)
    assert shadow_fields(node_root)[1:3] == [admin, "0"]  # a temporary password, as on 3.x
    assert shadow_fields(node_root, "root")[1] == root_hash
    before = snapshot(node_root)
    assert not changed("--root", str(node_root), "cmdline", *args)
    assert changed_paths(before, snapshot(node_root)) == set()
    assert changed("--root", str(node_root), "cmdline", f"adminpw={crypt_sha512('second-admin-2', 'adminsalt')}")
