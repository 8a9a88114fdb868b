"""A node whose root is on an iSCSI LUN (issue 23): tgtd on the host serves a file-backed LUN
on its loopback, which the guest reaches through user networking. The media installs onto
the LUN (`iscsi_install`, 3.x's arguments); a guest with no disk at all then boots from it
(qemu's iPXE `sanboot` loads grub from the LUN, and the node's initramfs logs in again with
the iBFT iPXE's sanboot describes the LUN in); the Status page names the LUN; an upgrade, the
boot after it (from a sanboot that describes nothing: the initramfs logs in with the arguments
the installer wrote), a rollback and the boot after it run from the LUN too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.vm.console import Console
from tests.vm.flows import health_decided, root_shell, run_media, running_version
from tests.vm.listeners import HOST_FROM_GUEST, iscsi_target
from tests.vm.node import ADMIN_PASSWORD, NodeImage, admin_hash
from tests.vm.qemu import VM, Guest
from tests.vm.test_pxe import http_server

pytestmark = pytest.mark.vm

TARGET = "iqn.2026-12.org.example:root"
INITIATOR = "iqn.2026-12.org.example:node"
HOSTNAME = "iscsi-node.example.com"


def sanboot_script(folder: Path, port: int, ibft: bool = True) -> str:
    """What a site's iPXE (or the firmware's iSCSI boot) does: boot the LUN, describing it in an
    iBFT (iPXE's default) or not (`--no-describe`, as firmware without iBFT)."""
    name = "sanboot.ipxe" if ibft else "sanboot-no-ibft.ipxe"
    describe = "" if ibft else "--no-describe "
    (folder / name).write_text(f"#!ipxe\nset initiator-iqn {INITIATOR}\n"
                               f"sanboot {describe}iscsi:{HOST_FROM_GUEST}::{port}:1:{TARGET}\n")
    return name


def boot_from_lun(name: str, url: str, workdir: Path, artifacts: Path, cdrom: Path | None = None) -> VM:
    return VM(Guest(name=name, disks=[], net_boot=url, cdrom=cdrom, cdrom_boots=False), workdir, artifacts)


def test_a_node_installs_onto_boots_from_and_upgrades_on_an_iscsi_lun(
        image: NodeImage, newer_image: NodeImage, vm_workdir: Path, artifacts: Path) -> None:
    served = vm_workdir / "iscsi-served"
    served.mkdir(exist_ok=True)
    with iscsi_target(vm_workdir, TARGET, INITIATOR, size_mib=24 * 1024, name="iscsi-root") as port, \
            http_server(served, artifacts / "http.log") as http:
        args = [f"iscsi_install iscsi_server={HOST_FROM_GUEST}:{port} iscsi_target_name={TARGET} "
                f"iscsi_name={INITIATOR} adminpw={admin_hash()} ssh_pwauth=1 hostname={HOSTNAME}"]
        run = run_media(image, [], args, vm_workdir, artifacts, name="iscsi-install")
        assert "done" in run.finished, run.console
        url = f"http://{HOST_FROM_GUEST}:{http}/{sanboot_script(served, port)}"
        url_no_ibft = f"http://{HOST_FROM_GUEST}:{http}/{sanboot_script(served, port, ibft=False)}"

        with boot_from_lun("iscsi-boot", url, vm_workdir, artifacts, cdrom=newer_image.iso) as vm:
            assert vm.console is not None
            vm.console.expect(rf"ovirt-node-initramfs: iSCSI login from the iBFT to {re.escape(TARGET)}", 600)
            shell = root_shell(vm)
            assert shell.check("hostname") == HOSTNAME
            assert running_version(shell) == image.version
            # No local disk: the slot, /config and the rest are on the LUN's HostVG.
            assert shell.check("lsblk -dn -o TYPE,TRAN | awk '$1 == \"disk\" {print $2}' | sort -u") == "iscsi"
            assert TARGET in shell.check("iscsiadm -m session")
            # The iBFT's gateway, which the management network's default route needs.
            assert f"via {HOST_FROM_GUEST}" in shell.check("ip route show default")
            assert "iscsi" in shell.check("lsblk -n -o TRAN -s $(findmnt -n -o SOURCE /config) | sort -u")
            vm.console.login("admin", ADMIN_PASSWORD, new_password=ADMIN_PASSWORD + "x")
            # At 80 columns the value wraps: the target name is on the next line.
            root_line = re.compile(rf"Root\W+iSCSI LUN 1 of\s.*?{re.escape(TARGET)} at\s.*?logged in", re.S)
            vm.console.wait(lambda s: root_line.search(s) is not None, 240, "the Status page's Root line")
            shell.check("ovirt-node-upgrade --iso /dev/sr0", 1200)
            vm.powerdown(180)

        with boot_from_lun("iscsi-upgraded", url_no_ibft, vm_workdir, artifacts) as vm:
            assert vm.console is not None
            vm.console.expect(rf"ovirt-node-initramfs: iSCSI login to {re.escape(TARGET)} at", 600)
            shell = root_shell(vm)
            assert shell.check("test -d /sys/firmware/ibft && echo yes || echo no") == "no"
            assert running_version(shell) == newer_image.version
            assert shell.check("hostname") == HOSTNAME
            committed(shell)
            shell.check("ovirt-node-upgrade --rollback", 600)
            vm.powerdown(180)

        with boot_from_lun("iscsi-rolled-back", url, vm_workdir, artifacts) as vm:
            shell = root_shell(vm)
            assert running_version(shell) == image.version
            assert TARGET in shell.check("iscsiadm -m session")
            committed(shell)
            vm.powerdown(180)


def committed(shell: Console) -> None:
    """An upgrade or rollback boots as a trial; its health checks commit it, the grubenv on the
    LUN's EFI partition included."""
    assert "ovirt.trial=1" in shell.check("cat /proc/cmdline")
    assert health_decided(shell) == "exited", shell.check("ovirt-node-upgrade --status")
    assert "trial boot: healthy: committed" in shell.check("ovirt-node-upgrade --status")
