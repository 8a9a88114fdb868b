"""The rule for SSH public keys: real keys made by ssh-keygen pass; cut, retyped, swapped or
multi-line ones are refused with the reason, naming the key when there are several."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ovirt_node.core.sshkeys import MAX_KEYS, SSHPublicKeys, split_keys

RULE = SSHPublicKeys()


def keygen(tmp_path: Path, kind: str, comment: str = "ops@laptop") -> str:
    path = tmp_path / f"id_{kind}"
    extra = ["-b", "2048"] if kind == "rsa" else []
    subprocess.run(["ssh-keygen", "-q", "-t", kind, *extra, "-N", "", "-C", comment, "-f", str(path)], check=True)
    return path.with_suffix(".pub").read_text().strip()


@pytest.mark.parametrize("kind", ["ed25519", "rsa", "ecdsa"])
def test_keys_made_by_ssh_keygen_pass(tmp_path: Path, kind: str) -> None:
    key = keygen(tmp_path, kind)
    assert RULE.check(key) is None
    assert RULE.check(key.rsplit(" ", 1)[0]) is None  # without its comment
    assert RULE.check("") is None  # no keys


def test_several_keys_are_separated_by_commas(tmp_path: Path) -> None:
    keys = [keygen(tmp_path, "ed25519", "a"), keygen(tmp_path, "ecdsa", "b with blanks")]
    value = " , ".join(keys)
    assert RULE.check(value) is None and split_keys(value) == keys


def test_bad_keys_say_what_is_wrong(tmp_path: Path) -> None:
    ed = keygen(tmp_path, "ed25519")
    kind, body, comment = ed.split(" ", 2)
    rsa_body = keygen(tmp_path, "rsa").split()[1]
    cases = {
        body: "key must be TYPE BASE64 [comment]",
        f"ssh-dss {body}": "key has the unknown key type 'ssh-dss'",
        f"{kind} {body[:-5]}": "key is not base64 after its type",
        f"{kind} {rsa_body}": "key says ssh-ed25519 but its key data is of another type",
        f"{kind} AAAA": "key holds no key after its type",
        f"{kind} {body}\nssh-rsa {rsa_body}": "must be on one line",
        f"{ed}, {kind} {body[:-5]}": "key 2 is not base64 after its type",
        f"{kind} {body} bell\x07": "key has a comment with control characters",
        ", ".join([ed] * (MAX_KEYS + 1)): f"must be at most {MAX_KEYS} keys",
    }
    for value, message in cases.items():
        found = RULE.check(value)
        assert found is not None and found.startswith(message), (value, found)
