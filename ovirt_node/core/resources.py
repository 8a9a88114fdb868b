"""The files the package ships and reads at run time (platform maps, machine profiles, the demo
root, the image recipe), found through importlib.resources inside the package, so the
installed wheel, the node image and an editable checkout read the same files.

    ovirt_node/data/platforms/<id>.json   names that differ between distributions
    ovirt_node/data/machines/<name>.json  machine profiles (`--machine NAME`, the demo, tests)
    ovirt_node/data/demo-root/            the demo node's tree (copy it with copy_demo_root)
    ovirt_node/data/image/                the image recipe, its files/ and initramfs/
"""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable that points at another data directory (the one holding ``machines/``).
DATA_ENV = "OVIRT_NODE_DATA"

#: Symlinks of the demo root, made by copy_demo_root. A wheel cannot carry symlinks (setuptools
#: would store a copy of the target, and the node reads "enabled at boot" from the link itself),
#: so the tree has none and this is their one source. The kdump unit's boot link: kdump is on.
DEMO_LINKS = {
    "etc/systemd/system/basic.target.wants/kdump-tools.service":
        "../../../../usr/lib/systemd/system/kdump-tools.service",
}


class ResourceError(RuntimeError):
    """The package's data is not on the file system (a zipped install)."""


def package_data() -> Path:
    """``ovirt_node/data`` of the package this code runs from."""
    import ovirt_node

    # A package on the file system (pip's install, the image, a checkout): the folder
    # importlib.resources would name, found without importing it (with tempfile, zipfile and
    # shutil, a fiftieth of the setup TUI's start-up, paid for the machine profile).
    here = Path(ovirt_node.__file__).parent / "data"
    if here.is_dir():
        return here
    from importlib.resources import files

    data = files("ovirt_node") / "data"
    # Callers copy trees and hand paths to other programs (cp, mksquashfs), so the data must be
    # plain files; pip always installs it so.
    if not isinstance(data, Path):
        raise ResourceError(f"ovirt_node's data is not on the file system: {data}")
    return data


def data_dir() -> Path:
    """The data directory: $OVIRT_NODE_DATA if set (tests point it at their own profiles), else
    the package's own."""
    override = os.environ.get(DATA_ENV)
    return Path(override) if override else package_data()


def data_path(*parts: str) -> Path:
    """A file or directory under the data directory (``data_path("platforms", "el.json")``)."""
    return data_dir().joinpath(*parts)


def demo_root() -> Path:
    """The shipped demo root (read it, or copy it with copy_demo_root; never write into it)."""
    return package_data() / "demo-root"


def copy_demo_root(dest: Path) -> Path:
    """A working copy of the demo root at `dest` (created, or filled if it exists), with its
    symlinks (DEMO_LINKS); the permission bits are the package's (the demo needs none special)."""
    import shutil

    shutil.copytree(demo_root(), dest, symlinks=True, dirs_exist_ok=True)
    for name, target in DEMO_LINKS.items():
        link = dest / name
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.is_symlink():
            link.symlink_to(target)
    return dest
