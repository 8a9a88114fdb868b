"""The network boot set: `pxe/` in the image directory, to be served over HTTP as it is.

It holds the image files (linked, not copied: vmlinuz, initrd.img, LiveOS/squashfs.img,
version, SHA256SUMS), `boot.ipxe` and a PXELINUX example. The node's initramfs fetches the
image files over HTTP into RAM and checks each against SHA256SUMS; the iPXE script pins
SHA256SUMS itself with `rd.live.sums=` (its sha256), so a file changed on the server — or
SHA256SUMS changed with it — is refused before anything runs. (3.x's pxeboot put the
squashfs inside the initrd instead: one 300 MB initrd is slow through TFTP and firmware, and
could not be checked before the kernel took it.)

With Secure Boot, iPXE (unsigned) is refused; the folder also holds Debian's signed chain for
UEFI PXE: shimx64.efi (the DHCP filename), the signed network grub beside it as grubx64.efi,
mmx64.efi, and grub/grub.cfg. That grub reads its menu from `/grub/grub.cfg` on the TFTP
server it came from (its prefix, fixed when it was signed) and fetches only over TFTP (it has
no http module), so this folder is the TFTP root; the initramfs fetches the image over HTTP.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from ovirt_node.image.iso import CONSOLE_ARGS, QUIET, link_image_files
from ovirt_node.image.recipe import Recipe
from ovirt_node.installer import secureboot
from ovirt_node.installer.image import CHECKSUMS, INITRD, KERNEL

FOLDER = "pxe"
IPXE = "boot.ipxe"
PXELINUX = "pxelinux.cfg/default"
#: The signed network grub's menu: its prefix is /grub on the TFTP server.
GRUB_CFG = "grub/grub.cfg"
#: Where the PXELINUX example says the folder is served (an operator replaces it).
EXAMPLE_URL = "http://pxe.example.com/ovirt-node/"


def ipxe_script(recipe: Recipe, sums: str) -> str:
    version = recipe.version
    args = " ".join(["root=live:${base}", f"rd.live.sums={sums}", "BOOTIF=01-${netX/mac:hexhyp}", QUIET,
                     *CONSOLE_ARGS])
    return "\n".join([
        "#!ipxe",
        f"# {version.name} {version.version}-{version.release}: network boot (written by ovirt-node-image).",
        "# Serve this folder over HTTP and chain this script (DHCP filename or `chain URL/boot.ipxe`).",
        "# Kernel arguments for the node (storage_init, adminpw=, answers, ...) go in ${ovirt_node_args},",
        "# set before chaining: set ovirt_node_args storage_init BOOTIF=link adminpw=$6$...",
        "# ${base} is this folder's URL: iPXE knows it as ${cwduri}; an older iPXE does not, and",
        "# then `set base http://SERVER/PATH/` (ending in /) comes before chaining this script.",
        "isset ${netX/ip} || dhcp",
        "isset ${base} || set base ${cwduri}",
        "isset ${base} || goto no_base",
        f"kernel ${{base}}{KERNEL} initrd={INITRD} {args} ${{ovirt_node_args}}",
        f"initrd ${{base}}{INITRD}",
        "boot",
        ":no_base",
        f"echo {IPXE}: this iPXE cannot tell where {IPXE} was loaded from (no cwduri setting):",
        "echo set base to the URL of its folder before chaining it: set base http://SERVER/PATH/",
        "exit 1",
        "",
    ])


def pxelinux_config(recipe: Recipe, sums: str) -> str:
    version = recipe.version
    args = " ".join([f"root=live:{EXAMPLE_URL}", f"rd.live.sums={sums}", QUIET, *CONSOLE_ARGS])
    return "\n".join([
        f"# {version.name} {version.version}-{version.release} with PXELINUX: copy {KERNEL} and {INITRD} to the",
        f"# TFTP root, serve the whole pxe/ folder over HTTP and put its URL in place of {EXAMPLE_URL}.",
        "# IPAPPEND 2 adds BOOTIF= (the NIC that booted), so the initramfs fetches the image through it.",
        "DEFAULT ovirt-node",
        "PROMPT 0",
        "LABEL ovirt-node",
        f"  KERNEL {KERNEL}",
        f"  APPEND initrd={INITRD} {args}",
        "  IPAPPEND 2",
        "",
    ])


def grub_config(recipe: Recipe, sums: str) -> str:
    """The signed network grub's menu: the kernel and initrd over TFTP, the image over HTTP
    from the URL an operator puts in place of EXAMPLE_URL, BOOTIF= the NIC grub booted from."""
    version = recipe.version
    args = " ".join([f"root=live:{EXAMPLE_URL}", f"rd.live.sums={sums}", "BOOTIF=${net_default_mac}", QUIET,
                     *CONSOLE_ARGS])
    return "\n".join([
        f"# {version.name} {version.version}-{version.release}: UEFI network boot with Secure Boot (written by",
        "# ovirt-node-image). This folder is the TFTP root (DHCP filename shimx64.efi): the signed grub reads",
        f"# /{GRUB_CFG} and the kernel and initrd over TFTP. Serve the same folder over HTTP and put its URL",
        f"# in place of {EXAMPLE_URL}; the node's own arguments go at the end of the linux line.",
        "set timeout=5",
        "serial --unit=0 --speed=115200",
        "terminal_input console serial",
        "terminal_output console serial",
        "",
        f"menuentry 'Install or upgrade {version.name} {version.version}-{version.release}' {{",
        f"  linux /{KERNEL} {args}",
        f"  initrd /{INITRD}",
        "}",
        "",
    ])


def write_uefi(folder: Path, recipe: Recipe, root: Path) -> None:
    """The signed UEFI chain into the network-boot `folder`, from the image's `root`."""
    for name, source in secureboot.signed_loaders(root, secureboot.GRUB_NET).items():
        shutil.copyfile(source, folder / name)
    sums = hashlib.sha256((folder / CHECKSUMS).read_bytes()).hexdigest()
    (folder / GRUB_CFG).parent.mkdir(exist_ok=True)
    (folder / GRUB_CFG).write_text(grub_config(recipe, sums))


def write(image: Path, recipe: Recipe) -> Path:
    """`image`/pxe, made anew from the image files already in `image`."""
    folder = image / FOLDER
    if folder.exists():
        shutil.rmtree(folder)
    link_image_files(image, folder)
    sums = hashlib.sha256((image / CHECKSUMS).read_bytes()).hexdigest()
    (folder / IPXE).write_text(ipxe_script(recipe, sums))
    (folder / PXELINUX).parent.mkdir()
    (folder / PXELINUX).write_text(pxelinux_config(recipe, sums))
    return folder
