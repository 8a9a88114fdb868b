"""Monitoring: collectd's network plugin sends the node's metrics to a collectd server.

Written to collectd's main file through the stock Collectd lens (an Httpd-style tree:
`directive` nodes with `arg` children, and `Plugin`/`LoadPlugin` blocks); the file is
/etc/collectd.conf on the EL family and /etc/collectd/collectd.conf on Debian (platform map
role `collectd`). A server gives `LoadPlugin network` plus
`<Plugin network> Server "host" "port" </Plugin>`; an empty server removes both (collectd
warns about configuration for a plugin it has not loaded), unless the block also `Listen`s,
i.e. the node relays for others. The lens keeps the quotes in values.

A Server line (or `<Server>` block, with its security options) already in the file is edited in
place and keeps its layout; only one server is managed, further ones are removed. For a new line the
lens puts nothing between two quoted arguments (the Httpd lens's separator after a quoted argument
defaults to ""): collectd reads `Server "host""port"` as its two strings, but people and other
tools expect `Server "host" "port"`, so after the save that one gap is filled in the network block.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ovirt_node.core.aug import Augeas, LensFile, files_node
from ovirt_node.core.context import Context
from ovirt_node.core.model import KernelArgHandler, Key, Kind, Section, split_host_port
from ovirt_node.core.platform import detect, load
from ovirt_node.core.resources import data_path
from ovirt_node.core.steps import AugeasEdit, RestartUnit, write_file_atomic
from ovirt_node.core.transaction import Step, StepRun
from ovirt_node.core.valid import Empty, FQDNOrIP, Port

DEFAULT_PORT = "25826"  # collectd's registered port
LENS = "Collectd"


def _all_paths(role: str) -> tuple[str, ...]:
    """The file of `role` on every known platform: the lens must be able to load any of them."""
    ids = sorted(p.stem for p in data_path("platforms").glob("*.json"))
    return tuple(dict.fromkeys(load(i).path(role) for i in ids))


def collectd_file(ctx: Context) -> LensFile:
    return LensFile(LENS, detect(ctx.root).path("collectd"))


@dataclass(frozen=True)
class MonitoringSettings:
    collectd_server: str
    collectd_port: int


def _unquote(value: str | None) -> str:
    return (value or "").strip().strip('"')


def _is_network(label: str) -> str:
    """XPath predicate: the node's (first) arg names the network plugin, quoted or not."""
    return f"{label}[arg = 'network' or arg = '\"network\"']"


class _Tree:
    """Paths of the network plugin's nodes in one collectd file's tree."""

    def __init__(self, path: str) -> None:
        self.top = files_node(path)
        self.blocks = f"{self.top}/{_is_network('Plugin')}"
        self.load_lines = f"{self.top}/directive[. = 'LoadPlugin'][arg = 'network' or arg = '\"network\"']"
        self.load_blocks = f"{self.top}/{_is_network('LoadPlugin')}"
        # `Server "h" "p"`, or the block form `<Server "h" "p"> SecurityLevel ... </Server>`
        self.servers = f"{self.blocks}/directive[. = 'Server'] | {self.blocks}/Server"

    def loaded(self, aug: Augeas) -> bool:
        return aug.exists(self.load_lines) or aug.exists(self.load_blocks)


class Monitoring(Section):
    name = "monitoring"
    title = "Monitoring"
    settings = MonitoringSettings
    lens_files = tuple(LensFile(LENS, p) for p in _all_paths("collectd"))
    keys = (
        Key("monitoring.collectd.server", "OVIRT_COLLECTD_SERVER", Empty() | FQDNOrIP(), Kind.TEXT, "",
            "collectd server the node sends its metrics to (empty: none)"),
        Key("monitoring.collectd.port", "OVIRT_COLLECTD_PORT", Port(), Kind.INT, DEFAULT_PORT,
            "UDP port of the collectd server"),
    )

    def read(self, ctx: Context) -> dict[str, str | None]:
        path = collectd_file(ctx).path
        if not ctx.root(path).exists():
            return {}
        tree = _Tree(path)
        servers = ctx.aug.match(tree.servers) if tree.loaded(ctx.aug) else []
        if not servers:
            return {"monitoring.collectd.server": ""}
        return {
            "monitoring.collectd.server": _unquote(ctx.aug.get(servers[0] + "/arg[1]")),
            "monitoring.collectd.port": _unquote(ctx.aug.get(servers[0] + "/arg[2]")) or DEFAULT_PORT,
        }

    def plan(self, ctx: Context, old: MonitoringSettings, new: MonitoringSettings) -> Sequence[Step]:
        target = collectd_file(ctx)
        return [
            CollectdEdit("Configure collectd's network plugin", target,
                         lambda aug: write_network(aug, target.path, new)),
            RestartUnit(detect(ctx.root).unit("collectd")),
        ]

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        def collectd(value: str | None) -> dict[str, str]:
            host, port = split_host_port(value or "")
            changes = {"monitoring.collectd.server": host}
            if port is not None:
                changes["monitoring.collectd.port"] = port
            return changes

        return {"collectd": collectd}


#: `<Plugin network>` / `<Plugin "network">` opening and closing the network plugin's block.
_BLOCK_START = re.compile(r'^\s*<Plugin\s+"?network"?\s*>', re.IGNORECASE)
_BLOCK_END = re.compile(r"^\s*</Plugin\s*>", re.IGNORECASE)
#: A Server line whose first (quoted) argument runs straight into the next one.
_GLUED = re.compile(r'^(\s*Server\s+"(?:[^"\\]|\\.)*")(?=["\'])')


def space_server_arguments(text: str) -> str:
    """`Server "host""port"` -> `Server "host" "port"` inside the network plugin's block."""
    lines = text.splitlines(keepends=True)
    inside = False
    for number, line in enumerate(lines):
        if _BLOCK_START.match(line):
            inside = True
        elif _BLOCK_END.match(line):
            inside = False
        elif inside:
            lines[number] = _GLUED.sub(r"\1 ", line)
    return "".join(lines)


class CollectdEdit(AugeasEdit):
    """The Augeas edit, then the gap between a new Server line's arguments."""

    def apply(self, ctx: Context, run: StepRun) -> None:
        path = ctx.root(self.file.path)
        if not path.exists():
            # A node without collectd: writing a config for a daemon that is not there helps nobody.
            raise FileNotFoundError(f"{self.file.path} does not exist: is collectd installed?")
        super().apply(ctx, run)
        text = path.read_text()
        spaced = space_server_arguments(text)
        if spaced != text:
            write_file_atomic(path, spaced.encode())


def write_network(aug: Augeas, path: str, new: MonitoringSettings) -> None:
    tree = _Tree(path)
    servers = aug.match(tree.servers)
    if not new.collectd_server:
        aug.remove(tree.servers)
        if not aug.exists(f"{tree.blocks}/directive[. = 'Listen'] | {tree.blocks}/Listen"):
            aug.remove(tree.blocks)
            aug.remove(tree.load_lines)
            aug.remove(tree.load_blocks)
        return
    if not tree.loaded(aug):
        _load_plugin(aug, tree)
    if servers:
        # Edit the first Server line in place (it keeps its layout); one server is managed.
        for extra in reversed(servers[1:]):
            aug.remove(extra)
        server = servers[0]
    else:
        if not aug.exists(tree.blocks):
            aug.set(f"{tree.top}/Plugin[last()+1]/arg", "network")
        block = f"{tree.blocks}[1]"
        # First in the block: options such as TimeToLive belong after the server they follow.
        if aug.exists(f"{block}/directive"):
            aug.insert(f"{block}/directive[1]", "directive", before=True)
        server = f"{block}/directive[1]"
        aug.set(server, "Server")
    aug.remove(f"{server}/arg[position() > 2]")
    aug.set(f"{server}/arg[1]", f'"{new.collectd_server}"')
    aug.set(f"{server}/arg[2]", f'"{new.collectd_port}"')


def _load_plugin(aug: Augeas, tree: _Tree) -> None:
    """`LoadPlugin network` before the plugin's block (collectd reads the file in order),
    after the other LoadPlugin lines when there are any."""
    loads = aug.match(f"{tree.top}/directive[. = 'LoadPlugin']")
    if not aug.exists(tree.blocks) and not loads:
        # Nothing to go after (an empty file): the line is the last directive. (A node made by
        # set(..., None) reads back as "", not None, so the search below would not find it.)
        aug.set(f"{tree.top}/directive[last()+1]", "LoadPlugin")
        aug.set(f"{tree.top}/directive[last()]/arg", "network")
        return
    if aug.exists(tree.blocks):
        aug.insert(f"{tree.blocks}[1]", "directive", before=True)
    else:
        aug.insert(loads[-1], "directive", before=False)
    # The inserted node is the one directive without a value yet.
    node = next((n for n in aug.match(f"{tree.top}/directive") if aug.get(n) is None), None)
    if node is None:
        raise RuntimeError(f"{tree.top[len('/files'):]}: could not add the LoadPlugin network line")
    aug.set(node, "LoadPlugin")
    aug.set(f"{node}/arg", "network")
