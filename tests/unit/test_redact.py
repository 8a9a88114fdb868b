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
    # issue 20's leaks, one per form
    ('createUser ovirt SHA "ab\\"Zq7 cd" AES "Zq7p"', f"createUser ovirt SHA {MARK} AES {MARK}"),
    ('OVIRT_X_PASSWORD="ab\\"Zq7 cd"', f'OVIRT_X_PASSWORD="{MARK}"'),
    ("com2sec readonly 192.0.2.0/24 Zq7c", f"com2sec readonly 192.0.2.0/24 {MARK}"),
    ("com2sec6 -Cn ctx ro6 2001:db8::/32 Zq7c", f"com2sec6 -Cn ctx ro6 2001:db8::/32 {MARK}"),
    ("trapsink traps.example.com Zq7t", f"trapsink traps.example.com {MARK}"),
    ("trap2sink traps.example.com Zq7t 162", f"trap2sink traps.example.com {MARK} 162"),
    ("informsink traps.example.com Zq7i", f"informsink traps.example.com {MARK}"),
    ("get https://bob:p@ss/Zq7@engine.example.com/api", f"get https://bob:{MARK}@engine.example.com/api"),
    ("proxy https://:Zq7@proxy.example.com:3128/", f"proxy https://:{MARK}@proxy.example.com:3128/"),
    ("OVIRT_ENGINE_PWD=Zq7pwd", f"OVIRT_ENGINE_PWD={MARK}"),
    ("Authorization: Bearer Zq7bearer", f"Authorization: Bearer {MARK}"),
    ("authorization=Basic Zq7basic==", f"authorization=Basic {MARK}"),
    ("DEBUG http: x-api-key: Zq7api", f"DEBUG http: x-api-key: {MARK}"),
    ("mount.cifs //fs/share /mnt --password Zq7opt -o ro", f"mount.cifs //fs/share /mnt --password {MARK} -o ro"),
    ("mysql -u root -pZq7mysql nodes", f"mysql -u root -p{MARK} nodes"),
    ("Private-Lines: 2\nAAAAZq7a\nAAAAZq7b\nPrivate-MAC: 01abZq7", f"Private-Lines: 2\n{MARK}\nPrivate-MAC: {MARK}"),
    ("pin=Zq7pin", f"pin={MARK}"),
    ("eth0 connected 802-11-wireless-security.psk:Zq7wifi", f"eth0 connected 802-11-wireless-security.psk:{MARK}"),
    ("wep-key0=Zq7wep", f"wep-key0={MARK}"),
    ("preshared-key=Zq7wg", f"preshared-key={MARK}"),
    ("[vpn-secrets]\notp=Zq7otp\n[ipv4]\nmethod=auto", f"[vpn-secrets]\notp={MARK}\n[ipv4]\nmethod=auto"),
    ("db:\n  password: |\n    Zq7a\n    Zq7b\n  port: 5432\n", f"db:\n  password: |\n    {MARK}\n  port: 5432\n"),
    ('action(type="omhttp" uid="node1" pwd="Zq7rs")', f'action(type="omhttp" uid="node1" pwd="{MARK}")'),
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
INFO ovirt_node.persist: Persist /etc/passwd: Successfully persisted
ERROR ovirt_node.ui: page security: password: TransactionError: Set the password of admin failed
INFO pam_unix(sshd:auth): authentication failure; rhost=192.0.2.7 user=admin
ssh -p 2222 admin@node1.example.com
https://engine.example.com:8443/ovirt-engine/api
com2sec readonly 192.0.2.0/24
ssid=OfficeNet
identity=bob@example.com
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
