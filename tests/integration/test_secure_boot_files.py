"""Secure Boot's files, read from the image this checkout builds (issue 25): the kernel and the
loaders are Debian's signed builds; the ISO's UEFI boot image, the network-boot set and the
installer's ESP hold shim, the signed grub and the MOK manager byte for byte from the node's
root; every grub.cfg we write uses only commands built into Debian's signed grub (it cannot
load a module under Secure Boot). A root without the signed files, or with unsigned ones, is
refused by name before anything is written. (tests/vm/test_secure_boot.py boots all of it.)"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from ovirt_node.core.context import Context
from ovirt_node.core.platform import load
from ovirt_node.core.root import Root
from ovirt_node.core.run import Runner
from ovirt_node.core.transaction import Transaction, TransactionError
from ovirt_node.image import iso, pxe
from ovirt_node.installer import secureboot
from ovirt_node.installer.image import ImageVersion
from ovirt_node.installer.steps.bootloader import InstallEfiLoaders, Slot, esp_grub_config, grub_config
from tests.vm.node import build_image

pytestmark = pytest.mark.node_image

#: The grub commands our configurations use -> the module that has each. A command added to a
#: grub.cfg without an entry here fails the test: look it up in grub's sources, and check the
#: module is in the signed image.
COMMAND_MODULES = {
    "serial": "serial", "terminal_input": "terminal", "terminal_output": "terminal", "search": "search",
    "load_env": "loadenv", "linux": "linux", "initrd": "linux", "insmod": "normal", "set": "normal",
    "source": "configfile", "menuentry": "normal", "[": "test", "export": "normal", "save_env": "loadenv",
}
SCRIPT_WORDS = {"if", "then", "else", "elif", "fi", "}"}


def grub_modules(image: Path) -> set[str]:
    """The modules built into a grub EFI image: each is an ELF object whose .modname section
    holds its name."""
    data = image.read_bytes()
    names: set[str] = set()
    start = data.find(b"\x7fELF\x02\x01")  # 64-bit, little-endian
    while start >= 0:
        kind, machine = struct.unpack_from("<HH", data, start + 0x10)
        shoff = struct.unpack_from("<Q", data, start + 0x28)[0]
        entsize, count, strndx = struct.unpack_from("<HHH", data, start + 0x3A)
        if (kind, machine, entsize) != (1, 62, 64) or start + shoff + count * entsize > len(data):
            start = data.find(b"\x7fELF\x02\x01", start + 4)  # not a module (relocatable x86-64 object)
            continue

        def section(n: int, base: int = start, table: int = shoff, size: int = entsize) -> tuple[int, ...]:
            return struct.unpack_from("<IIQQQQIIQQ", data, base + table + n * size)

        names_at = section(strndx)[4]
        for n in range(count):
            sh = section(n)
            if data[start + names_at + sh[0]:].split(b"\0", 1)[0] == b".modname":
                names.add(data[start + sh[4]:start + sh[4] + sh[5]].split(b"\0", 1)[0].decode())
        start = data.find(b"\x7fELF\x02\x01", start + 4)
    return names


def commands(config: str) -> set[str]:
    """The first word of every command line of a grub.cfg (menu entry bodies included), and
    the command an `if`/`elif` runs as its condition (the trial script's `if save_env ...`)."""
    words = set()
    for line in config.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            first, *rest = line.split()
            words.add(rest[0] if first in ("if", "elif") and rest else first)
    return words - SCRIPT_WORDS


def assert_signed_grub_runs(config: str, grub: Path) -> None:
    built_in = grub_modules(grub)
    used = commands(config)
    assert used <= COMMAND_MODULES.keys(), f"grub commands with no known module: {used - COMMAND_MODULES.keys()}"
    missing = {word for word in used if COMMAND_MODULES[word] not in built_in}
    inserted = set(re.findall(r"^\s*insmod (\S+)", config, re.M)) - built_in
    assert not missing and not inserted, f"not built into {grub.name}: {missing | inserted}"


def test_the_kernel_and_the_loaders_are_debians_signed_builds(node_image_root: Path) -> None:
    kernels = list((node_image_root / "boot").glob("vmlinuz-*"))
    assert kernels and all(secureboot.authenticode_signed(k) for k in kernels)
    for grub in (secureboot.GRUB_DISK, secureboot.GRUB_CD, secureboot.GRUB_NET):
        files = secureboot.signed_loaders(node_image_root, grub)
        assert sorted(files) == ["grubx64.efi", "mmx64.efi", "shimx64.efi"]
    # the check tells them from the unsigned builds the root also has
    assert not secureboot.authenticode_signed(node_image_root / "usr/lib/shim/shimx64.efi")
    assert not secureboot.authenticode_signed(node_image_root / "usr/lib/grub/x86_64-efi/kernel.img")
    assert shutil.which("mokutil", path=str(node_image_root / "usr/bin"))


def test_every_grub_cfg_uses_only_what_the_signed_grub_has(node_image_root: Path, tmp_path: Path) -> None:
    version = ImageVersion("oVirt Node", "4.0.0", "1")
    active, backup = Slot("Root", version), Slot("RootBackup", version)
    node_menu = grub_config("oVirt Node", active, backup, ["console=ttyS0,115200n8"])
    for config, grub in ((node_menu, secureboot.GRUB_DISK), (esp_grub_config(load("debian")), secureboot.GRUB_DISK),
                         (iso.grub_config(version, "OVIRT_NODE"), secureboot.GRUB_CD)):
        assert_signed_grub_runs(config, node_image_root / grub)
    # what the node's menu needs is in the disk grub; the CD grub has no lvm (the reader tells them apart)
    disk_modules = grub_modules(node_image_root / secureboot.GRUB_DISK)
    assert {"lvm", "ext2", "part_gpt", "search", "serial", "loadenv", "linux"} <= disk_modules
    assert "lvm" not in grub_modules(node_image_root / secureboot.GRUB_CD)
    # a module the signed grub lacks is caught
    with pytest.raises(AssertionError, match="not built into"):
        assert_signed_grub_runs("insmod ntfscomp\n", node_image_root / secureboot.GRUB_CD)


def extract(image: Path, path: str, dest: Path) -> Path:
    subprocess.run(["xorriso", "-osirrox", "on", "-indev", str(image), "-extract", path, str(dest)], check=True,
                   capture_output=True)
    return dest


def test_the_iso_boots_uefi_through_shim(node_image_root: Path, tmp_path: Path) -> None:
    image = build_image().path
    report = subprocess.run(["xorriso", "-indev", str(image / "ovirt-node.iso"), "-report_el_torito", "plain"],
                            check=True, capture_output=True, text=True).stdout
    assert re.search(r"El Torito boot img :\s+1\s+BIOS", report), report
    assert re.search(r"El Torito boot img :\s+2\s+UEFI", report), report
    assert f"El Torito img path :   2  /{iso.EFI_IMAGE}" in report
    efi = extract(image / "ovirt-node.iso", f"/{iso.EFI_IMAGE}", tmp_path / "efi.img")
    listing = subprocess.run(["mdir", "-b", "-/", "-i", str(efi), "::/"], check=True, capture_output=True,
                             text=True).stdout.split()
    assert sorted(listing) == ["::/EFI/", "::/EFI/BOOT/", "::/EFI/BOOT/BOOTX64.EFI", "::/EFI/BOOT/grubx64.efi",
                               "::/EFI/BOOT/mmx64.efi"]
    expected = secureboot.signed_loaders(node_image_root, secureboot.GRUB_CD, "BOOTX64.EFI")
    for name, source in expected.items():
        copy = tmp_path / name
        subprocess.run(["mcopy", "-i", str(efi), f"::/EFI/BOOT/{name}", str(copy)], check=True)
        assert copy.read_bytes() == source.read_bytes(), name
    # the CD grub finds the media by /.disk/info, then reads the menu BIOS grub reads
    assert extract(image / "ovirt-node.iso", "/.disk/info", tmp_path / "info").read_text().startswith("oVirt Node ")
    menu = extract(image / "ovirt-node.iso", "/boot/grub/grub.cfg", tmp_path / "grub.cfg").read_text()
    assert "search --no-floppy --set=root --label OVIRT_NODE" in menu


def test_the_network_boot_set_has_the_signed_chain_for_uefi_pxe(node_image_root: Path) -> None:
    folder = build_image().path / pxe.FOLDER
    assert (folder / "shimx64.efi").read_bytes() == (node_image_root / secureboot.SHIM).read_bytes()
    assert (folder / "grubx64.efi").read_bytes() == (node_image_root / secureboot.GRUB_NET).read_bytes()
    config = (folder / pxe.GRUB_CFG).read_text()
    checker = subprocess.run(["grub-script-check", str(folder / pxe.GRUB_CFG)], capture_output=True, text=True)
    assert checker.returncode == 0, checker.stderr
    sums = subprocess.run(["sha256sum", str(folder / "SHA256SUMS")], check=True, capture_output=True,
                          text=True).stdout.split()[0]
    assert f"rd.live.sums={sums}" in config and "linux /vmlinuz root=live:http" in config
    assert_signed_grub_runs(config, node_image_root / secureboot.GRUB_NET)


def _install(source: Path, esp: Path) -> None:
    ctx = Context(root=Root.at(esp.parent / "node"), runner=Runner())
    Transaction("t", [InstallEfiLoaders(load("debian"), esp, Root.at(source))]).run(ctx)


def test_the_installer_puts_the_signed_chain_on_the_esp(node_image_root: Path, tmp_path: Path) -> None:
    esp = tmp_path / "esp"
    _install(node_image_root, esp)
    found = sorted(str(p.relative_to(esp)) for p in esp.rglob("*") if p.is_file())
    assert found == ["EFI/BOOT/BOOTX64.EFI", "EFI/BOOT/grubx64.efi", "EFI/BOOT/mmx64.efi", "EFI/debian/grub.cfg",
                     "EFI/debian/grubx64.efi", "EFI/debian/mmx64.efi", "EFI/debian/shimx64.efi"]
    shim = (node_image_root / secureboot.SHIM).read_bytes()
    grub = (node_image_root / secureboot.GRUB_DISK).read_bytes()
    assert (esp / "EFI/debian/shimx64.efi").read_bytes() == shim == (esp / "EFI/BOOT/BOOTX64.EFI").read_bytes()
    assert (esp / "EFI/debian/grubx64.efi").read_bytes() == grub == (esp / "EFI/BOOT/grubx64.efi").read_bytes()
    assert (esp / "EFI/debian/grub.cfg").read_text().splitlines()[1:] == [
        "set prefix=($root)/grub", "source $prefix/grub.cfg"]


@pytest.mark.parametrize("broken", ["missing", "unsigned"])
def test_a_root_without_the_signed_grub_is_refused_and_nothing_written(broken: str, node_image_root: Path,
                                                                        tmp_path: Path) -> None:
    source = tmp_path / "live"
    for relative in (secureboot.SHIM, secureboot.MOK_MANAGER, secureboot.GRUB_DISK):
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(node_image_root / relative, source / relative)
    if broken == "missing":
        (source / secureboot.GRUB_DISK).unlink()
        expected = "grubx64.efi.signed is missing: install grub-efi-amd64-signed"
    else:  # the unsigned build in the signed one's place
        shutil.copyfile(node_image_root / "usr/lib/shim/shimx64.efi", source / secureboot.SHIM)
        expected = "shimx64.efi.signed carries no signature: it would not boot under Secure Boot"
    esp = tmp_path / "esp"
    esp.mkdir()
    with pytest.raises(TransactionError, match=re.escape(expected)):
        _install(source, esp)
    assert list(esp.iterdir()) == []
