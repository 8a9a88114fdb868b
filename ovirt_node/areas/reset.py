"""Reset the node's configuration to the image's defaults, keeping the way in.

What goes: every path in the /config store (dropped from it), and every file the settings
areas manage (the node settings file, each area's configuration files, the connections,
the units enabled at boot), each put back as the image has it, or removed when the image has
none. What stays: the management connection (its NetworkManager keyfiles, with the bond
members and VLAN parent it stands on) and the DNS servers, the host name, the accounts and
their passwords (admin's among them), SSH access (sshd's port and password setting, the
authorized keys), the node's identity (machine id, SSH host keys) and the installer's fstab. A persisted path that
is kept stays persisted; a persisted folder that holds kept files is dropped and the kept
files in it persisted on their own.

The image's own files ("pristine") come from the image root the initramfs mounted below the
overlay (/run/initramfs/squashfs); on the demo node, from the demo tree the package ships.

It is one transaction: every file is backed up first and a failure rolls back byte for byte,
the /config store included. Running daemons keep their settings until the node restarts
(which the front doors say).
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ovirt_node.areas.reset_step import RestorePristine, Unpersist
from ovirt_node.core.context import Context
from ovirt_node.core.defaults import DEFAULTS_PATH
from ovirt_node.core.model import Section
from ovirt_node.core.steps import PersistPath, WriteDefaults
from ovirt_node.core.transaction import Step, Transaction
from ovirt_node.network.keyfile import KEYFILE_DIR, KEYFILES, read_keyfiles
from ovirt_node.network.model import management_ifaces
from ovirt_node.network.section import DNS_CONF, HOSTNAME, HOSTS, RESOLV_CONF

#: The image's root below the overlay (the initramfs mounts it; boot/early.py reads it too).
IMAGE_ROOT = "/run/initramfs/squashfs"
#: The word an operator types to confirm.
CONFIRM_WORD = "RESET"
#: Files the areas write without a lens, and the folders whose every file is a setting.
EXTRA_FILES = ("/etc/vconsole.conf", "/etc/tuned/active_profile", "/etc/tuned/profile_mode")
MANAGED_DIRS = (KEYFILE_DIR, "/etc/systemd/system")
#: What is always kept: the accounts, SSH access, the node's identity, and the volumes the
#: installer wrote into fstab (Logging, Data: without them the node boots without its logs and VMs).
KEPT_ALWAYS = ("/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/machine-id",
               "/etc/ssh/sshd_config", "/root/.ssh", "/home/admin/.ssh", "/etc/fstab")
KEPT_PREFIXES = ("/etc/ssh/ssh_host_",)
#: What keeps the node reachable: the host name and DNS (the connections are found per node).
KEPT_NETWORK = (HOSTNAME.path, HOSTS.path, DNS_CONF.path, RESOLV_CONF)
#: Settings kept in the node settings file (the areas above): by section, all keys but these.
KEPT_SECTIONS = ("network", "ssh")
RESET_KEYS = ("network.ntp",)


class ResetError(RuntimeError):
    """The reset cannot be planned (no image to reset to); nothing was changed."""


@dataclass
class ResetPlan:
    """What a reset keeps and what it changes, and the transaction that does it."""

    transaction: Transaction
    kept: list[str] = field(default_factory=list)
    reset: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unpersisted: list[str] = field(default_factory=list)
    kept_settings: dict[str, str | None] = field(default_factory=dict)


#: The demo tree as the demo starts from, made once per process (removed at exit).
_demo_copy: list[Path] = []


def pristine_tree(ctx: Context) -> Path:
    """The image's own root for the node at `ctx.root`: the squashfs below the overlay, or the
    demo tree for the demo node (a copy, as the demo starts from). ResetError else."""
    image = ctx.root(IMAGE_ROOT)
    if image.is_dir() and any(image.iterdir()):
        return image
    if ctx.defaults.get("DEMO_NODE") == "yes":
        if not _demo_copy:
            from ovirt_node.core.resources import copy_demo_root

            made = Path(tempfile.mkdtemp(prefix="ovirt-node-pristine."))
            atexit.register(shutil.rmtree, made, ignore_errors=True)
            _demo_copy.append(copy_demo_root(made / "root"))
        return _demo_copy[0]
    raise ResetError(f"no image to reset to: {IMAGE_ROOT} is missing under {ctx.root} (the node's image is "
                     "mounted there at boot); nothing was changed")


def journal(by: str, result: str) -> None:
    """The journal's record of a reset made from the setup TUI (the CLI's goes through its
    audit record): `journalctl -t ovirt-node-setup`."""
    from ovirt_node.system import systemd_journal

    made = systemd_journal.handler("ovirt-node-setup")
    if made is None:
        return
    record = logging.LogRecord("ovirt_node.reset", logging.INFO, __file__, 0,
                               "ovirt-node-setup reset by %s: (no settings) -> %s", (by, result), None)
    made.handle(record)
    made.close()


def management_keyfiles(ctx: Context) -> list[str]:
    """The keyfiles of the management connection and of what it stands on (bond members, the
    VLAN's parent, the bridge's port)."""
    if not ctx.root(KEYFILE_DIR).is_dir():
        return []
    ctx.need((KEYFILES,))
    files = read_keyfiles(ctx.aug)
    network = files.network
    bootif = ctx.defaults.get("OVIRT_BOOTIF") or ""
    names = {iface.name for iface in management_ifaces(network, bootif)}
    names |= {slave for name in list(names) for slave in network.slaves(name)}
    return sorted(files.paths[name] for name in names if name in files.paths)


def kept_paths(ctx: Context) -> list[str]:
    return sorted({*KEPT_ALWAYS, *KEPT_NETWORK, *management_keyfiles(ctx)})


def is_kept(path: str, kept: Iterable[str]) -> bool:
    return any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept) or path.startswith(KEPT_PREFIXES)


def files_under(top: Path) -> list[str]:
    """The files and symlinks under real folder `top`, as paths relative to it."""
    if not top.is_dir() or top.is_symlink():
        return [""] if top.is_symlink() or top.exists() else []
    found = []
    for folder, dirs, names in os.walk(top):
        for name in names + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            found.append(os.path.relpath(os.path.join(folder, name), top))
    return sorted(found)


def managed(sections: Sequence[Section]) -> list[str]:
    return sorted({DEFAULTS_PATH, *EXTRA_FILES, *MANAGED_DIRS, *(f.path for s in sections for f in s.lens_files)})


def _expand(ctx: Context, image: Path, path: str) -> list[str]:
    """`path` as the files it stands for: itself, or a folder's files here and in the image."""
    rel = path.lstrip("/")
    names = set(files_under(ctx.root(path, follow=False))) | set(files_under(image / rel))
    return sorted(path if not name else f"{path.rstrip('/')}/{name}" for name in names)


def kept_settings(ctx: Context, sections: Sequence[Section]) -> dict[str, str | None]:
    """The node settings file's variables that stay: those of the kept areas, as they are."""
    names = [k.ovirt for s in sections if s.name in KEPT_SECTIONS for k in s.keys
             if k.ovirt and k.name not in RESET_KEYS]
    return {name: value for name in names if (value := ctx.defaults.get(name)) is not None}


def plan_reset(ctx: Context, sections: Sequence[Section], image: Path) -> ResetPlan:
    """The reset of the node at `ctx` to `image` (see `pristine_tree`), nothing done yet."""
    kept = kept_paths(ctx)
    store = ctx.store
    persisted = store.list() if store.enabled() else []
    steps: list[Step] = []
    plan = ResetPlan(Transaction("Reset the configuration"), kept=kept)
    repersist: list[str] = []
    for entry in persisted:
        if is_kept(entry, kept):
            continue
        plan.unpersisted.append(entry)
        steps.append(Unpersist(entry))
        repersist += [p for p in _expand(ctx, image, entry) if is_kept(p, kept)]
    candidates = {p for top in [*managed(sections), *plan.unpersisted] for p in _expand(ctx, image, top)}
    for path in sorted(candidates):
        if is_kept(path, kept):
            continue
        live, source = ctx.root(path, follow=False), image / path.lstrip("/")
        pristine = source if source.is_symlink() or source.is_file() else None
        if pristine is None and not (live.is_symlink() or live.exists()):
            continue
        if pristine is not None and _same(live, pristine):
            continue
        (plan.reset if pristine is not None else plan.removed).append(path)
        steps.append(RestorePristine(path, pristine, image_root=image))
    plan.kept_settings = kept_settings(ctx, sections)
    if DEFAULTS_PATH in plan.reset + plan.removed and plan.kept_settings:
        steps.append(WriteDefaults(plan.kept_settings, title="Keep the network and SSH settings"))
        steps.append(PersistPath(DEFAULTS_PATH))  # skipped where /config is not mounted
    steps += [PersistPath(p) for p in sorted(set(repersist))]
    plan.transaction = Transaction("Reset the configuration", steps)
    return plan


def _same(live: Path, pristine: Path) -> bool:
    if pristine.is_symlink() or live.is_symlink():
        return live.is_symlink() and pristine.is_symlink() and os.readlink(live) == os.readlink(pristine)
    if not live.is_file():
        return False
    a, b = live.stat(), pristine.stat()
    same_meta = (a.st_mode, a.st_uid, a.st_gid) == (b.st_mode, b.st_uid, b.st_gid)
    return same_meta and live.read_bytes() == pristine.read_bytes()
