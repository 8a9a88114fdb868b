"""Names that differ between the distributions a node image is built from."""

from __future__ import annotations

from dataclasses import dataclass

from ovirt_node.system.root import Root


@dataclass(frozen=True)
class Platform:
    id: str
    ssh_unit: str
    rsyslog_unit: str
    netconsole_unit: str


DEBIAN = Platform("debian", ssh_unit="ssh.service", rsyslog_unit="rsyslog.service",
                  netconsole_unit="netconsole.service")
EL = Platform("el", ssh_unit="sshd.service", rsyslog_unit="rsyslog.service",
              netconsole_unit="netconsole.service")


def detect(root: Root) -> Platform:
    """Pick by `/etc/os-release` under the root (ID, then ID_LIKE); EL names otherwise."""
    try:
        text = root("/etc/os-release").read_text()
    except OSError:
        return EL
    fields = dict(
        line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#")
    )
    ids = " ".join(fields.get(k, "").strip('"') for k in ("ID", "ID_LIKE")).split()
    return DEBIAN if any(i in ("debian", "ubuntu") for i in ids) else EL
