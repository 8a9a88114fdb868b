"""What kdump's own `kdumpctl` (EL's kdump-utils / kexec-tools) accepts in /etc/kdump.conf, as a
check for the files the Kdump section writes. Debian has no kdumpctl, so its rules are kept here
(kdump.conf(5) and kdumpctl's start-up checks): read back through the stock Kdump lens, a file is
accepted when every directive is one kdumpctl knows and not a deprecated one, each has a value and
appears once, at most one dump target is named, `sshkey` comes only with an `ssh` target,
`core_collector` is given (makedumpfile, with `-F` for ssh, which needs a flat file), an nfs
target is `host:/path`, an ssh target `user@host` and `path` is absolute.
"""

from __future__ import annotations

import re
from pathlib import Path

from ovirt_node.areas.kdump import KDUMP_CONF
from ovirt_node.core.aug import Augeas
from ovirt_node.core.root import Root

TARGETS = frozenset({"raw", "ext2", "ext3", "ext4", "minix", "btrfs", "xfs", "nfs", "nfs4", "ssh", "virtiofs"})
OPTIONS = frozenset({
    "path", "core_collector", "sshkey", "extra_bins", "extra_modules", "failure_action", "default", "final_action",
    "force_rebuild", "force_no_rebuild", "fence_kdump_args", "fence_kdump_nodes", "auto_reset_crashkernel",
    "dracut_args", "kdump_pre", "kdump_post",
})
DEPRECATED = frozenset({"net", "options", "link_delay", "disk_timeout", "debug_mem_level", "blacklist"})


def directives(root: Path) -> list[tuple[str, str]]:
    """(directive, value) of root's /etc/kdump.conf in file order, as the Kdump lens reads them."""
    aug = Augeas(Root.at(root), [KDUMP_CONF])
    try:
        top = f"/files{KDUMP_CONF.path}"
        found = []
        for node in aug.match(f"{top}/*"):
            label = node[len(top) + 1:].split("[", 1)[0]
            if not label.startswith("#"):
                found.append((label, aug.get(node) or " ".join(aug.get(c) or "" for c in aug.match(f"{node}/*"))))
        return found
    finally:
        aug.close()


def kdumpctl_errors(conf: list[tuple[str, str]]) -> list[str]:
    """kdumpctl's complaints about these directives; empty when it would start."""
    errors = []
    seen: dict[str, str] = {}
    for name, value in conf:
        if name in DEPRECATED:
            errors.append(f"Deprecated kdump config option: {name}")
        elif name not in TARGETS | OPTIONS:
            errors.append(f"Invalid kdump config option {name}")
        if not value.strip():
            errors.append(f"Invalid kdump config value for option '{name}'")
        slot = "target" if name in TARGETS else name
        if slot in seen:
            errors.append("More than one dump targets specified" if slot == "target"
                          else f"Duplicated kdump config value of option {name}")
        seen[slot] = value
    values = dict(conf)
    target = next((n for n, _ in conf if n in TARGETS), None)
    if "sshkey" in values and target != "ssh":
        errors.append("sshkey is only used with an ssh target")
    collector = values.get("core_collector", "")
    if not collector.startswith("makedumpfile"):
        errors.append("core_collector (makedumpfile) is missing")
    elif target == "ssh" and not re.search(r"(^|\s)-F(\s|$)", collector):
        errors.append('The specified dump target needs makedumpfile "-F" option.')
    if target in ("nfs", "nfs4") and not re.fullmatch(r"[^\s:/]+:/\S*", values[target]):
        errors.append(f"nfs target must be host:/path, not {values[target]!r}")
    if target == "ssh" and not re.fullmatch(r"[^\s@]+@[^\s@]+", values["ssh"]):
        errors.append(f"ssh target must be user@host, not {values['ssh']!r}")
    if "path" in values and not values["path"].startswith("/"):
        errors.append(f"path must be absolute, not {values['path']!r}")
    return errors
