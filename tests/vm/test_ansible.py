"""A PXE-installed node taken under Ansible (issue 24): the node is installed with `sshkey=` on
its kernel line (as a fleet's PXE entry carries it), booted, and the collection's example
playbook (ovirt.node.fleet) runs over SSH as admin with that key, through the node's admin
login shell: check mode changes nothing, the first run sets NTP and remote syslog (the host
receives the node's syslog lines), a second run reports no change. After a power cycle the
facts module reads the same settings back and the playbook still changes nothing.

The guest reaches the host's loopback at 10.0.2.2 (qemu user networking): the syslog listener
and the NTP server it is told to use are there; sshd is reached through a forwarded port."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ansible.collection import FLEET, PlayRun, install, playbook
from tests.vm.console import Console
from tests.vm.flows import root_shell, run_media
from tests.vm.listeners import HOST_FROM_GUEST, UdpListener, free_tcp_port
from tests.vm.node import NodeImage, artifacts_dir
from tests.vm.qemu import VM, Disk, Guest, create_disk

pytestmark = pytest.mark.vm

HOSTNAME = "fleet1.example.com"
PLAY_TIMEOUT = 900  # one ansible-playbook run against a TCG guest


@dataclass
class Fleet:
    """The control host: the key the PXE line installs, the collection, the syslog listener."""

    workdir: Path
    collections: Path
    syslog: UdpListener
    ssh_port: int

    @property
    def key(self) -> Path:
        return self.workdir / "id_ed25519"

    def inventory(self) -> str:
        ssh_args = "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes"
        return (f"[ovirt_nodes]\n{HOSTNAME} ansible_host=127.0.0.1 ansible_port={self.ssh_port} ansible_user=admin "
                f"ansible_ssh_private_key_file={self.key} ansible_ssh_common_args='{ssh_args}'\n")

    def run(self, play: str | list[dict[str, object]], *options: str) -> PlayRun:
        extra = ["-e", f"ntp_servers={HOST_FROM_GUEST}", "-e", f"syslog_server={HOST_FROM_GUEST}",
                 "-e", f"syslog_port={self.syslog.port}",
                 "-e", f"admin_keys='{self.key.with_suffix('.pub').read_text().strip()}'"]
        # No ssh master left behind: the guest is powered off and booted again on the same port.
        result = playbook(self.collections, self.workdir, play, self.inventory(), [*extra, *options],
                          {"ANSIBLE_SSH_ARGS": "-o ControlMaster=no", "ANSIBLE_TIMEOUT": "120"}, PLAY_TIMEOUT)
        with (self.workdir / "ansible.log").open("a") as log:
            log.write(f"$ ansible-playbook {play if isinstance(play, str) else 'play.yml'} {' '.join(options)}\n"
                      f"{result.output}\n(exit {result.rc})\n")
        return result


@pytest.fixture(scope="module")
def fleet(vm_workdir: Path) -> Iterator[Fleet]:
    workdir = artifacts_dir("test_ansible.py-control")
    for old in workdir.iterdir():
        if old.is_file():
            old.unlink()
    syslog = UdpListener("syslog", workdir / "syslog.received")
    try:
        built = vm_workdir / "collection"
        built.mkdir(exist_ok=True)
        fleet = Fleet(workdir, install(built), syslog, free_tcp_port())
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ansible@control", "-f", fleet.key],
                       check=True)
        yield fleet
    finally:
        syslog.sock.close()


@pytest.fixture(scope="module")
def disk(image: NodeImage, vm_workdir: Path, fleet: Fleet) -> Path:
    """The node installed as a PXE entry does it: auto-install, the fleet's key on the kernel line.
    No adminpw=: the node expires that password (changed at the first login, as on 3.x), and an
    expired password refuses key logins too ("Password change required but no TTY available")."""
    disk = create_disk(vm_workdir / "ansible.qcow2", "24G")
    key = fleet.key.with_suffix(".pub").read_text().strip()
    args = ["storage_init", "BOOTIF=link", f"hostname={HOSTNAME}", f'sshkey="{key}"']
    run = run_media(image, [Disk(disk, "disk0")], args, vm_workdir, artifacts_dir("test_ansible.py-install"),
                    name="ansible-install")
    assert "done" in run.finished, f"the install did not finish:\n{run.console}"
    return disk


def boot(disk: Path, fleet: Fleet, vm_workdir: Path, name: str) -> VM:
    return VM(Guest(name=name, disks=[Disk(disk, "disk0")], forwards=[(fleet.ssh_port, 22)]), vm_workdir,
              artifacts_dir(f"test_ansible.py-{name}"))


def check_syslog(shell: Console, fleet: Fleet, tag: str) -> None:
    marker = f"ansible fleet syslog {tag} {time.monotonic_ns()}"
    shell.check(f"logger -t vmtest '{marker}'")
    fleet.syslog.wait(lambda d: marker.encode() in d, 90, f"syslog line {marker!r}")


def test_a_pxe_installed_node_is_configured_by_ansible_over_ssh(disk: Path, fleet: Fleet, vm_workdir: Path) -> None:
    with boot(disk, fleet, vm_workdir, "first-boot") as vm:
        shell = root_shell(vm)
        chrony_before = shell.check("cat /etc/chrony/chrony.conf")

        checked = fleet.run(FLEET, "--check", "--diff")
        assert checked.rc == 0, checked.output
        assert checked.count("CHANGED") == 1, checked.output
        assert shell.check("cat /etc/chrony/chrony.conf") == chrony_before, "check mode changed the node"

        applied = fleet.run(FLEET, "--diff")
        assert applied.rc == 0, applied.output
        assert applied.count("CHANGED") == 1, applied.output
        assert f"NTP {HOST_FROM_GUEST}, syslog {HOST_FROM_GUEST}:{fleet.syslog.port}" in applied.output
        assert "+++ b/etc/chrony/chrony.conf" in applied.output  # --diff: the CLI's diff of what it wrote
        assert f"server {HOST_FROM_GUEST}" in shell.check("cat /etc/chrony/chrony.conf")
        check_syslog(shell, fleet, "first boot")

        again = fleet.run(FLEET)
        assert again.rc == 0, again.output
        assert again.count("CHANGED") == 0, again.output
        vm.powerdown()

    with boot(disk, fleet, vm_workdir, "rebooted") as vm:
        shell = root_shell(vm)
        facts = fleet.run([{"hosts": "ovirt_nodes", "gather_facts": False, "tasks": [
            {"ovirt.node.facts": {"prefix": ""}},
            {"ansible.builtin.debug": {"var": "ansible_facts.ovirt_node"}}]}])
        assert facts.rc == 0, facts.output
        values = facts.results[-1][1]["ansible_facts.ovirt_node"]
        assert values["network.ntp"] == HOST_FROM_GUEST
        assert values["logging.rsyslog.server"] == HOST_FROM_GUEST
        assert values["logging.rsyslog.port"] == str(fleet.syslog.port)
        check_syslog(shell, fleet, "after the reboot")

        still = fleet.run(FLEET)
        assert still.rc == 0, still.output
        assert still.count("CHANGED") == 0, still.output
        vm.powerdown()
