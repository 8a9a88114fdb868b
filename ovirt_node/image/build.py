"""Building the node image from the recipe, with the image cache.

    ~/.cache/ovirt-node/rootfs/<base-key>/    the Debian root mmdebstrap made (slow: ~2 min)
    ~/.cache/ovirt-node/images/<image-key>/   vmlinuz, initrd.img, LiveOS/squashfs.img, version,
                                              SHA256SUMS, ovirt-node.iso

Each is built in a temp directory beside its final place and renamed into place when whole,
so an interrupted build leaves nothing that looks finished; a cache hit costs one stat.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ovirt_node.areas.ssh import SSHD_CONFIG, set_global_option
from ovirt_node.core.context import Context
from ovirt_node.core.root import Root
from ovirt_node.core.run import CommandError, Runner
from ovirt_node.image import initramfs, iso, kdump, pxe
from ovirt_node.image.keymap_names import drop_unloadable, link_map_names
from ovirt_node.image.recipe import Recipe, base_key, image_key, source_digest, version_text
from ovirt_node.installer import secureboot
from ovirt_node.installer.image import CHECKSUMS, INITRD, KERNEL, SQUASHFS, VERSION, read_image

log = logging.getLogger(__name__)

CACHE_ENV = "OVIRT_NODE_IMAGE_CACHE"
ISO_NAME = "ovirt-node.iso"
#: Where the image keeps its own version (read by the node at run time).
RELEASE_FILE = "/etc/ovirt-node/version"
ADMIN_SHELL = "/usr/local/bin/ovirt-admin-shell"
SQUASHFS_ARGS = ["-comp", "zstd", "-Xcompression-level", "3", "-noappend", "-no-progress"]
LONG = 3600.0
#: Seconds between the "still running" lines of a long build step.
HEARTBEAT = 20.0
#: How many finished images and Debian roots the cache keeps (the newest; ~0.5 GB/0.8 GB each).
KEEP_IMAGES = 4
KEEP_ROOTS = 2
PRUNE_AGE = 24 * 3600.0


def cache_root() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ovirt-node"


def project_root() -> Path:
    """The source tree this package runs from (the wheel is built from it; an installed wheel
    has none, so `build` needs a checkout)."""
    return Path(__file__).resolve().parents[2]


Report = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Builder:
    recipe: Recipe
    project: Path
    cache: Path
    runner: Runner
    report: Report = _stderr
    #: Plugin wheels installed after the project's (their Debian packages are already in the
    #: recipe: recipe.with_plugins).
    plugins: tuple[Path, ...] = ()

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        """Report the step's start, a line every HEARTBEAT seconds while it runs (a build is
        minutes long: no stretch of silence), and its time."""
        start = time.monotonic()
        self.report(f"{title} ...")
        done = threading.Event()

        def heartbeat() -> None:
            while not done.wait(HEARTBEAT):
                self.report(f"{title}: still running ({time.monotonic() - start:.0f} s)")

        beat = threading.Thread(target=heartbeat, name="build-heartbeat", daemon=True)
        beat.start()
        try:
            yield
        finally:
            done.set()
            beat.join()
        self.report(f"{title}: {time.monotonic() - start:.1f} s")

    def _mmdebstrap(self, target: Path) -> None:
        """mmdebstrap, its own progress lines (`I: downloading packages...`) reported as they come."""
        tail: list[str] = []

        def on_line(line: str) -> bool:
            tail[:] = [*tail[-19:], line]
            if line.startswith(("I: ", "W: ", "E: ")):
                self.report(f"  {line}")
            return True

        argv = mmdebstrap_command(self.recipe, target)
        code = self.runner.stream(argv, on_line, timeout=LONG)
        if code != 0:
            raise CommandError(argv, code, "\n".join(tail))

    # ---------------------------------------------------------------- the Debian root

    def base(self) -> Path:
        """The cached Debian root of the recipe (made when missing)."""
        final = self.cache / "rootfs" / base_key(self.recipe)
        if (final / "root").is_dir():
            return final / "root"
        final.parent.mkdir(parents=True, exist_ok=True)
        with _temp_dir(final.parent, ".tmp-rootfs-") as tmp, self.step("mmdebstrap (the Debian root)"):
            self._mmdebstrap(tmp / "root")
            _rename_into_place(tmp, final)
        prune(final.parent, KEEP_ROOTS)
        return final / "root"

    # ---------------------------------------------------------------- the image

    def build(self) -> Path:
        """The image directory of the recipe and the project source (built when missing)."""
        final = self.cache / "images" / image_key(self.recipe, source_digest(self.project), self.plugins)
        if (final / CHECKSUMS).is_file():
            self.report(f"cached: {final}")
            return final
        base = self.base()
        final.parent.mkdir(parents=True, exist_ok=True)
        with _temp_dir(final.parent, ".tmp-image-") as tmp:
            root, out = tmp / "root", tmp / "out"
            with self.step("copy the Debian root"):
                self.runner(["cp", "-a", "--reflink=auto", str(base), str(root)], timeout=LONG)
            with self.step("install ovirt-node from its wheel"):
                self.install_project(root, tmp / "wheels")
            if self.plugins:
                with self.step("install the plugins"):
                    pip_install(root, list(self.plugins), self.runner)
            with self.step("node files, admin user, version"):
                self.customize(root)
            self.finish(root, out)
            _rename_into_place(out, final)
        self.report(f"built: {final}")
        prune(final.parent, KEEP_IMAGES)
        return final

    def install_project(self, root: Path, wheels: Path) -> None:
        """The project's wheel and its PyPI dependencies (those Debian does not provide),
        built here and installed into the image's system Python."""
        wheels.mkdir()
        pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
        self.runner([*pip, "wheel", "--no-deps", "-w", str(wheels), str(self.project)], timeout=LONG)
        skip = {_dist_name(n) for n in self.recipe.python_from_debian}
        deps = [d for d in _requirements(self.project) if _dist_name(d) not in skip]
        if deps:
            self.runner([*pip, "wheel", "-w", str(wheels), *deps], timeout=LONG)
        pip_install(root, sorted(wheels.glob("*.whl")), self.runner)

    def customize(self, root: Path) -> None:
        # The node's own data (platform maps, machine profiles) is in the installed wheel.
        shutil.copytree(self.recipe.files, root, symlinks=True, dirs_exist_ok=True)
        # The admin's login shell must be executable whatever mode the recipe's copy has
        # (an installed wheel keeps the bit, but a checkout's umask or a zip may not).
        (root / ADMIN_SHELL.lstrip("/")).chmod(0o755)
        link_map_names(root)
        dropped = drop_unloadable(root, self.runner)
        if dropped:
            self.report(f"  keymaps loadkeys cannot load, left out: {', '.join(dropped)}")
        for sudoers in (root / "etc/sudoers.d").glob("ovirt-node-*"):
            sudoers.chmod(0o440)  # sudo ignores a rule file others may read or write
        release = root / RELEASE_FILE.lstrip("/")
        release.parent.mkdir(parents=True, exist_ok=True)
        release.write_text(version_text(self.recipe.version))
        chroot = ["chroot", str(root)]
        self.runner([*chroot, "systemctl", "enable", *ENABLED_UNITS])
        self.runner([*chroot, "systemctl", "mask", *MASKED_UNITS])
        shells = root / "etc/shells"
        if ADMIN_SHELL not in shells.read_text().split():
            with shells.open("a") as stream:
                stream.write(ADMIN_SHELL + "\n")
        if self.runner([*chroot, "id", "admin"], check=False).returncode != 0:
            self.runner([*chroot, "useradd", "--create-home", "--shell", ADMIN_SHELL, "--comment",
                         "oVirt Node administrator", "admin"])
        for stale in (root / "boot").glob("initrd.img-*"):  # initramfs-tools' (the node has its own)
            stale.unlink()
        kdump.link_crash_initrd(root, initramfs.kernel_version(root))
        if not watchdog_modules(root, initramfs.kernel_version(root)):
            self.report("  no hardware watchdog module in the kernel: a hung trial boot is not reset")
        ssh_password_logins_off(root)
        # A fresh machine id on every boot of the image until the node persists one.
        (root / "etc/machine-id").write_text("")
        (root / "etc/hostname").write_text("localhost\n")
        # mmdebstrap leaves the build host's resolver in the root: the node would show (and use)
        # DNS servers nobody configured. NetworkManager writes the node's own at boot.
        resolv = root / "etc/resolv.conf"
        resolv.unlink(missing_ok=True)
        resolv.write_text("")
        resolv.chmod(0o644)

    def finish(self, root: Path, out: Path) -> None:
        """The image files from the customized root, then the ISO."""
        (out / "LiveOS").mkdir(parents=True)
        kernel = initramfs.kernel_version(root)
        # shim boots only a kernel signed by Debian (linux-image-amd64, not the -unsigned build)
        secureboot.require_signed(root / "boot" / f"vmlinuz-{kernel}", "linux-image-amd64")
        shutil.copyfile(root / "boot" / f"vmlinuz-{kernel}", out / KERNEL)
        with self.step("initramfs"):
            initramfs.build(root, kernel, self.recipe, out / INITRD, self.runner)
        self.pack(root, out)

    def pack(self, root: Path, out: Path) -> None:
        """squashfs, version, SHA256SUMS and the ISO into `out`, which has the kernel and initrd."""
        with self.step("squashfs"):
            self.runner(["mksquashfs", str(root), str(out / SQUASHFS), *SQUASHFS_ARGS,
                         "-wildcards", "-e", "proc/*", "sys/*", "run/*", "tmp/*"], timeout=LONG)
        (out / VERSION).write_text(version_text(self.recipe.version))
        (out / CHECKSUMS).write_text(read_image(out).checksums())
        pxe.write_uefi(pxe.write(out, self.recipe), self.recipe, root)
        with self.step("ISO (BIOS, and UEFI with Secure Boot)"):
            iso.build(out, out / ISO_NAME, self.recipe, self.runner, root)


#: Units of the node enabled in the image (their files come from the recipe's files/).
ENABLED_UNITS = ("ovirt-node-early.service", "ovirt-node-boot.service", "ovirt-node-persist-accounts.path",
                 "systemd-vconsole-setup.service", "ovirt-node-netconsole.service",
                 "ovirt-node-boot-report.service", "ovirt-node-health.service", "ovirt-node-trial-deadline.timer")
#: Hardware watchdogs systemd's RuntimeWatchdogSec= drives (qemu's i6300esb, Intel's iTCO),
#: loaded at boot when the image's kernel has them.
WATCHDOG_MODULES = ("i6300esb", "iTCO_wdt")
WATCHDOG_LOAD = "etc/modules-load.d/ovirt-node-watchdog.conf"


def watchdog_modules(root: Path, kernel: str) -> list[str]:
    """The watchdog modules the image's kernel has; listed for systemd-modules-load."""
    tree = root / "lib/modules" / kernel
    found = [name for name in WATCHDOG_MODULES if any(tree.rglob(f"{name}.ko*"))]
    if found:
        load = root / WATCHDOG_LOAD
        load.parent.mkdir(parents=True, exist_ok=True)
        load.write_text("# Hardware watchdogs for systemd's RuntimeWatchdogSec= (docs/upgrades.md)\n"
                        + "".join(f"{name}\n" for name in found))
    return found


#: Units that must not run on a node booted from the image (the initramfs does their work).
MASKED_UNITS = ("lvm2-monitor.service",)


def ssh_password_logins_off(root: Path) -> None:
    """3.x's default: sshd takes no passwords until `ssh_pwauth=1` or the Security page turns
    them on (Debian's sshd_config leaves sshd's built-in "yes"). Written the way the SSH
    section writes it, so the node reads and changes the same line."""
    ctx = Context(root=Root.at(root))
    ctx.need([SSHD_CONFIG])
    set_global_option(ctx.aug, "PasswordAuthentication", "no")
    ctx.aug.save()


def pip_install(root: Path, wheels: list[Path], runner: Runner) -> None:
    """Install `wheels` (no dependency resolution: the list is complete) into the system Python
    of the image at `root`, with pip run from its own wheel (the image carries no pip)."""
    inside = root / "tmp" / "wheels"
    inside.mkdir(parents=True)
    try:
        pip_dir = inside / "pip"
        runner([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", "download", "--no-deps",
                "-d", str(pip_dir), "pip"], timeout=LONG)
        pip_wheel = next(pip_dir.glob("pip-*.whl"))
        for wheel in wheels:
            shutil.copyfile(wheel, inside / wheel.name)
        runner(["chroot", str(root), "/usr/bin/python3", f"/tmp/wheels/pip/{pip_wheel.name}/pip", "install", "-q",
                "--no-index", "--no-deps", "--break-system-packages", "--root-user-action=ignore",
                "--disable-pip-version-check", *[f"/tmp/wheels/{w.name}" for w in wheels]], timeout=LONG)
    finally:
        shutil.rmtree(inside, ignore_errors=True)


#: initramfs-tools picks an initrd's modules from the *running* machine (MODULES=dep, which
#: kdump-tools' kernel hook switches "most" to): in the build's chroot that is the build host's
#: root device and loaded modules, and on a host without a module tree the kernel package
#: fails to configure. The node boots its own initramfs (image/initramfs.py); the initrds
#: initramfs-tools makes inside the image take the modules it lists, never the host's.
INITRAMFS_CONF = "/etc/initramfs-tools/conf.d/ovirt-node-image"
INITRAMFS_HOOK = f'mkdir -p "$1"/etc/initramfs-tools/conf.d && echo MODULES=list > "$1"{INITRAMFS_CONF}'


def mmdebstrap_command(recipe: Recipe, target: Path) -> list[str]:
    dpkg = [f"--dpkgopt=path-exclude={p}" for p in recipe.path_exclude]
    dpkg += [f"--dpkgopt=path-include={p}" for p in recipe.path_include]
    return ["mmdebstrap", f"--variant={recipe.variant}", "--mode=root", "--format=directory",
            f"--include={','.join(recipe.packages)}", *dpkg,
            f"--setup-hook={INITRAMFS_HOOK}",
            "--customize-hook=rm -f \"$1\"/etc/ssh/ssh_host_*",
            recipe.suite, str(target), *recipe.sources]


def _requirements(project: Path) -> list[str]:
    import tomllib

    data = tomllib.loads((project / "pyproject.toml").read_text())
    return list(data["project"]["dependencies"])


def _dist_name(requirement: str) -> str:
    name = requirement
    for stop in "<>=!~[; ":
        name = name.split(stop, 1)[0]
    return name.strip().lower().replace("_", "-")


@contextmanager
def _temp_dir(parent: Path, prefix: str) -> Iterator[Path]:
    tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _rename_into_place(source: Path, final: Path) -> None:
    """Atomic: `final` appears whole or not at all (a build that lost a race keeps the other's)."""
    try:
        source.rename(final)
    except OSError:
        if not final.is_dir():
            raise


def prune(directory: Path, keep: int, min_age: float = PRUNE_AGE) -> None:
    """Remove the entries of a cache level beyond the `keep` newest that are also older than
    `min_age` seconds (a VM test may still boot an image built an hour ago); temp dirs of
    running builds are left alone."""
    entries = sorted((p for p in directory.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    now = time.time()
    for old in entries[keep:]:
        if now - old.stat().st_mtime > min_age:
            shutil.rmtree(old, ignore_errors=True)


def export(image: Path, out: Path) -> None:
    """The image's files at `out` (hard links when the cache is on the same filesystem)."""
    for path in sorted(image.rglob("*")):
        target = out / path.relative_to(image)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)
