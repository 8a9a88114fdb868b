"""The node image the installer lays down, and what installing it over an existing node means.

An image is a directory (a mounted ISO or CD, or a copy) holding `vmlinuz`, `initrd.img`,
`LiveOS/squashfs.img` (the read-only root) and a `version` file of `KEY=value` lines (NAME,
VERSION, RELEASE). It is verified before any disk is touched: every file present, the root a
squashfs, and `SHA256SUMS` present, listing every image file, with every checksum correct
(the image build always writes it; media without one is refused: nothing says it is whole).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

KERNEL = "vmlinuz"
INITRD = "initrd.img"
SQUASHFS = "LiveOS/squashfs.img"
VERSION = "version"
CHECKSUMS = "SHA256SUMS"
IMAGE_FILES = (KERNEL, INITRD, SQUASHFS, VERSION)
SQUASHFS_MAGIC = b"hsqs"  # little-endian squashfs superblock magic
_CHUNK = 4 * 1024 * 1024
UNKNOWN = "?"


class ImageError(ValueError):
    """The media is not a usable node image; the message names the file and the problem."""


@dataclass(frozen=True)
class ImageVersion:
    name: str
    version: str
    release: str

    @property
    def major(self) -> str:
        return self.version.split(".", 1)[0]

    @property
    def known(self) -> bool:
        """False for the stand-in of a dry run that could not read the version."""
        return self.version != UNKNOWN

    def __str__(self) -> str:
        return f"{self.name} {self.version}-{self.release}" if self.known else f"{self.name} (version not read)"


def parse_version(text: str, where: str = VERSION) -> ImageVersion:
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.strip().startswith("#"):
            fields[key.strip().upper()] = value.strip().strip("\"'")
    missing = [k for k in ("NAME", "VERSION", "RELEASE") if not fields.get(k)]
    if missing:
        raise ImageError(f"{where}: missing {', '.join(missing)}")
    return ImageVersion(fields["NAME"], fields["VERSION"], fields["RELEASE"])


def _segments(text: str) -> list[str]:
    return re.findall(r"~|\^|[0-9]+|[A-Za-z]+", text)


def compare_versions(left: str, right: str) -> int:
    """-1, 0 or 1, the way RPM orders versions: digit runs compare as numbers and beat letter
    runs, `~` sorts before anything (pre-releases), other separators only separate."""
    a, b = _segments(left), _segments(right)
    while a or b:
        x, y = (a.pop(0) if a else None), (b.pop(0) if b else None)
        if x == y:
            continue
        if x == "~" or y == "~":
            return -1 if x == "~" else 1
        if x is None or y is None:
            # The longer one is newer, unless what follows is a pre-release tilde (handled above).
            return -1 if x is None else 1
        if x.isdigit() != y.isdigit():
            return 1 if x.isdigit() else -1
        if x.isdigit():
            diff = int(x) - int(y)
            if diff:
                return 1 if diff > 0 else -1
            continue
        return 1 if x > y else -1
    return 0


def compare(left: ImageVersion, right: ImageVersion) -> int:
    return compare_versions(left.version, right.version) or compare_versions(left.release, right.release)


class Mode(Enum):
    INSTALL = "install"
    UPGRADE = "upgrade"
    DOWNGRADE = "downgrade"
    REINSTALL = "reinstall"


@dataclass(frozen=True)
class Decision:
    mode: Mode
    #: Why the mode cannot go ahead (None: it can).
    blocked: str | None = None


def decide(installed: ImageVersion | None, media: ImageVersion, force: bool = False) -> Decision:
    """3.x's welcome logic: no node -> install; else upgrade, downgrade or reinstall by version,
    only within one major version unless forced."""
    if installed is None:
        return Decision(Mode.INSTALL)
    order = compare(media, installed)
    mode = Mode.UPGRADE if order > 0 else Mode.DOWNGRADE if order < 0 else Mode.REINSTALL
    if installed.major != media.major and not force:
        return Decision(mode, f"the installed {installed} and the media's {media} differ in major version; "
                              "only upgrades within one major version are supported (force to override)")
    return Decision(mode)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class NodeImage:
    root: Path
    version: ImageVersion
    #: sha256 of each image file as verified: what the copies on disk are checked against.
    digests: dict[str, str] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        return self.root / name

    def checksums(self) -> str:
        """A SHA256SUMS text for the image files."""
        return "".join(f"{self.digests[name]}  {name}\n" for name in IMAGE_FILES)


def open_image(directory: Path) -> NodeImage:
    """Verify the image in `directory`, its SHA256SUMS too (ImageError naming what is wrong)."""
    image = read_image(directory)
    check_sums(directory, image.digests)
    return image


def read_image(directory: Path) -> NodeImage:
    """The image in `directory` with its files' digests, without its SHA256SUMS: for the
    build, which writes that file from these digests."""
    if not directory.is_dir():
        raise ImageError(f"{directory}: not a directory")
    missing = [name for name in IMAGE_FILES if not (directory / name).is_file()]
    if missing:
        raise ImageError(f"{directory}: not a node image, missing {', '.join(missing)}")
    with (directory / SQUASHFS).open("rb") as stream:
        if stream.read(4) != SQUASHFS_MAGIC:
            raise ImageError(f"{directory / SQUASHFS}: not a squashfs image")
    version = parse_version((directory / VERSION).read_text(errors="replace"), str(directory / VERSION))
    digests = {name: _sha256(directory / name) for name in IMAGE_FILES}
    return NodeImage(directory, version, digests)


def check_sums(directory: Path, digests: dict[str, str]) -> None:
    """`directory`'s SHA256SUMS: present, well formed, naming only files on the media, listing
    every image file, and right about each (ImageError with the reason otherwise)."""
    sums = directory / CHECKSUMS
    if not sums.is_file():
        raise ImageError(f"{directory}: no {CHECKSUMS}; the media cannot be checked, so it is refused")
    listed = set()
    for number, line in enumerate(sums.read_text(errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        expected, _, name = line.strip().partition(" ")
        name = name.strip().lstrip("*")
        target = directory / name
        if not re.fullmatch(r"[0-9a-fA-F]{64}", expected) or not name:
            raise ImageError(f"{sums}: line {number} is not '<sha256>  <file>'")
        if name.startswith("/") or ".." in Path(name).parts:
            raise ImageError(f"{sums}: line {number} names a file outside the media: {name}")
        if not target.is_file():
            raise ImageError(f"{sums}: lists {name}, which the media does not have")
        actual = digests[name] if name in digests else _sha256(target)
        if actual != expected.lower():
            raise ImageError(f"{target}: checksum mismatch (the media is damaged or altered)")
        listed.add(name)
    unlisted = [name for name in IMAGE_FILES if name not in listed]
    if unlisted:
        raise ImageError(f"{sums}: does not list {', '.join(unlisted)}; the media cannot be checked, so it is refused")
