"""`ovirt-node-image edit IMAGE --add-plugin WHEEL` on the real node image (built from this
tree, a cache hit when it is built already): the SNMP plugin's wheel brings snmpd, installed
with the image root's own apt; the new squashfs has the daemon, the plugin imports in it and
finds its package installed, and apt's lists, the policy-rc.d and the build host's resolver
are gone again.

Time, measured on the 2 shared cores under load (load average 9-11): 128 s and 152 s for the
test with the image cached, plus an image build (92 s) after any change under ovirt_node/.
That is over the 3 minutes `make test` allows a test, so it is in the `vm` suite (`make
vm-test`, which CI runs and which builds the image anyway); it needs no qemu guest.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ovirt_node.installer.image import CHECKSUMS, SQUASHFS, open_image
from tests.vm.node import NodeImage

pytestmark = pytest.mark.vm

REPO = Path(__file__).resolve().parents[2]
TOOL = str(Path(sys.executable).parent / "ovirt-node-image")


def unsquashfs_cat(image: Path, path: str) -> bytes:
    return subprocess.run(["unsquashfs", "-cat", str(image / SQUASHFS), path], check=True, capture_output=True,
                          timeout=120).stdout


def test_add_plugin_installs_snmpd_with_the_plugin(image: NodeImage, tmp_path: Path) -> None:
    base = image.path
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", "wheel", "--no-deps",
                    "-w", str(tmp_path / "dist"), str(REPO / "plugins/ovirt-node-plugin-snmp")], check=True,
                   capture_output=True, timeout=300)
    (wheel,) = (tmp_path / "dist").glob("ovirt_node_plugin_snmp-*.whl")
    out = tmp_path / "new"
    done = subprocess.run([TOOL, "edit", str(base), "--add-plugin", str(wheel), "--out", str(out)],
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == str(out)
    assert "install snmpd with apt: " in done.stderr  # the step's time: it ran, and said so
    new = open_image(out)
    assert (out / CHECKSUMS).read_text() == new.checksums()

    listing = subprocess.run(["unsquashfs", "-l", str(out / SQUASHFS)], check=True, capture_output=True, text=True,
                             timeout=300).stdout.splitlines()
    files = {line.removeprefix("squashfs-root") for line in listing}
    assert "/usr/sbin/snmpd" in files
    # Nothing of the install is left behind: no refused service starts, no package lists,
    # no downloaded .debs, and the image's own resolv.conf (not the build host's).
    assert "/usr/sbin/policy-rc.d" not in files
    assert not [f for f in files if f.startswith("/var/lib/apt/lists/") and f != "/var/lib/apt/lists/partial"
                and not f.endswith("/lock")]
    assert not [f for f in files if f.startswith("/var/cache/apt/archives/") and f.endswith(".deb")]
    assert unsquashfs_cat(out, "etc/resolv.conf") == unsquashfs_cat(base, "etc/resolv.conf")

    # The plugin imports in the new root, reads its declaration and finds snmpd installed.
    root = tmp_path / "root"
    subprocess.run(["unsquashfs", "-no-progress", "-d", str(root), str(out / SQUASHFS)], check=True,
                   capture_output=True, timeout=600)
    code = ("import ovirt_node_snmp, ovirt_node.api as api; "
            "names = api.debian_packages('ovirt_node_snmp'); "
            "print(names, api.missing_packages(api.Root.at('/'), names))")
    inside = subprocess.run(["chroot", str(root), "/usr/bin/python3", "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert inside.returncode == 0, inside.stderr
    assert inside.stdout.strip() == "('snmpd',) []"
