"""Installer scenarios on loop devices, run by tests/integration/test_install_loop.py.

Run as `unshare -m --propagation private -- python install_loop.py SCENARIO WORKDIR`: inside a
private mount namespace it attaches a sparse file as the disk, runs the real installer flows
(wipefs, sgdisk, mkfs, mounts, the image copy, grub.cfg and grubenv, the config engine and
the persistence code writing the Config volume) and writes what it observed to
WORKDIR/result.json. The build host's kernel reads no partition tables and has no
device-mapper, so `LoopDevices` stands in for the kernel's partitions (a loop device at each
partition's offset, read from the GPT that sgdisk wrote) and for LVM (one loop device per
volume); the LVM and grub-install commands are what the VM tests run for real.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ovirt_node.areas.registry import all_sections
from ovirt_node.core import cmdline
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.platform import load
from ovirt_node.core.root import Root
from ovirt_node.core.run import Runner
from ovirt_node.core.transaction import Progress, TransactionError
from ovirt_node.installer.devices import LvmDevices, unmount_tree
from ovirt_node.installer.image import ImageError, open_image
from ovirt_node.installer.plan import flows
from ovirt_node.installer.plan.layout import Layout, plan
from ovirt_node.installer.plan.sizes import Sizes
from ovirt_node.installer.session import InstalledNode, Session
from ovirt_node.installer.steps.storage import Target
from ovirt_node.installer.steps.trial import commit_command
from ovirt_node.system.machine.model import Disk, Machine
from tests.integration.test_network_cli import fake_sysfs

Json = dict[str, Any]
MIB = 1024 * 1024
SIZES = Sizes(root=1024, config=64, logging=32, swap=16, data=0)
HOOK = """#!/bin/sh
echo "$OVIRT_NODE_EVENT $OVIRT_NODE_VERSION $(basename "$0")" >> {log}
"""


#: Every loop device the scenario attached, detached again at the end.
LOOPS: list[str] = []


def sh(*argv: str) -> str:
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:  # the command's own words in the scenario's exception
        raise RuntimeError(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr.strip()}")
    out = done.stdout
    if argv[:3] == ("losetup", "--find", "--show"):
        LOOPS.append(out.strip())
    return out


def closed_port() -> int:
    """A local TCP port nobody listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def read(path: Path) -> str:
    return path.read_text() if path.is_file() else ""


class LoopDevices:
    """Partitions and volumes as loop devices (see the module's docstring)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.partitions: dict[tuple[str, int], str] = {}
        self.volumes: dict[str, str] = {}
        self.fat: dict[Path, tuple[str, bool]] = {}

    def partition(self, disk: Disk, number: int) -> str:
        key = (disk.path, number)
        if key not in self.partitions:
            for line in sh("partx", "--raw", "--noheadings", "-o", "NR,START,SECTORS", disk.path).splitlines():
                nr, start, sectors = (int(x) for x in line.split())
                if nr == number:
                    self.partitions[key] = sh("losetup", "--find", "--show", "--offset", str(start * 512),
                                              "--sizelimit", str(sectors * 512), disk.path).strip()
        return self.partitions.get(key, f"{disk.path}-part{number}-missing")

    def volume(self, name: str) -> str:
        return self.volumes.get(name, f"(loop device for {name})")

    def partitions_changed(self, ctx: Context) -> None:
        for device in self.partitions.values():
            sh("losetup", "--detach", device)
        self.partitions.clear()

    def volume_commands(self, layout: Layout) -> list[list[str]]:
        return [["losetup", "--find", "--show", str(self.workdir / f"lv-{v.name}")] for v in layout.volumes]

    def create_volumes(self, ctx: Context, layout: Layout) -> None:
        for v in layout.volumes:
            backing = self.workdir / f"lv-{v.name}"
            backing.unlink(missing_ok=True)
            os.truncate(os.open(backing, os.O_CREAT | os.O_WRONLY, 0o600), v.size_mib * MIB)
            self.volumes[v.name] = ctx.runner(["losetup", "--find", "--show", str(backing)]).stdout.strip()
            LOOPS.append(self.volumes[v.name])

    def remove_volume_groups(self, ctx: Context, groups: Sequence[str]) -> None:
        for device in self.volumes.values():
            ctx.runner(["losetup", "--detach", device])
        self.volumes.clear()

    def activate(self, ctx: Context) -> None:
        pass

    def grub_skip_reason(self) -> str | None:
        return "grub-install needs the kernel's partitions of a real disk (run in the VM tests)"

    def mount(self, ctx: Context, device: str, directory: Path, options: str = "") -> None:
        """Real mounts, except FAT: this kernel has no vfat, so the ESP's files are copied out
        with mtools and copied back into the FAT filesystem when it is "unmounted"."""
        if sh("blkid", "-o", "value", "-s", "TYPE", device).strip() != "vfat":
            LvmDevices().mount(ctx, device, directory, options)
            return
        directory.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mcopy", "-s", "-n", "-i", device, "::/*", f"{directory}/"], capture_output=True)
        self.fat[directory] = (device, "ro" in options.split(","))

    def unmount_all(self, ctx: Context, top: Path) -> None:
        for directory, (device, readonly) in list(self.fat.items()):
            if directory == top or top in directory.parents:
                for entry in [] if readonly else sorted(directory.iterdir()):
                    sh("mcopy", "-s", "-o", "-i", device, str(entry), "::/")
                shutil.rmtree(directory)
                del self.fat[directory]
        unmount_tree(ctx, top)


def make_image(directory: Path, version: str) -> Path:
    """A small node image: kernel and initrd stand-ins, a real squashfs holding the node's /etc."""
    tree = directory / "tree"
    etc = tree / "etc"
    (etc / "ssh").mkdir(parents=True)
    (tree / "usr/lib").mkdir(parents=True)  # as Debian has it: /etc/os-release is a link
    (tree / "usr/lib/os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    (etc / "os-release").symlink_to("../usr/lib/os-release")
    (etc / "chrony").mkdir()
    (etc / "chrony/chrony.conf").write_text("pool 2.debian.pool.ntp.org iburst\n")
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n")
    (etc / "group").write_text("root:x:0:\nadmin:x:1000:\n")
    (etc / "shadow").write_text("root:*:19000:0:99999:7:::\nadmin:!:19000:0:99999:7:::\n")
    (etc / "shadow").chmod(0o640)
    (etc / "fstab").write_text("# image fstab\nproc /proc proc defaults 0 0\n")
    (etc / "ssh/sshd_config").write_text("PasswordAuthentication no\n")
    keymaps = tree / "usr/share/keymaps/i386/qwertz"  # what keyboard= is checked against
    keymaps.mkdir(parents=True)
    (keymaps / "de-latin1.map.gz").write_bytes(b"a keymap")
    media = directory / "media"
    (media / "LiveOS").mkdir(parents=True)
    (media / "vmlinuz").write_bytes(os.urandom(3 * MIB + 123))
    (media / "initrd.img").write_bytes(os.urandom(2 * MIB + 7))
    sh("mksquashfs", str(tree), str(media / "LiveOS/squashfs.img"), "-quiet", "-noappend", "-all-root")
    (media / "version").write_text(f"NAME=oVirt Node\nVERSION={version}\nRELEASE=1\n")
    sums = "".join(f"{hashlib.sha256((media / n).read_bytes()).hexdigest()}  {n}\n"
                   for n in ("vmlinuz", "initrd.img", "LiveOS/squashfs.img", "version"))
    (media / "SHA256SUMS").write_text(sums)
    return media


class Scenario:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.live = workdir / "live"
        (self.live / "etc/NetworkManager/system-connections").mkdir(parents=True)
        (self.live / "etc/NetworkManager/system-connections/ens3.nmconnection").write_text(
            "[connection]\nid=ens3\ntype=ethernet\ninterface-name=ens3\n\n[ipv4]\nmethod=auto\n")
        self.hook_log = workdir / "hooks.log"
        for event in ("pre-upgrade", "post-upgrade", "rollback", "post-install"):
            hook = self.live / f"usr/libexec/ovirt-node/hooks/{event}/10-record"
            hook.parent.mkdir(parents=True)
            hook.write_text(HOOK.format(log=self.hook_log))
            hook.chmod(0o755)
        disk_file = workdir / "disk.img"
        os.truncate(os.open(disk_file, os.O_CREAT | os.O_WRONLY, 0o600), 2600 * MIB)
        self.disk_device = sh("losetup", "--find", "--show", "--", str(disk_file)).strip()
        LOOPS.append(self.disk_device)
        self.disk = Disk(name=Path(self.disk_device).name, path=self.disk_device, size_bytes=2600 * MIB,
                         bus="virtio", model="Loop Disk", serial="LOOP0001", vendor=None, by_id=None,
                         removable=False, rotational=False, readonly=False, transport=None)
        self.machine = Machine(name="loop", nics=(), disks=(self.disk,), memory_bytes=2 * 1024 * MIB,
                               firmware="bios", cpu_model="test", cpus=2, virt_hw=True)
        self.devices = LoopDevices(workdir)
        self.events: list[str] = []
        self.log_file = workdir / "install.log"
        logging.basicConfig(filename=self.log_file, level=logging.INFO)

    def session(self) -> Session:
        return Session(ctx=Context(root=Root.at(self.live), runner=Runner()), platform=load("debian"),
                             devices=self.devices, target=Target(self.workdir / "target"), uefi=False,
                             log_file=self.log_file, live=Root.at(self.live))

    def progress(self, event: Progress) -> None:
        self.events.append(str(event))

    def install(self, media: Path, args: str) -> None:
        layout = plan(self.machine, [self.disk], SIZES)
        tx = flows.install(self.session(), layout, open_image(media), cmdline.parse(args))
        tx.run(self.session().ctx, self.progress)

    def inspect(self) -> InstalledNode:
        return flows.inspect(self.session(), self.devices.partition(self.disk, 2))

    def mounted(self, device: str, name: str) -> Path:
        point = self.workdir / "look" / name
        point.mkdir(parents=True, exist_ok=True)
        sh("mount", "-o", "ro", device, str(point))
        return point

    def observe_esp(self) -> Json:
        esp = self.devices.partition(self.disk, 2)
        cfg = self.workdir / "grub.cfg"
        cfg.write_text(sh("mtype", "-i", esp, "::/grub/grub.cfg"))
        check = subprocess.run(["grub-script-check", str(cfg)], capture_output=True, text=True)
        return {"grub_cfg": cfg.read_text(), "grub_check": check.returncode,
                "grubenv": [line for line in sh("mtype", "-i", esp, "::/grub/grubenv").splitlines()
                            if line.startswith(("saved_entry=", "next_entry=", "trial_left="))],
                "fsck": subprocess.run(["fsck.vfat", "-n", esp], capture_output=True).returncode}

    def commit_trial(self, entry: str) -> None:
        """The grubenv as the node's health checks leave it after a good trial boot."""
        self.edit_grubenv(commit_command(load("debian"), Path("/unused"), entry))

    def trial_tried(self) -> None:
        """The grubenv as grub leaves it once it booted the trial (its counter at 0): the node
        then lost power before the trial's health checks decided."""
        self.edit_grubenv(["grub-editenv", "/unused", "set", "trial_left=0"])

    def edit_grubenv(self, command: list[str]) -> None:
        """Run a grub-editenv `command` (its file argument replaced) on the ESP's grubenv: the
        real grub-editenv on a copy, put back with mtools."""
        esp = self.devices.partition(self.disk, 2)
        local = self.workdir / "grubenv"
        local.write_bytes(subprocess.run(["mtype", "-i", esp, "::/grub/grubenv"], check=True,
                                         capture_output=True).stdout)
        sh(command[0], str(local), *command[2:])
        sh("mcopy", "-o", "-i", esp, str(local), "::/grub/grubenv")

    def observe_slot(self, lv: str) -> Json:
        slot = self.mounted(self.devices.volume(lv), lv)
        files = sorted(str(p.relative_to(slot)) for p in slot.rglob("*") if p.is_file())
        sums = {line.split()[1]: line.split()[0] for line in (slot / "SHA256SUMS").read_text().splitlines()}
        intact = all(hashlib.sha256((slot / n).read_bytes()).hexdigest() == d for n, d in sums.items())
        out = {"files": files, "version": (slot / "version").read_text(), "intact": intact,
               "label": sh("blkid", "-o", "value", "-s", "LABEL", self.devices.volume(lv)).strip()}
        sh("umount", str(slot))
        return out

    def observe_config(self) -> Json:
        config = self.mounted(self.devices.volume("Config"), "config")
        out = {"index": (config / "files").read_text().split(), "fstab": (config / "etc/fstab").read_text(),
               "shadow_admin": next((line for line in read(config / "etc/shadow").splitlines()
                                     if line.startswith("admin:")), None),
               "sshd": read(config / "etc/ssh/sshd_config"),
               "eth0": read(config / "etc/NetworkManager/system-connections/eth0.nmconnection"),
               "hostname": read(config / "etc/hostname"),
               "chrony": read(config / "etc/chrony/chrony.conf"),
               "vconsole": read(config / "etc/vconsole.conf"),
               "keyfile_mode": oct((config / "etc/NetworkManager/system-connections/ens3.nmconnection")
                                   .stat().st_mode & 0o777),
               "label": sh("blkid", "-o", "value", "-s", "LABEL", self.devices.volume("Config")).strip(),
               "defaults": read(config / "etc/default/ovirt"),
               # What the booted node reads once /config is restored: the Config volume holds
               # the node's paths, so the engine on it sees what the node's engine will.
               "report_url": Engine(Context(root=Root.at(config)), all_sections())
               .values(["lifecycle"])["lifecycle.report_url"]}
        sh("umount", str(config))
        logging_dir = self.mounted(self.devices.volume("Logging"), "logging")
        out["install_log"] = (logging_dir / "ovirt-node/install.log").is_file()
        spool = read(logging_dir / "ovirt-node/lifecycle-spool.jsonl")
        out["spool"] = [json.loads(line) for line in spool.splitlines()]
        sh("umount", str(logging_dir))
        return out

    def gpt(self) -> list[str]:
        lines = sh("sgdisk", "--print", self.disk_device).splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("Number"))
        return [" ".join(line.split()[5:]) for line in lines[start + 1:] if line.strip()]

    def leftover_mounts(self) -> list[str]:
        return [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()
                if str(self.workdir / "target") in line]


def scenario_install(s: Scenario) -> Json:
    media = make_image(s.workdir / "v1", "4.0.1")
    admin_hash = sh("openssl", "passwd", "-6", "-salt", "saltsalt", "node-secret").strip()
    fake_sysfs(s.live)  # the machine's NICs, as the installer sees them
    report_url = f"http://127.0.0.1:{closed_port()}/events"  # nobody listens: the install's event waits
    s.install(media, f"BOOTIF=link ip=dhcp hostname=node1.example.com adminpw={admin_hash} ssh_pwauth=1 "
                     f"console=ttyS0,115200 keyboard=de-latin1 ntp=ntp1.example.com storage_init "
                     f"report_url={report_url}")
    return {"report_url": report_url,"gpt": s.gpt(), "esp_label": sh("blkid", "-o", "value", "-s", "LABEL",
                                           s.devices.partition(s.disk, 2)).strip(),
            "slot": s.observe_slot("Root"), "backup_label": sh("blkid", "-o", "value", "-s", "LABEL",
                                                               s.devices.volume("RootBackup")).strip(),
            "swap_type": sh("blkid", "-o", "value", "-s", "TYPE", s.devices.volume("Swap")).strip(),
            "esp": s.observe_esp(), "config": s.observe_config(), "events": s.events,
            "hooks": s.hook_log.read_text(), "mounts": s.leftover_mounts(),
            "log": s.log_file.read_text(), "admin_hash": admin_hash}


def scenario_upgrade_rollback(s: Scenario) -> Json:
    s.install(make_image(s.workdir / "v1", "4.0.1"), "console=ttyS0")
    config_before = s.observe_config()
    v2 = open_image(make_image(s.workdir / "v2", "4.0.2"))
    node = s.inspect()
    flows.upgrade(s.session(), node, v2).run(s.session().ctx, s.progress)
    upgraded = {"node": str(node), "esp": s.observe_esp(), "backup_slot": s.observe_slot("RootBackup"),
                "config_same": s.observe_config() == config_before, "after": str(s.inspect())}
    try:  # the trial boot has not decided yet: no second switch
        flows.rollback(s.session(), s.inspect())
        refused = ""
    except ImageError as exc:
        refused = str(exc)
    s.commit_trial("slot-RootBackup")  # what the new slot's health checks do on the node
    committed = {"esp": s.observe_esp(), "after": str(s.inspect())}
    flows.rollback(s.session(), s.inspect()).run(s.session().ctx, s.progress)
    rolled = {"esp": s.observe_esp(), "after": str(s.inspect())}
    # grub boots the rollback's trial, the power goes before its checks decide, and the node is
    # booted from media (or its old slot): that trial failed, and a new upgrade replaces it.
    s.trial_tried()
    after_power_loss = str(s.inspect())
    flows.upgrade(s.session(), s.inspect(), v2).run(s.session().ctx, s.progress)
    return {"upgraded": upgraded, "refused": refused, "committed": committed, "rolled_back": rolled,
            "after_power_loss": after_power_loss, "upgraded_again": s.observe_esp(),
            "hooks": s.hook_log.read_text(),
            "mounts": s.leftover_mounts()}


def scenario_failed_upgrade(s: Scenario) -> Json:
    s.install(make_image(s.workdir / "v1", "4.0.1"), "console=ttyS0")
    esp_before = s.observe_esp()
    v2 = open_image(make_image(s.workdir / "v2", "4.0.2"))
    # The media goes bad after it was verified: the copy on disk will not match.
    with open(v2.path("LiveOS/squashfs.img"), "r+b") as handle:
        handle.seek(100)
        handle.write(b"X")
    error = ""
    try:
        flows.upgrade(s.session(), s.inspect(), v2).run(s.session().ctx, s.progress)
    except TransactionError as exc:
        error = str(exc)
    return {"error": error, "esp_same": s.observe_esp() == esp_before, "after": str(s.inspect()),
            "hooks": s.hook_log.read_text(), "mounts": s.leftover_mounts(), "events": s.events}


def scenario_reinstall(s: Scenario) -> Json:
    s.install(make_image(s.workdir / "v1", "4.0.1"), "console=ttyS0")
    probe = s.disk._replace(partitions=tuple(f"{s.disk.name}p{n}" for n in (1, 2, 3)))
    s.disk = probe
    s.machine = s.machine._replace(disks=(probe,))
    s.install(make_image(s.workdir / "v3", "4.1.0"), "console=ttyS0")
    return {"gpt": s.gpt(), "slot": s.observe_slot("Root"), "esp": s.observe_esp(),
            "mounts": s.leftover_mounts(), "commands": [e for e in s.events if "Wipe" in e]}


def cleanup(workdir: Path) -> None:
    """Everything mounted under the work directory, then every loop device attached."""
    mounts = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()
              if line.split()[4].startswith(str(workdir))]
    for point in sorted(mounts, key=lambda m: -m.count("/")):
        subprocess.run(["umount", point], check=False)
    for device in reversed(LOOPS):
        subprocess.run(["losetup", "--detach", device], check=False, capture_output=True)


def scenario_uninstall(s: Scenario) -> Json:
    s.install(make_image(s.workdir / "v1", "4.0.1"), "console=ttyS0")
    disk = s.disk._replace(partitions=tuple(f"{s.disk.name}p{n}" for n in (1, 2, 3)))
    flows.uninstall(s.session(), [disk]).run(s.session().ctx, s.progress)
    table = subprocess.run(["sgdisk", "--print", s.disk_device], capture_output=True, text=True)
    signatures = subprocess.run(["wipefs", "--no-act", s.disk_device], capture_output=True, text=True)
    return {"gpt": table.stdout + table.stderr, "signatures": signatures.stdout.strip(),
            "volumes": list(s.devices.volumes), "events": s.events[-4:]}


def scenario_media(s: Scenario) -> Json:
    """The image from a file (loop-mounted) and from a block device, unmounted afterwards."""
    from ovirt_node.installer.image import ImageError
    from ovirt_node.installer.media import media

    tree = make_image(s.workdir / "v1", "4.0.1")
    image_file = s.workdir / "media.img"
    os.truncate(os.open(image_file, os.O_CREAT | os.O_WRONLY, 0o600), 64 * MIB)
    sh("mkfs.ext4", "-q", "-F", "-d", str(tree), str(image_file))
    seen = {}
    with media(image_file, s.workdir / "m1", Runner()) as image:
        seen["file"] = str(image.version)
        seen["file_mounted"] = str(s.workdir / "m1") in Path("/proc/self/mountinfo").read_text()
    device = sh("losetup", "--find", "--show", str(image_file)).strip()
    with media(Path(device), s.workdir / "m2", Runner()) as image:
        seen["device"] = str(image.version)
    (tree / "vmlinuz").unlink()
    try:
        with media(tree, s.workdir / "m3", Runner()):
            pass
    except ImageError as exc:
        seen["broken"] = str(exc)
    seen["left_mounted"] = [m for m in Path("/proc/self/mountinfo").read_text().splitlines()
                            if str(s.workdir) in m]
    return seen


SCENARIOS = {name.removeprefix("scenario_"): f for name, f in globals().items() if name.startswith("scenario_")}


def main() -> int:
    name, workdir = sys.argv[1], Path(sys.argv[2])
    scenario = Scenario(workdir)
    try:
        result = SCENARIOS[name](scenario)
    except Exception:
        result = {"exception": traceback.format_exc(), "log": scenario.log_file.read_text()}
    finally:
        cleanup(workdir)
    (workdir / "result.json").write_text(json.dumps(result, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
