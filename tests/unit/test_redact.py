"""Redaction of secrets from text that leaves the node: every form removed, nothing else."""

from __future__ import annotations

import pytest

from ovirt_node.report.redact import MARK, redact, secret_name

HASH = "$6$rounds=5000$saltsalt$Kq1vZ0yWmN3o9Gm9c8b7a6Z5Y4X3W2V1U0T9S8R7Q6P5O4N3M2L1K0J9I8H7G6F5E4D3C2B1A0zyxwvu"


@pytest.mark.parametrize(("text", "expected"), [
    ('OVIRT_SNMP_PASSWORD="Zq7snmp"', f'OVIRT_SNMP_PASSWORD="{MARK}"'),
    ("OVIRT_CIM_PASSWD='Zq7cim'", f"OVIRT_CIM_PASSWD='{MARK}'"),
    ("export OVIRT_RHN_PROXYPASSWORD=Zq7rhn", f"export OVIRT_RHN_PROXYPASSWORD={MARK}"),
    ("BOOT_IMAGE=/vmlinuz rootpw=Zq7root ro adminpw=Zq7admin quiet",
     f"BOOT_IMAGE=/vmlinuz rootpw={MARK} ro adminpw={MARK} quiet"),
    ('{"user": "admin", "password": "Zq7 json"}', f'{{"user": "admin", "password": "{MARK}"}}'),
    ("  api_key: Zq7yaml", f"  api_key: {MARK}"),
    ("secret_token = Zq7ini", f"secret_token = {MARK}"),
    ("rocommunity Zq7community 10.0.0.0/8", f"rocommunity {MARK} 10.0.0.0/8"),
    ("    password Zq7conf", f"    password {MARK}"),
    ("run: chpasswd --password=Zq7argv", f"run: chpasswd --password={MARK}"),
    ("fetch https://admin:Zq7url@engine.example.com/ca", f"fetch https://admin:{MARK}@engine.example.com/ca"),
    (f"root:{HASH}:20000:0:99999:7:::", f"root:{MARK}:20000:0:99999:7:::"),
    ("bob:Zq7plain:20000:0:99999:7:::", f"bob:{MARK}:20000:0:99999:7:::"),
    ("wheel:Zq7gshadow:root:bob", f"wheel:{MARK}:root:bob"),
    (f"usermod -p '{HASH}' admin", f"usermod -p '{MARK}' admin"),
    ('createUser ovirt SHA "Zq7 auth" AES Zq7priv', f"createUser ovirt SHA {MARK} AES {MARK}"),
    ("createUser -e 0x8000 ovirt SHA Zq7auth", f"createUser -e 0x8000 ovirt SHA {MARK}"),
    ("usmUser 1 3 0x80001f88 0x6f76 0x6f76 NULL .1.3.6 0xZq7aa .1.3.6 0xZq7bb", f"usmUser {MARK}"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nZq7key\nZq7key2\n-----END OPENSSH PRIVATE KEY-----\nafter",
     f"-----BEGIN OPENSSH PRIVATE KEY-----\n{MARK}\n-----END OPENSSH PRIVATE KEY-----\nafter"),
    ("-----BEGIN ENCRYPTED PRIVATE KEY-----\nZq7cut", f"-----BEGIN ENCRYPTED PRIVATE KEY-----\n{MARK}\n"
     "-----END ENCRYPTED PRIVATE KEY-----"),
])
def test_each_form_of_secret_is_removed(text: str, expected: str) -> None:
    redacted, count = redact(text)
    assert redacted == expected
    assert "Zq7" not in redacted and "saltsalt" not in redacted and count >= 1


KEEP = """\
OVIRT_SSH_PWAUTH="no"
OVIRT_KDUMP_SSH_KEY="/root/.ssh/kdump_id_rsa"
#FTP_PASSWORD=""
PasswordAuthentication no
PermitEmptyPasswords no
root:*:20000:0:99999:7:::
admin:!:20000:0:99999:7:::
root:x:0:0:root:/root:/bin/bash
2026-11-21 12:00:01 INFO ovirt_node.setup: starting: root /, machine probed
Nov 21 12:00:01 node sshd[812]: Accepted publickey for admin from 10.0.0.5 port 51234
-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUQ
-----END CERTIFICATE-----
sha256 fingerprint: 3F:8A:11:22:33:44:55:66
"""


def test_what_holds_no_secret_is_kept_as_it_is() -> None:
    assert redact(KEEP) == (KEEP, 0)


@pytest.mark.parametrize(("name", "secret"), [
    ("OVIRT_SNMP_PASSWORD", True), ("cim_passwd", True), ("adminpw", True), ("rhn_proxypassword", True),
    ("OVIRT_ENGINE_TOKEN", True), ("--password", True), ("pass", True), ("snmp_community", True),
    ("OVIRT_SSH_PWAUTH", False), ("OVIRT_KDUMP_SSH_KEY", False), ("hostname", False), ("OVIRT_BOOTIF", False),
])
def test_secret_names(name: str, secret: bool) -> None:
    assert secret_name(name) is secret
