"""A corpus of planted secrets, one or more per kind of file the support bundle collects, each
marked `Zq7` plus a number (so a leak names its case), and the ordinary values around them
that must survive redaction (hostnames, addresses, user names, paths)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

SHA512 = "$6$Zq7salt0$" + "Zq7hash" * 12 + "Zq"
OPENSSH_KEY = ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAZq7ky01\n"
               "-----END OPENSSH PRIVATE KEY-----\n")
EC_KEY = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIZq7ky02\n-----END EC PRIVATE KEY-----\n"

#: Node path -> content. Paths outside the engine's own files are listed in /config/files.
FILES: dict[str, str] = {
    "/etc/NetworkManager/system-connections/office.nmconnection": """\
[connection]
id=office-wifi
type=wifi
interface-name=wlan0

[wifi]
ssid=OfficeNet

[wifi-security]
key-mgmt=wpa-psk
psk=Zq7nm01
wep-key0=Zq7nm02
leap-password=Zq7nm03

[802-1x]
eap=peap;
identity=bob@example.com
password=Zq7nm04
private-key-password=Zq7nm05
phase2-private-key-password=Zq7nm06
pin=Zq7nm07

[ipv4]
address1=192.0.2.10/24,192.0.2.1
dns=192.0.2.53;
method=manual
""",
    "/etc/NetworkManager/system-connections/tunnel.nmconnection": """\
[connection]
id=tunnel
type=vpn

[vpn]
service-type=org.freedesktop.NetworkManager.openvpn
remote=vpn.example.com

[vpn-secrets]
otp=Zq7nm08
cert-pass=Zq7nm09
""",
    "/etc/NetworkManager/system-connections/wg0.nmconnection": """\
[connection]
id=wg0
type=wireguard

[wireguard]
private-key=Zq7nm10

[wireguard-peer.aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefg=]
endpoint=203.0.113.5:51820
preshared-key=Zq7nm11
""",
    "/etc/NetworkManager/system-connections/mobile.nmconnection": """\
[connection]
id=mobile
type=gsm

[gsm]
apn=internet.example.net
pin=Zq7nm12
password=Zq7nm13
""",
    "/etc/shadow": f"root:{SHA512}:20000:0:99999:7:::\nadmin:Zq7sh14:20000:0:99999:7:::\n",
    "/etc/gshadow": "wheel:Zq7sh15:root:admin\n",
    "/etc/ssh/ssh_host_ed25519_key": OPENSSH_KEY,
    "/etc/ssh/ssh_host_ed25519_key.pub": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPublicHostKey root@node1\n",
    "/etc/rsyslog.d/tls.conf": """\
global(DefaultNetstreamDriverCAFile="/etc/pki/rsyslog/ca.pem"
       DefaultNetstreamDriverKeyFile="/etc/pki/rsyslog/node.pem")
action(type="omfwd" target="logs.example.com" port="6514" StreamDriverAuthMode="x509/name")
action(type="omhttp" server="logs.example.com" uid="node1" pwd="Zq7rs16")
""",
    "/etc/pki/rsyslog/node.pem": EC_KEY,
    "/etc/collectd/collectd.conf": """\
<Plugin network>
  <Server "collector.example.com" "25826">
    SecurityLevel Encrypt
    Username "node1"
    Password "Zq7cd17"
  </Server>
</Plugin>
<Plugin write_http>
  <Node "example">
    URL "https://collect.example.com/in"
    User "node1"
    Password "Zq7cd18"
  </Node>
</Plugin>
""",
    "/etc/iscsi/iscsid.conf": """\
node.startup = automatic
node.session.auth.authmethod = CHAP
node.session.auth.username = iqnuser
node.session.auth.password = Zq7is19
node.session.auth.username_in = target
node.session.auth.password_in = Zq7is20
discovery.sendtargets.auth.password = Zq7is21
""",
    "/etc/kdump.conf": "ssh kdump@dumps.example.com\nsshkey /root/.ssh/kdump_id_rsa\npath /var/crash\n",
    "/root/.ssh/kdump_id_rsa": OPENSSH_KEY.replace("Zq7ky01", "Zq7kd22"),
    "/etc/snmp/snmpd.conf": """\
com2sec readonly 192.0.2.0/24 Zq7sn23
com2sec6 readonly6 2001:db8::/32 Zq7sn24
trapsink traps.example.com Zq7sn25
trap2sink traps.example.com Zq7sn26 162
informsink traps.example.com Zq7sn27
rocommunity Zq7sn28 192.0.2.0/24
createUser ovirt SHA "ab\\"Zq7sn29 x" AES "Zq7sn30"
syslocation rack-12.example.com
""",
    "/root/node.ppk": """\
PuTTY-User-Key-File-3: ssh-ed25519
Encryption: none
Comment: node1
Public-Lines: 2
AAAAC3NzaC1lZDI1NTE5AAAAIOrdinaryPublicKeyMaterial
AAAA
Private-Lines: 1
AAAAIZq7pt31AAAAAAAAAAAAAAAAAAAAAAAAAAAA
Private-MAC: 0123abcdZq7pt32
""",
    "/etc/ovirt-node/engine.yaml": """\
engine:
  host: engine.example.com
  password: |
    Zq7ym33
    Zq7ym34
  token: >-
    Zq7ym35
  port: 443
""",
}

#: Lines appended to /etc/default/ovirt (the engine's own file, shell syntax).
DEFAULTS = """\
OVIRT_X_PASSWORD="ab\\"Zq7ov36 cd"
OVIRT_ENGINE_PWD=Zq7ov37
OVIRT_SNMP_PASSWORD='Zq7ov38'
OVIRT_NETCONSOLE_SERVER="logs.example.com"
"""

#: Lines of the node's own log and of the journal.
LOG_LINES = [
    "INFO vdsm: connecting with password=Zq7lg39 to engine.example.com",
    "DEBUG http: Authorization: Bearer Zq7lg40",
    "DEBUG http: x-api-key: Zq7lg41",
    "INFO run: mysql -u root -pZq7lg42 nodes",
    "INFO run: mount.cifs //fs.example.com/share /mnt --password Zq7lg43 -o ro",
    "INFO proxy https://:Zq7lg44@proxy.example.com:3128/",
    "INFO fetch https://bob:p@ss/Zq7lg45@engine.example.com/ovirt-engine",
    "INFO ovirt_node.persist: Persist /etc/passwd: Successfully persisted",
    "INFO sshd: Accepted publickey for admin from 192.0.2.10 port 51234",
]

#: Ordinary values that must come out as they went in, by bundle member.
KEPT: dict[str, list[str]] = {
    "files/etc/NetworkManager/system-connections/office.nmconnection": [
        "ssid=OfficeNet", "identity=bob@example.com", "address1=192.0.2.10/24,192.0.2.1", "key-mgmt=wpa-psk"],
    "files/etc/NetworkManager/system-connections/tunnel.nmconnection": ["remote=vpn.example.com"],
    "files/etc/NetworkManager/system-connections/wg0.nmconnection": ["endpoint=203.0.113.5:51820"],
    "files/etc/NetworkManager/system-connections/mobile.nmconnection": ["apn=internet.example.net"],
    "files/etc/ssh/ssh_host_ed25519_key.pub": ["root@node1"],
    "files/etc/rsyslog.d/tls.conf": ['target="logs.example.com"', 'uid="node1"',
                                     'DefaultNetstreamDriverKeyFile="/etc/pki/rsyslog/node.pem"'],
    "files/etc/collectd/collectd.conf": ['<Server "collector.example.com" "25826">', 'Username "node1"',
                                         'URL "https://collect.example.com/in"'],
    "files/etc/iscsi/iscsid.conf": ["node.session.auth.username = iqnuser", "node.session.auth.authmethod = CHAP"],
    "files/etc/kdump.conf": ["ssh kdump@dumps.example.com", "sshkey /root/.ssh/kdump_id_rsa"],
    "files/etc/snmp/snmpd.conf": ["com2sec readonly 192.0.2.0/24 ", "trapsink traps.example.com ",
                                  "com2sec6 readonly6 2001:db8::/32 ", "syslocation rack-12.example.com"],
    "files/root/node.ppk": ["Comment: node1"],
    "files/etc/ovirt-node/engine.yaml": ["host: engine.example.com", "port: 443"],
    "files/etc/default/ovirt": ['OVIRT_NETCONSOLE_SERVER="logs.example.com"'],
    "logs/var/log/ovirt-node/setup.log": ["Persist /etc/passwd: Successfully persisted",
                                          "Accepted publickey for admin from 192.0.2.10 port 51234",
                                          "proxy.example.com:3128", "engine.example.com/ovirt-engine"],
    "commands/journal.txt": ["Persist /etc/passwd: Successfully persisted", "from 192.0.2.10 port 51234"],
}

#: Not copied at all: they hold nothing but secrets.
SECRET_STORES = ["/etc/shadow", "/etc/gshadow", "/etc/ssh/ssh_host_ed25519_key", "/root/.ssh/kdump_id_rsa"]

JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote"


def write_journal(folder: Path, lines: list[str]) -> None:
    """A real journal file holding `lines`, written by systemd-journal-remote from export format."""
    folder.mkdir(parents=True, exist_ok=True)
    now = int(time.time() * 1e6)
    export = b"".join(
        f"__REALTIME_TIMESTAMP={now + i}\n__MONOTONIC_TIMESTAMP={i + 1}\n"
        f"_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=node1\nSYSLOG_IDENTIFIER=node\n"
        f"MESSAGE={line}\n\n".encode()
        for i, line in enumerate(lines))
    subprocess.run([JOURNAL_REMOTE, "-o", str(folder / "remote.journal"), "--split-mode=none", "-"],
                   input=export, check=True, capture_output=True)


def plant(root: Path) -> None:
    for node_path, text in FILES.items():
        path = root / node_path.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    defaults = root / "etc/default/ovirt"
    defaults.write_text(defaults.read_text() + DEFAULTS)
    logs = root / "var/log/ovirt-node"
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "setup.log").write_text("".join(f"2026-12-06 12:00:{i:02} {line}\n" for i, line in enumerate(LOG_LINES)))
    write_journal(root / "var/log/journal", LOG_LINES)
    persisted = ["/etc/shadow", "/etc/gshadow", "/etc/ssh", "/etc/rsyslog.d", "/etc/pki/rsyslog", "/etc/iscsi",
                 "/root/.ssh", "/etc/snmp", "/root/node.ppk", "/etc/ovirt-node"]
    (root / "config").mkdir(exist_ok=True)
    (root / "config/files").write_text("".join(f"{p}\n" for p in persisted))


def planted_markers() -> set[str]:
    import re

    text = "\n".join([*FILES.values(), DEFAULTS, *LOG_LINES])
    return set(re.findall(r"Zq7[a-z]{2}\d\d", text))
