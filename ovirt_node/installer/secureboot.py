"""Debian's signed UEFI boot chain, as the ISO, the network-boot set and the installed ESP use it.

The firmware runs shim (signed by Microsoft's UEFI CA); shim runs `grubx64.efi` from its own
directory (Debian's grub, signed by Debian's key that shim carries); grub boots Debian's signed
kernel through shim's verifier. The signed grub is one image with its modules built in (it
refuses to load any from disk under Secure Boot) and a small configuration of its own in a
memdisk, which decides where the real grub.cfg is (read from the images themselves):

| image | prefix | reads |
|---|---|---|
| grubx64.efi (disks) | /EFI/debian on the ESP it ran from | $prefix/grub.cfg, else $cmdpath/grub.cfg |
| gcdx64.efi (CD/USB) | /boot/grub | the filesystem holding /.disk/info: /boot/grub/grub.cfg |
| grubnetx64.efi (network) | /grub on the TFTP server | (tftp,SERVER)/grub/grub.cfg |

The files come from the node's own root (the recipe installs shim-signed and
grub-efi-amd64-signed), so the node can lay down its ESP again itself.
"""

from __future__ import annotations

import struct
from pathlib import Path

SHIM = "usr/lib/shim/shimx64.efi.signed"
MOK_MANAGER = "usr/lib/shim/mmx64.efi.signed"
GRUB_DISK = "usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed"
GRUB_CD = "usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed"
GRUB_NET = "usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed"
#: The directory Debian's signed grub takes for its prefix on a disk (fixed when it was signed).
DEBIAN_DIR = "EFI/debian"
#: The removable-media path every UEFI firmware boots without a boot entry.
FALLBACK_DIR = "EFI/BOOT"
FALLBACK_LOADER = "BOOTX64.EFI"
#: What shim runs next, and its MOK manager (for enrolling a key of one's own; not needed by
#: the stock image): both looked up in shim's own directory.
SHIM_NAME = "shimx64.efi"
GRUB_NAME = "grubx64.efi"
MOK_NAME = "mmx64.efi"
#: The file the CD grub searches for to find the media's filesystem.
DISK_INFO = ".disk/info"


class SignedLoaderMissing(RuntimeError):
    """A file of the signed boot chain is not in the root the loaders are taken from."""


def signed_loaders(root: Path, grub: str, loader_name: str = SHIM_NAME) -> dict[str, Path]:
    """The files of one loader directory (name there -> file in `root`): shim as `loader_name`,
    the signed `grub` beside it as grubx64.efi, and the MOK manager. Each must be a signed PE
    image; otherwise SignedLoaderMissing names the file and the package it comes from."""
    wanted = {loader_name: (SHIM, "shim-signed"), GRUB_NAME: (grub, "grub-efi-amd64-signed"),
              MOK_NAME: (MOK_MANAGER, "shim-signed")}
    found: dict[str, Path] = {}
    for name, (relative, package) in wanted.items():
        path = root / relative
        require_signed(path, package)
        found[name] = path
    return found


def require_signed(path: Path, package: str) -> None:
    """SignedLoaderMissing unless `path` is a signed PE image (from Debian's `package`)."""
    if not path.is_file():
        raise SignedLoaderMissing(f"{path} is missing: install {package} (Secure Boot needs it)")
    if not authenticode_signed(path):
        raise SignedLoaderMissing(f"{path} carries no signature: it would not boot under Secure Boot "
                                  f"(install Debian's signed {package})")


def authenticode_signed(path: Path) -> bool:
    """Whether the PE image at `path` has a certificate table (an Authenticode signature, as
    shim, the signed grub and Debian's signed kernel have; an unsigned build has none)."""
    with path.open("rb") as image:
        head = image.read(4096)
    if head[:2] != b"MZ" or len(head) < 0x40:
        return False
    pe = struct.unpack_from("<I", head, 0x3C)[0]
    if head[pe:pe + 4] != b"PE\0\0" or len(head) < pe + 24 + 2:
        return False
    optional = pe + 24
    magic = struct.unpack_from("<H", head, optional)[0]
    # the data directories start at 96 (PE32) or 112 (PE32+); the certificate table is the 5th
    directories = optional + (112 if magic == 0x20B else 96)
    entry = directories + 4 * 8
    if len(head) < entry + 8:
        return False
    size: int = struct.unpack_from("<II", head, entry)[1]
    return size > 0
