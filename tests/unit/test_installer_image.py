"""The node image: verified before any disk is touched; versions ordered as RPM does; the
install / upgrade / downgrade / reinstall decision of 3.x's welcome page."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from ovirt_node.installer.image import (
    ImageError,
    ImageVersion,
    Mode,
    compare_versions,
    decide,
    open_image,
    parse_version,
)

MKSQUASHFS = shutil.which("mksquashfs")


@pytest.fixture
def media(tmp_path: Path) -> Path:
    """A small but real node image: a squashfs made by mksquashfs (squashfs-tools)."""
    assert MKSQUASHFS, "squashfs-tools is not installed (make test installs it)"
    tree = tmp_path / "rootfs"
    (tree / "etc").mkdir(parents=True)
    (tree / "etc/os-release").write_text("ID=ovirt-node\n")
    image = tmp_path / "media"
    (image / "LiveOS").mkdir(parents=True)
    subprocess.run([MKSQUASHFS, str(tree), str(image / "LiveOS/squashfs.img"), "-quiet", "-noappend"], check=True)
    (image / "vmlinuz").write_bytes(b"\x7fkernel" * 100)
    (image / "initrd.img").write_bytes(b"initrd" * 100)
    (image / "version").write_text("NAME=oVirt Node\nVERSION=4.1.2\nRELEASE=3.el9\n")
    return image


ALL = ("vmlinuz", "initrd.img", "LiveOS/squashfs.img", "version")


def _sums(image: Path, *names: str) -> None:
    names = names or ALL
    lines = [f"{hashlib.sha256((image / n).read_bytes()).hexdigest()}  {n}" for n in names]
    (image / "SHA256SUMS").write_text("\n".join(lines) + "\n")


def test_a_good_image_opens_with_its_version(media: Path) -> None:
    _sums(media)
    image = open_image(media)
    assert str(image.version) == "oVirt Node 4.1.2-3.el9" and image.version.major == "4"


@pytest.mark.parametrize(("damage", "message"), [
    (lambda m: (m / "initrd.img").unlink(), "not a node image, missing initrd.img"),
    (lambda m: (m / "LiveOS/squashfs.img").write_bytes(b"ext4 not squash"), "squashfs.img: not a squashfs image"),
    (lambda m: (m / "version").write_text("NAME=x\n"), "version: missing VERSION, RELEASE"),
])
def test_broken_media_is_refused(media: Path, damage: object, message: str) -> None:
    damage(media)  # type: ignore[operator]
    with pytest.raises(ImageError, match=message):
        open_image(media)


def test_media_without_checksums_is_refused_with_the_reason(media: Path) -> None:
    with pytest.raises(ImageError, match=r"media: no SHA256SUMS; the media cannot be checked, so it is refused"):
        open_image(media)


def test_checksums_must_cover_every_image_file(media: Path) -> None:
    _sums(media, "vmlinuz", "LiveOS/squashfs.img", "version")
    with pytest.raises(ImageError, match=r"SHA256SUMS: does not list initrd.img; the media cannot be checked"):
        open_image(media)
    (media / "SHA256SUMS").write_text("")
    with pytest.raises(ImageError, match=r"does not list vmlinuz, initrd.img, LiveOS/squashfs.img, version"):
        open_image(media)


def test_checksums_are_checked(media: Path) -> None:
    _sums(media)
    with (media / "LiveOS/squashfs.img").open("r+b") as stream:  # one flipped byte past the superblock
        stream.seek(200)
        byte = stream.read(1)
        stream.seek(200)
        stream.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ImageError, match=r"LiveOS/squashfs.img: checksum mismatch"):
        open_image(media)
    (media / "SHA256SUMS").write_text(f"{'0' * 64}  ../outside\n")
    with pytest.raises(ImageError, match="names a file outside the media"):
        open_image(media)
    (media / "SHA256SUMS").write_text("nonsense\n")
    with pytest.raises(ImageError, match="line 1 is not"):
        open_image(media)


@pytest.mark.parametrize(("left", "right", "order"), [
    ("4.1.2", "4.1.2", 0),
    ("4.1.10", "4.1.9", 1),
    ("4.2", "4.10", -1),
    ("4.1", "4.1.0", -1),
    ("4.1~rc1", "4.1", -1),
    ("4.1~rc2", "4.1~rc10", -1),
    ("1.el9", "1.el8", 1),
    ("2a", "2", 1),
    ("2.a", "2.1", -1),  # digits beat letters
])
def test_versions_order_as_rpm_does(left: str, right: str, order: int) -> None:
    assert compare_versions(left, right) == order
    assert compare_versions(right, left) == -order


def _v(version: str, release: str = "1") -> ImageVersion:
    return ImageVersion("oVirt Node", version, release)


def test_what_installing_the_media_means() -> None:
    assert decide(None, _v("4.1.2")).mode is Mode.INSTALL
    assert decide(_v("4.1.1"), _v("4.1.2")).mode is Mode.UPGRADE
    assert decide(_v("4.1.2", "2"), _v("4.1.2", "1")).mode is Mode.DOWNGRADE
    assert decide(_v("4.1.2"), _v("4.1.2")).mode is Mode.REINSTALL
    across = decide(_v("3.6.0"), _v("4.1.2"))
    assert across.mode is Mode.UPGRADE and across.blocked is not None and "major version" in across.blocked
    assert decide(_v("3.6.0"), _v("4.1.2"), force=True).blocked is None
    assert parse_version('NAME="oVirt Node"\nVERSION=4.2\nRELEASE=1\n# note\n') == _v("4.2")
