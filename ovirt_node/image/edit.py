"""`ovirt-node-image edit`: a new image made from an existing one with plugin wheels installed
and files added or replaced (`--add-file SRC:DEST`: a local health check, a test's broken
/sbin/init) (3.x's edit-node). The kernel and initramfs are kept; the root is unpacked, the Debian
packages the plugins declare are installed with apt (image/apt.py), the plugins go into its
system Python, and the squashfs, version, checksums and ISO are made anew.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

from ovirt_node.core.plugin_packages import wheel_packages
from ovirt_node.core.root import Root, RootEscapeError
from ovirt_node.core.run import Runner
from ovirt_node.image import apt
from ovirt_node.image.build import LONG, Builder, cache_root, pip_install, project_root
from ovirt_node.image.recipe import load, recipe_dir, stamped, version_text
from ovirt_node.installer.image import INITRD, KERNEL, SQUASHFS, NodeImage
from ovirt_node.installer.media import media


class EditError(ValueError):
    """The plugin or the output cannot be used; the message says which and why."""


def parse_added_file(spec: str) -> tuple[Path, str]:
    """`SRC:DEST` (`--add-file`): a readable file, and an absolute path in the image."""
    src, sep, dest = spec.rpartition(":")
    if not sep or not src or not dest.startswith("/") or dest.rstrip("/") == "":
        raise EditError(f"--add-file {spec!r}: expected SRC:/absolute/path/in/the/image")
    if not Path(src).is_file():
        raise EditError(f"--add-file {spec!r}: {src} is not a file")
    return Path(src), dest


def put_file(root: Path, src: Path, dest: str) -> None:
    """`src` at `dest` in the unpacked root, replacing what is there (a symlink too: the file,
    not its target, is replaced); its mode kept. The path may not lead out of the root."""
    try:
        target = Root.at(root)(dest, follow=False)
    except RootEscapeError as exc:
        raise EditError(f"--add-file {dest}: {exc}") from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.is_file():
        target.unlink()
    shutil.copy2(src, target)


def add_plugins(source: Path, wheels: list[Path], out: Path, runner: Runner,
                version: str | None = None, release: str | None = None,
                files: list[tuple[Path, str]] | None = None) -> Path:
    # Every wheel's declaration is read (and refused when bad) before anything is unpacked.
    packages = list(dict.fromkeys(name for wheel in wheels for name in wheel_packages(wheel)))
    if not wheels and not files:
        raise EditError("nothing to change: give --add-plugin WHEEL or --add-file SRC:DEST")
    if out.exists() and any(out.iterdir()):
        raise EditError(f"{out}: exists and is not empty")
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ovirt-node-edit-")))
        if source.is_file():
            # An ISO file is read with xorriso: the build host may lack loop or iso9660 support.
            runner(["xorriso", "-osirrox", "on", "-indev", str(source), "-extract", "/", str(tmp / "iso")],
                   timeout=LONG)
            source = tmp / "iso"
        image: NodeImage = stack.enter_context(media(source, tmp / "media", runner))
        recipe = stamped(load(recipe_dir()), version or image.version.version,
                         release or image.version.release)
        recipe = replace(recipe, version=replace(recipe.version, name=image.version.name))
        builder = Builder(recipe, project_root(), cache_root(), runner)
        root, staged = tmp / "root", tmp / "out"
        with builder.step("unpack the image's root"):
            runner(["unsquashfs", "-no-progress", "-d", str(root), str(image.path(SQUASHFS))], timeout=LONG)
        if packages:
            with builder.step(f"install {', '.join(packages)} with apt"):
                apt.install(root, packages, runner)
        if wheels:
            with builder.step("install the plugins"):
                pip_install(root, wheels, runner)
        for src, dest in files or []:
            with builder.step(f"add {dest}"):
                put_file(root, src, dest)
        (root / "etc/ovirt-node/version").write_text(version_text(recipe.version))
        (staged / "LiveOS").mkdir(parents=True)
        for name in (KERNEL, INITRD):
            shutil.copyfile(image.path(name), staged / name)
        builder.pack(root, staged)
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.exists():
            out.rmdir()
        shutil.move(staged, out)
    return out
