"""NetworkManager keyfiles <-> the network model, through Augeas's stock NetworkManager lens.

One keyfile per connection in /etc/NetworkManager/system-connections/, named for the device
(`bond0.20.nmconnection`) and with the device as its id. A connection we change keeps its
file, its UUID and every key we do not manage (NM's own defaults, a proxy section...); only
the keys below are ours. A new connection gets a UUID derived from the device name, so the
same change writes the same file (golden files stay stable; NM sees the same profile).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ovirt_node.core.aug import Augeas, LensFile, files_node
from ovirt_node.network.model import Addressing, Bond, Iface, Network
from ovirt_node.system.machine.model import natural_key

KEYFILE_DIR = "/etc/NetworkManager/system-connections"
KEYFILES = LensFile("NetworkManager", f"{KEYFILE_DIR}/*.nmconnection")
_DIR_NODE = files_node(KEYFILE_DIR)
_UUID_NAMESPACE = "0b6f5d8e-4a8c-4f4e-9a51-6f766972746e"

_NM_TYPES = {"ethernet": "ethernet", "bond": "bond", "vlan": "vlan", "bridge": "bridge"}
_V4_TO_NM = {"none": "disabled", "dhcp": "auto", "static": "manual"}
_V6_TO_NM = {"none": "disabled", "auto": "auto", "dhcp": "dhcp", "static": "manual"}
_V4_FROM_NM = {"disabled": "none", "auto": "dhcp", "manual": "static"}
_V6_FROM_NM = {"disabled": "none", "ignore": "none", "auto": "auto", "dhcp": "dhcp", "manual": "static"}
#: Keys this module owns, by section; others in a keyfile are kept as they are.
_OURS = {
    "connection": ("id", "type", "interface-name", "master", "slave-type", "controller", "port-type"),
    "ipv4": ("method",),
    "ipv6": ("method",),
    "ethernet": ("mtu",),
    "bond": ("mode", "miimon", "lacp_rate", "xmit_hash_policy", "primary"),
    "vlan": ("id", "parent"),
    "bridge": ("stp",),
}


def keyfile_path(name: str) -> str:
    return f"{KEYFILE_DIR}/{name}.nmconnection"


def keyfile_stem(path: str) -> str:
    """A keyfile's name without its folder and `.nmconnection`: a connection's fallback name."""
    return path.rsplit("/", 1)[1][: -len(".nmconnection")]


def connection_uuid(name: str) -> str:
    import uuid  # only when a connection is written: reading keyfiles (the Status page) needs none

    return str(uuid.uuid5(uuid.UUID(_UUID_NAMESPACE), name))


class Keyfiles:
    """What the keyfiles hold: the model, and which file holds each interface's connection.
    (Not a dataclass: the Status page reads keyfiles before the first screen, and a dataclass
    costs it compiles.)"""

    def __init__(self) -> None:
        self.network = Network()
        self.paths: dict[str, str] = {}
        self.uuids: dict[str, str] = {}


def _addressing(get: Callable[[str], str | None], family: int) -> Addressing:
    sec = f"ipv{family}"
    methods = _V4_FROM_NM if family == 4 else _V6_FROM_NM
    method = methods.get(get(f"{sec}/method") or "", "dhcp" if family == 4 else "auto")
    if method != "static":
        return Addressing(method)
    first = get(f"{sec}/address1") or get(f"{sec}/addresses") or ""
    first = first.split(";")[0]
    cidr, _, inline_gw = first.partition(",")
    address, _, prefix = cidr.partition("/")
    return Addressing("static", address, int(prefix) if prefix.isdigit() else None,
                      get(f"{sec}/gateway") or inline_gw)


def iface_of(get: Callable[[str], str | None], fallback: str) -> Iface | None:
    """The connection of one keyfile (`get("section/key")` reads it; `fallback`: its file's
    stem), or None for one that is not the node's business."""
    kind = get("connection/type") or ""
    if kind == "802-3-ethernet":
        kind = "ethernet"
    if kind not in _NM_TYPES:
        return None  # wifi, VPN...: not the node's business
    name = get("connection/interface-name") or fallback
    master = get("connection/master") or get("connection/controller") or ""
    mtu = get("ethernet/mtu")
    bond = None
    if kind == "bond":
        miimon = get("bond/miimon")
        bond = Bond(get("bond/mode") or "balance-rr", int(miimon) if miimon and miimon.isdigit() else None,
                    get("bond/lacp_rate") or "", get("bond/xmit_hash_policy") or "", get("bond/primary") or "")
    vid = get("vlan/id")
    slave = bool(master)
    return Iface(
        name, kind,
        Addressing() if slave else _addressing(get, 4),
        Addressing() if slave else _addressing(get, 6),
        int(mtu) if mtu and mtu.isdigit() and int(mtu) else None,
        master, bond, int(vid) if vid and vid.isdigit() else None, get("vlan/parent") or "",
    )


def read_keyfiles(aug: Augeas) -> Keyfiles:
    def files() -> Iterator[tuple[str, Callable[[str], str | None]]]:
        for node in aug.match(f"{_DIR_NODE}/*"):
            if node.endswith(".nmconnection"):

                def get(rel: str, node: str = node) -> str | None:
                    return aug.get(f"{node}/{rel}")

                yield node[len("/files"):], get

    return keyfiles_of(files())


def keyfiles_of(files: Iterable[tuple[str, Callable[[str], str | None]]]) -> Keyfiles:
    """The connections of keyfiles given as (path, get); for two files of one interface,
    the first given wins."""
    result = Keyfiles()
    found: list[Iface] = []
    for path, get in files:
        iface = iface_of(get, keyfile_stem(path))
        if iface is None or iface.name in result.paths:
            continue
        found.append(iface)
        result.paths[iface.name] = path
        result.uuids[iface.name] = get("connection/uuid") or ""
    result.network = Network(tuple(sorted(found, key=lambda i: natural_key(i.name))))
    return result


def _addressing_keys(a: Addressing, family: int) -> dict[str, str]:
    keys = {"method": (_V4_TO_NM if family == 4 else _V6_TO_NM)[a.method]}
    if a.method == "static":
        keys["address1"] = f"{a.address}/{a.prefix}"
        if a.gateway:
            keys["gateway"] = a.gateway
    return keys


def _wanted(iface: Iface, master_kind: str) -> dict[str, dict[str, str]]:
    """Our keys of the connection, section by section, in the order a new file gets them."""
    conn = {"id": iface.name, "type": _NM_TYPES[iface.kind], "interface-name": iface.name}
    if iface.master:
        conn.update({"master": iface.master, "slave-type": master_kind})
    wanted: dict[str, dict[str, str]] = {"connection": conn}
    if iface.mtu is not None:
        wanted["ethernet"] = {"mtu": str(iface.mtu)}
    if iface.kind == "bond" and iface.bond is not None:
        b = iface.bond
        wanted["bond"] = {k: v for k, v in (("mode", b.mode), ("miimon", "" if b.miimon is None else str(b.miimon)),
                                            ("lacp_rate", b.lacp_rate), ("xmit_hash_policy", b.xmit_hash_policy),
                                            ("primary", b.primary)) if v}
    if iface.kind == "vlan":
        wanted["vlan"] = {"id": str(iface.vlan_id), "parent": iface.parent}
    if iface.kind == "bridge":
        wanted["bridge"] = {"stp": "false"}
    if not iface.master:
        wanted["ipv4"] = _addressing_keys(iface.ipv4, 4)
        wanted["ipv6"] = _addressing_keys(iface.ipv6, 6)
    return wanted


def write_keyfile(aug: Augeas, iface: Iface, path: str | None = None, master_kind: str = "bond") -> str:
    """Create or update the connection of `iface` (`master_kind`: what its master is, when it
    has one); returns the keyfile's path. Keys that stay are changed in place."""
    path = path or keyfile_path(iface.name)
    node = files_node(path)
    wanted = _wanted(iface, master_kind)
    for section, keys in _OURS.items():
        for key in keys:
            if key not in wanted.get(section, {}):
                aug.remove(f"{node}/{section}/{key}")
    for family in ("ipv4", "ipv6"):
        if family not in wanted:
            aug.remove(f"{node}/{family}")
            continue
        for stale in aug.match(f"{node}/{family}/*[label() =~ regexp('address(es|[0-9]+)|gateway')]"):
            if stale.rsplit("/", 1)[1] not in wanted[family]:
                aug.remove(stale)
    for section, values in wanted.items():
        for key, value in values.items():
            aug.set(f"{node}/{section}/{key}", value)
            if key == "id" and section == "connection" and not aug.get(f"{node}/connection/uuid"):
                aug.set(f"{node}/connection/uuid", connection_uuid(iface.name))
    # Sections that lost every key (a former bond's [bond], a slave's [ethernet]) go too.
    for section in ("ethernet", "bond", "vlan", "bridge"):
        if aug.exists(f"{node}/{section}") and not aug.match(f"{node}/{section}/*"):
            aug.remove(f"{node}/{section}")
    return path
