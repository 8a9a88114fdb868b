"""Logging: remote syslog (Rsyslog lens), log rotation (Logrotate lens), netconsole.

Remote syslog goes to a drop-in of its own, `/etc/rsyslog.d/ovirt-node-remote.conf`, so the
distribution's rsyslog.conf is never rewritten. The rotation "max size" sets logrotate's
`maxsize` (3.x wrote `minsize` by mistake, which only delays rotation).

Netconsole: the platform map names the file its service reads. On the EL family that is
`/etc/sysconfig/netconsole` (SYSLOGADDR/SYSLOGPORT, read by EL's netconsole.service); Debian
has no such service, and our own `ovirt-node-netconsole.service` reads the keys from
/etc/default/ovirt, which every change writes anyway: there, a change only restarts that unit.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ovirt_node.areas.logs_quick import NETCONSOLE_PATH, RSYSLOG_REMOTE_PATH
from ovirt_node.core.aug import SHELL_VARS, Augeas, LensFile, files_node
from ovirt_node.core.context import Context
from ovirt_node.core.model import KernelArgHandler, Key, Kind, Section, changed_fields, split_host_port
from ovirt_node.core.valid import EmptyOr, FQDNOrIP, Number, OneOf, Port

if TYPE_CHECKING:  # a read (`ovirt-node-config get logging.*`) imports no steps: plan() does
    from ovirt_node.core.transaction import Step

RSYSLOG_REMOTE = LensFile("Rsyslog", RSYSLOG_REMOTE_PATH)
LOGROTATE = LensFile("Logrotate", "/etc/logrotate.d/ovirt-node")
NETCONSOLE = LensFile(SHELL_VARS, NETCONSOLE_PATH)

ROTATED_LOGS = "/var/log/ovirt-node/*.log"
MANAGED = "managed by ovirt-node: change it with ovirt-node-config or the setup TUI"

_RSYSLOG = files_node(RSYSLOG_REMOTE.path)
_LOGROTATE = files_node(LOGROTATE.path)
_NETCONSOLE = files_node(NETCONSOLE.path)
_PROTOCOLS = {"udp": "@", "tcp": "@@"}


@dataclass(frozen=True)
class LoggingSettings:
    rsyslog_server: str
    rsyslog_port: int
    rsyslog_protocol: str
    logrotate_max_size: int
    logrotate_interval: str
    netconsole_server: str
    netconsole_port: int


def size_in_kb(text: str) -> str | None:
    """logrotate size (`100`, `100k`, `10M`, `1G`; bare = bytes) -> kilobytes, rounded up."""
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", text.strip())
    if not match:
        return None
    number, unit = int(match.group(1)), match.group(2).lower()
    factor = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit]
    return str(-(-number * factor // 1024))


def _remote_host(host: str) -> str:
    # Compressed, since the lens's IPv6 pattern misses some valid spellings (1::2:192.0.2.1).
    return f"[{ipaddress.IPv6Address(host).compressed}]" if ":" in host else host


class Logging(Section):
    name = "logging"
    title = "Logging"
    settings = LoggingSettings
    lens_files = (RSYSLOG_REMOTE, LOGROTATE, NETCONSOLE)
    keys = (
        Key("logging.rsyslog.server", "OVIRT_SYSLOG_SERVER", EmptyOr(FQDNOrIP()), Kind.TEXT, "",
            "remote syslog server (empty: local logging only)"),
        Key("logging.rsyslog.port", "OVIRT_SYSLOG_PORT", Port(), Kind.INT, "514", "remote syslog port"),
        Key("logging.rsyslog.protocol", "OVIRT_SYSLOG_PROTOCOL", OneOf("udp", "tcp"), Kind.TEXT, "udp",
            "transport to the syslog server"),
        Key("logging.logrotate.max_size", "OVIRT_LOGROTATE_MAX_SIZE", Number(min=1, max=10**9), Kind.INT,
            "1024", "rotate a log once it exceeds this size, in KB"),
        Key("logging.logrotate.interval", "OVIRT_LOGROTATE_INTERVAL", OneOf("daily", "weekly", "monthly"),
            Kind.TEXT, "daily", "rotate logs at least this often"),
        Key("logging.netconsole.server", "OVIRT_NETCONSOLE_SERVER", EmptyOr(FQDNOrIP(allow_ipv6=False)),
            Kind.TEXT, "", "netconsole receiver for kernel messages (empty: off)"),
        Key("logging.netconsole.port", "OVIRT_NETCONSOLE_PORT", Port(), Kind.INT, "6666", "netconsole UDP port"),
    )

    # -- reading back -----------------------------------------------------------------------

    def read(self, ctx: Context) -> dict[str, str | None]:
        values: dict[str, str | None] = {}
        own_file = writes_netconsole_file(ctx)
        if ctx.root(RSYSLOG_REMOTE.path).exists():
            forwards = ctx.aug.match(f"{_RSYSLOG}/entry[action/hostname]")
            if forwards:
                action = forwards[0] + "/action"
                values["logging.rsyslog.server"] = (ctx.aug.get(action + "/hostname") or "").strip("[]")
                values["logging.rsyslog.port"] = ctx.aug.get(action + "/port") or "514"
                values["logging.rsyslog.protocol"] = "tcp" if ctx.aug.get(action + "/protocol") == "@@" else "udp"
            else:
                values["logging.rsyslog.server"] = ""
        if ctx.root(LOGROTATE.path).exists():
            rule = f"{_LOGROTATE}/rule[file = '{ROTATED_LOGS}']"
            size = ctx.aug.get(rule + "/maxsize")
            values["logging.logrotate.max_size"] = size_in_kb(size) if size else None
            values["logging.logrotate.interval"] = ctx.aug.get(rule + "/schedule")
        if own_file and ctx.root(NETCONSOLE.path).exists():
            values["logging.netconsole.server"] = (ctx.aug.get(_NETCONSOLE + "/SYSLOGADDR") or "").strip("\"'")
            values["logging.netconsole.port"] = (ctx.aug.get(_NETCONSOLE + "/SYSLOGPORT") or "").strip("\"'") or None
        elif not own_file:
            # ovirt-node-netconsole.service reads the defaults file: there, it is the system's setting
            for key in self.keys:
                if key.name.startswith("logging.netconsole.") and key.ovirt and ctx.defaults.get(key.ovirt) is not None:
                    values[key.name] = ctx.defaults.get(key.ovirt)
        return values

    # -- planning ---------------------------------------------------------------------------

    def plan(self, ctx: Context, old: LoggingSettings, new: LoggingSettings) -> Sequence[Step]:
        from ovirt_node.core.platform import detect
        from ovirt_node.core.steps import AugeasEdit, RestartUnit

        changed = changed_fields(old, new)
        platform = detect(ctx.root)
        steps: list[Step] = []
        if changed & {"rsyslog_server", "rsyslog_port", "rsyslog_protocol"}:
            steps += [
                AugeasEdit("Configure remote syslog", RSYSLOG_REMOTE, lambda aug: write_rsyslog(aug, new)),
                RestartUnit(platform.unit("rsyslog")),
            ]
        if changed & {"logrotate_max_size", "logrotate_interval"}:
            steps.append(AugeasEdit("Configure log rotation", LOGROTATE, lambda aug: write_logrotate(aug, new)))
        if changed & {"netconsole_server", "netconsole_port"}:
            if writes_netconsole_file(ctx):
                steps.append(AugeasEdit("Configure netconsole", NETCONSOLE, lambda aug: write_netconsole(aug, new)))
            steps.append(RestartUnit(platform.unit("netconsole")))
        return steps

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        def remote(server_key: str, port_key: str) -> KernelArgHandler:
            def handle(value: str | None) -> dict[str, str]:
                host, port = split_host_port(value or "")
                return {server_key: host, port_key: port} if port is not None else {server_key: host}

            return handle

        return {
            "syslog": remote("logging.rsyslog.server", "logging.rsyslog.port"),
            "netconsole": remote("logging.netconsole.server", "logging.netconsole.port"),
            "logrotate_max_size": lambda v: {"logging.logrotate.max_size": v or ""},
            "logrotate_interval": lambda v: {"logging.logrotate.interval": v or ""},
        }


def writes_netconsole_file(ctx: Context) -> bool:
    """EL's netconsole.service reads /etc/sysconfig/netconsole; our Debian unit reads the
    defaults file the engine writes anyway."""
    from ovirt_node.core.platform import detect

    return detect(ctx.root).path("netconsole") == NETCONSOLE.path


#: The forwarding action's own queue (legacy directives: they apply to the next action only).
#: Without it, a server unreachable for a moment (a boot before the network is up, a switch
#: restart) suspends the action and rsyslog drops what is logged meanwhile; with it the lines
#: wait in memory and the action is retried until the server takes them.
FORWARD_QUEUE = (("$ActionQueueType", "LinkedList"), ("$ActionQueueSize", "20000"),
                 ("$ActionResumeRetryCount", "-1"), ("$ActionResumeInterval", "10"))


def write_rsyslog(aug: Augeas, new: LoggingSettings) -> None:
    if not aug.exists(f"{_RSYSLOG}/#comment"):
        aug.set(f"{_RSYSLOG}/#comment", MANAGED)
    aug.remove(f"{_RSYSLOG}/entry[action/hostname]")
    for directive, _ in FORWARD_QUEUE:
        aug.remove(f"{_RSYSLOG}/{directive}")
    if not new.rsyslog_server:
        return
    for directive, value in FORWARD_QUEUE:
        aug.set(f"{_RSYSLOG}/{directive}", value)
    entry = f"{_RSYSLOG}/entry[last()]"
    aug.set(f"{_RSYSLOG}/entry[last()+1]/selector/facility", "*")
    aug.set(entry + "/selector/level", "*")
    aug.set(entry + "/action/protocol", _PROTOCOLS[new.rsyslog_protocol])
    aug.set(entry + "/action/hostname", _remote_host(new.rsyslog_server))
    aug.set(entry + "/action/port", str(new.rsyslog_port))


def write_logrotate(aug: Augeas, new: LoggingSettings) -> None:
    rule = f"{_LOGROTATE}/rule[file = '{ROTATED_LOGS}']"
    if not aug.exists(rule):
        aug.set(f"{_LOGROTATE}/rule[last()+1]/file", ROTATED_LOGS)
        for option, value in (("rotate", "5"), ("missingok", "missingok"), ("ifempty", "notifempty"),
                              ("compress", "compress")):
            aug.set(f"{rule}/{option}", value)
    if not aug.exists(f"{rule}/missingok"):  # the log directory may hold no log yet
        aug.set(f"{rule}/missingok", "missingok")
    aug.remove(f"{rule}/minsize")  # 3.x's mistaken spelling of the same setting
    aug.remove(f"{rule}/size")
    aug.set(f"{rule}/schedule", new.logrotate_interval)
    aug.set(f"{rule}/maxsize", f"{new.logrotate_max_size}k")


def write_netconsole(aug: Augeas, new: LoggingSettings) -> None:
    if new.netconsole_server:
        aug.set(_NETCONSOLE + "/SYSLOGADDR", new.netconsole_server)
        aug.set(_NETCONSOLE + "/SYSLOGPORT", str(new.netconsole_port))
    else:
        aug.remove(_NETCONSOLE + "/SYSLOGADDR")
        aug.remove(_NETCONSOLE + "/SYSLOGPORT")
