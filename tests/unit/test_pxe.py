"""The network boot set the image build writes: the image files linked (not copied), an iPXE
script that pins SHA256SUMS by its own checksum and passes BOOTIF, and a PXELINUX example."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ovirt_node.image import pxe
from ovirt_node.image.recipe import load, recipe_dir


def fake_image(folder: Path) -> Path:
    for name, data in {"vmlinuz": b"kernel", "initrd.img": b"initrd", "LiveOS/squashfs.img": b"hsqs",
                       "version": b"NAME=oVirt Node\n"}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    (folder / "SHA256SUMS").write_text("".join(
        f"{hashlib.sha256((folder / n).read_bytes()).hexdigest()}  {n}\n"
        for n in ("vmlinuz", "initrd.img", "LiveOS/squashfs.img", "version")))
    return folder


def test_the_folder_holds_the_image_and_the_scripts(tmp_path: Path) -> None:
    image = fake_image(tmp_path / "image")
    folder = pxe.write(image, load(recipe_dir()))
    for name in ("vmlinuz", "initrd.img", "LiveOS/squashfs.img", "version", "SHA256SUMS"):
        assert (folder / name).stat().st_ino == (image / name).stat().st_ino  # linked, not copied
    sums = hashlib.sha256((image / "SHA256SUMS").read_bytes()).hexdigest()
    script = (folder / "boot.ipxe").read_text()
    assert script.startswith("#!ipxe\n")
    kernel = next(line for line in script.splitlines() if line.startswith("kernel "))
    assert kernel.startswith("kernel ${base}vmlinuz initrd=initrd.img root=live:${base} ")
    assert f" rd.live.sums={sums} " in kernel and " BOOTIF=01-${netX/mac:hexhyp} " in kernel
    assert " net.ifnames=0 " in kernel  # the live system and the node name NICs as the initramfs did
    assert kernel.endswith(" ${ovirt_node_args}") and "console=ttyS0,115200n8" in kernel
    assert "initrd ${base}initrd.img" in script and "set base ${cwduri}" in script
    example = (folder / "pxelinux.cfg/default").read_text()
    assert f"rd.live.sums={sums}" in example and "IPAPPEND 2" in example and " net.ifnames=0 " in example


def test_a_second_write_replaces_the_folder(tmp_path: Path) -> None:
    image = fake_image(tmp_path / "image")
    pxe.write(image, load(recipe_dir()))
    (image / "version").write_bytes(b"NAME=oVirt Node\nVERSION=2\n")
    (image / "SHA256SUMS").write_text("changed\n")
    folder = pxe.write(image, load(recipe_dir()))
    assert (folder / "SHA256SUMS").read_text() == "changed\n"
    assert hashlib.sha256(b"changed\n").hexdigest() in (folder / "boot.ipxe").read_text()
