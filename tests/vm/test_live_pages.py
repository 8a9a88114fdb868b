"""Each page's effect on the booted node (issue 21): an installed node in a qemu guest is
configured with `ovirt-node-config` on its console, then every setting is checked by what it
does, not by the file it wrote: the host receives the node's syslog lines, kernel messages
(netconsole) and collectd packets; chrony polls the server; tuned runs the profile; an iSCSI
target that admits one initiator name lets the node in; sshd answers on the new port and takes
or refuses a password as set; libvirt runs a guest and the Status page counts it; every
diagnostic tool runs and a support bundle keeps no planted secret. Then the node is powered
off and booted again, and the same effects are there (what the engine persisted in /config).

The guest reaches the host's loopback at 10.0.2.2 (qemu user networking), so the listeners
and the iSCSI target run on 127.0.0.1 of the host; sshd is reached through a forwarded port."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.vm.console import Console
from tests.vm.flows import Installed, root_shell, wait_for
from tests.vm.listeners import HOST_FROM_GUEST, UdpListener, collectd_hosts, free_tcp_port, iscsi_target
from tests.vm.node import artifacts_dir
from tests.vm.qemu import VM, Disk, Guest, overlay

pytestmark = pytest.mark.vm

TARGET_IQN = "iqn.2026-12.org.example:live-lun"
INITIATOR = "iqn.2026-12.org.ovirt:node-live"
NFS_DOMAIN = "live.example.org"
PROFILE = "throughput-performance"  # not the image's default (virtual-host)
SSH_PORT = 2222
PASSWORD = "Live-pages-pw9"  # noqa: S105 - a throwaway guest's password
SECRETS = ("PLANTED-psk-7f3a", "PLANTED-chap-91c2", "PLANTED-journal-5d0e")


@dataclass
class Host:
    syslog: UdpListener
    netconsole: UdpListener
    collectd: UdpListener
    iscsi_port: int
    ssh_port: int  # the host's end of the forward to the node's sshd
    workdir: Path

    @property
    def ssh_key(self) -> Path:
        """The private key whose public half the Security page installs for admin."""
        return self.workdir / "id_ed25519"


@dataclass
class LiveNode:
    vm: VM
    shell: Console
    host: Host
    disk: Path
    hostname: str
    saved: dict[str, str]  # each page's `ovirt-node-config set` output, "" when it succeeded

    def page_saved(self, page: str) -> None:
        assert not self.saved[page], f"saving the {page} page failed:\n{self.saved[page]}"


@pytest.fixture(scope="module")
def host(vm_workdir: Path) -> Iterator[Host]:
    workdir = artifacts_dir("test_live_pages.py-host")
    listeners = [UdpListener(name, workdir / f"{name}.received") for name in ("syslog", "netconsole", "collectd")]
    try:
        with iscsi_target(vm_workdir, TARGET_IQN, INITIATOR) as iscsi_port:
            host = Host(*listeners, iscsi_port=iscsi_port, ssh_port=free_tcp_port(), workdir=workdir)
            host.ssh_key.unlink(missing_ok=True)
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "fleet@host", "-f", str(host.ssh_key)],
                           check=True)
            yield host
    finally:
        for listener in listeners:
            listener.close()


def boot(disk: Path, host: Host, workdir: Path, name: str) -> VM:
    return VM(Guest(name=name, disks=[Disk(disk, "disk0")], forwards=[(host.ssh_port, SSH_PORT)]), workdir,
              artifacts_dir(f"test_live_pages.py-{name}"))


@pytest.fixture(scope="module")
def node(installed: Installed, host: Host, vm_workdir: Path) -> Iterator[LiveNode]:
    """The installed node's first boot, configured page by page with ovirt-node-config."""
    disk = overlay(installed.disk, vm_workdir / "live-pages.qcow2")
    with boot(disk, host, vm_workdir, "live") as vm:
        shell = root_shell(vm)
        shell.check(f"printf '%s\\n' '{PASSWORD}' | ovirt-node-config set-password", 120)
        saved = {page: save(shell, values) for page, values in page_settings(host).items()}
        yield LiveNode(vm, shell, host, disk, shell.check("hostname"), saved)
        vm.powerdown()


def page_settings(host: Host) -> dict[str, dict[str, object]]:
    """What each page sets, saved one page at a time as an operator would."""
    return {
        "Logging": {"logging.rsyslog.server": HOST_FROM_GUEST, "logging.rsyslog.port": host.syslog.port,
                    "logging.netconsole.server": HOST_FROM_GUEST, "logging.netconsole.port": host.netconsole.port},
        "Monitoring": {"monitoring.collectd.server": HOST_FROM_GUEST, "monitoring.collectd.port": host.collectd.port},
        "Network": {"network.ntp": HOST_FROM_GUEST},
        "Performance": {"performance.tuned.profile": PROFILE},
        "Remote Storage": {"iscsi.initiator_name": INITIATOR, "nfsv4.domain": NFS_DOMAIN},
        "Security": {"ssh.port": SSH_PORT, "ssh.pwauth": "yes",
                     "ssh.authorized_keys": host.ssh_key.with_suffix(".pub").read_text().strip()},
    }


def save(shell: Console, values: dict[str, object]) -> str:
    """`ovirt-node-config set` of one page's values: "" when it applied, else its output."""
    argv = ["ovirt-node-config", "set", *(f"{key}={value}" for key, value in values.items())]
    code, output = shell.run(shlex.join(argv), 600)
    with (artifacts_dir("test_live_pages.py-live") / "set.out").open("a") as log:
        log.write(f"$ set {values}\n{output}\n(exit {code})\n")
    return "" if code == 0 else output


# -- the effects, each checked on the host or through the node's own tools ---------------------

def check_syslog(node: LiveNode, tag: str) -> None:
    marker = f"live-pages syslog {tag} {time.monotonic_ns()}"
    node.shell.check(f"logger -t vmtest '{marker}'")
    line = node.host.syslog.wait(lambda d: marker.encode() in d, 90, f"syslog line {marker!r}")
    assert b"vmtest" in line, line


def check_netconsole(node: LiveNode, tag: str) -> None:
    marker = f"live-pages kernel {tag} {time.monotonic_ns()}"
    # A message at level 2 (crit) reaches the consoles, netconsole among them, even on a quiet boot.
    node.shell.check(f"echo '<2>{marker}' > /dev/kmsg")
    node.host.netconsole.wait(lambda d: marker.encode() in d, 90, f"kernel message {marker!r}")


def check_collectd(node: LiveNode) -> None:
    since = node.host.collectd.count()
    packet = node.host.collectd.wait(lambda d: bool(collectd_hosts(d)), 120, "collectd packet", since=since)
    assert collectd_hosts(packet) & {node.hostname, node.hostname.split(".")[0]}, collectd_hosts(packet)


def check_chrony(node: LiveNode) -> None:
    wait_for(rf"\s{re.escape(HOST_FROM_GUEST)}\s", node.shell, "chronyc -n sources", 90)


def check_tuned(node: LiveNode) -> None:
    wait_for(rf"Current active profile: {PROFILE}\s*$", node.shell, "tuned-adm active", 120)


def check_nfs_domain(node: LiveNode) -> None:
    assert node.shell.check("nfsidmap -d") == NFS_DOMAIN


def check_iscsi_login(node: LiveNode) -> None:
    """The target admits INITIATOR only: a login proves iscsid uses the configured name."""
    portal = f"{HOST_FROM_GUEST}:{node.host.iscsi_port}"
    record = f"-m node -T {TARGET_IQN} -p {portal}"
    node.shell.check(f"iscsiadm {record} -o new >/dev/null")
    try:
        node.shell.check(f"iscsiadm {record} --login", 120)
        sessions = node.shell.check("iscsiadm -m session")
        assert TARGET_IQN in sessions, sessions
        wait_for(r"\b16M\b", node.shell, "lsblk -dn -o SIZE,TRAN | grep iscsi", 60)
    finally:
        node.shell.run(f"iscsiadm {record} --logout; iscsiadm {record} -o delete", 60)


def ssh_password_login(node: LiveNode, password: str) -> subprocess.CompletedProcess[str]:
    """`ssh admin@node` through the forwarded port with a password only (no keys)."""
    askpass = node.host.workdir / "askpass"
    askpass.write_text("#!/bin/sh\nprintf '%s\\n' \"$ASKPASS_PASSWORD\"\n")
    askpass.chmod(0o700)
    env = {**os.environ, "SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force",
           "ASKPASS_PASSWORD": password, "DISPLAY": ":0"}
    argv = ["ssh", "-p", str(node.host.ssh_port), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null",
            "-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no",
            "-o", "NumberOfPasswordPrompts=1", "-o", "ConnectTimeout=60", "admin@127.0.0.1", "true"]
    return subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180,
                          check=False)


def ssh_key_login(node: LiveNode) -> subprocess.CompletedProcess[str]:
    """`ssh admin@node` with the key the Security page installed (no password tried)."""
    argv = ["ssh", "-p", str(node.host.ssh_port), "-i", str(node.host.ssh_key), "-o", "IdentitiesOnly=yes",
            "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "ConnectTimeout=60", "admin@127.0.0.1", "true"]
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180, check=False)


def check_ssh(node: LiveNode) -> None:
    listening = node.shell.check("ss -Hltn")
    assert re.search(rf":{SSH_PORT}\s", listening) and not re.search(r":22\s", listening), listening
    accepted = ssh_password_login(node, PASSWORD)
    # 255 is ssh's own failure (refused, unreachable); anything else is the login shell's status.
    assert accepted.returncode != 255, accepted.stderr
    wrong = ssh_password_login(node, PASSWORD + "x")
    assert wrong.returncode == 255 and "Permission denied" in wrong.stderr, wrong.stderr
    by_key = ssh_key_login(node)
    assert by_key.returncode != 255, f"the installed key was refused: {by_key.stderr}"


# -- the tests ---------------------------------------------------------------------------------

def test_remote_syslog_and_netconsole_reach_the_host(node: LiveNode) -> None:
    node.page_saved("Logging")
    check_syslog(node, "first boot")
    check_netconsole(node, "first boot")


def test_collectd_sends_the_nodes_statistics(node: LiveNode) -> None:
    node.page_saved("Monitoring")
    check_collectd(node)


def test_chrony_polls_the_configured_server_and_tuned_runs_the_profile(node: LiveNode) -> None:
    node.page_saved("Network")
    node.page_saved("Performance")
    check_chrony(node)
    check_tuned(node)


def check_target_refuses_another_name(node: LiveNode) -> None:
    """The control: the same target refuses the node under another initiator name (an iSCSI
    interface of iscsiadm's with its own name), so a login above proves the node's name."""
    portal = f"{HOST_FROM_GUEST}:{node.host.iscsi_port}"
    iface = "-m iface -I stranger"
    node.shell.check(f"iscsiadm {iface} -o new >/dev/null && iscsiadm {iface} -o update "
                     "-n iface.initiatorname -v iqn.2026-12.org.example:stranger >/dev/null")
    record = f"-m node -T {TARGET_IQN} -p {portal} -I stranger"
    try:
        node.shell.check(f"iscsiadm {record} -o new >/dev/null")
        code, output = node.shell.run(f"iscsiadm {record} --login", 120)
        assert code != 0 and "Could not login" in output, output
    finally:
        node.shell.run(f"iscsiadm {record} -o delete; iscsiadm {iface} -o delete", 60)


def test_iscsi_initiator_name_and_nfsv4_domain_are_used(node: LiveNode) -> None:
    node.page_saved("Remote Storage")
    check_target_refuses_another_name(node)
    check_iscsi_login(node)
    check_nfs_domain(node)


def test_sshd_listens_on_the_new_port_and_obeys_password_logins(node: LiveNode) -> None:
    node.page_saved("Security")
    check_ssh(node)
    node.shell.check("ovirt-node-config set ssh.pwauth=no", 300)
    refused = ssh_password_login(node, PASSWORD)
    assert refused.returncode == 255 and "Permission denied (publickey)" in refused.stderr, refused.stderr
    node.shell.check("ovirt-node-config set ssh.pwauth=yes", 300)
    check_ssh(node)


TINY_GUEST = ("<domain type='qemu'><name>tiny</name><memory unit='MiB'>96</memory><vcpu>1</vcpu>"
              "<os><type arch='x86_64' machine='pc'>hvm</type><kernel>/var/lib/libvirt/images/tiny-kernel</kernel>"
              "<cmdline>console=ttyS0 panic=0</cmdline></os><on_reboot>destroy</on_reboot>"
              "<devices><serial type='file'><source path='/var/log/libvirt/qemu/tiny.console'/>"
              "<target port='0'/></serial></devices></domain>")


def test_libvirt_runs_a_guest_and_the_status_page_counts_it(node: LiveNode) -> None:
    shell = node.shell
    shell.check("systemctl is-active libvirtd || systemctl start libvirtd", 120)
    # The node's own kernel is the tiny guest: it boots until it finds no root, then waits.
    shell.check("install -m 0644 $(ls /boot/vmlinuz-* | head -n 1) /var/lib/libvirt/images/tiny-kernel")
    shell.check(f"printf '%s\\n' \"{TINY_GUEST}\" > /tmp/tiny.xml && virsh -c qemu:///system define /tmp/tiny.xml")
    shell.check("virsh -c qemu:///system start tiny", 180)
    assert re.search(r"\btiny\s+running\b", shell.check("virsh -c qemu:///system list --all"))
    # Nested under TCG the guest is slow, but its kernel talks on its serial line.
    wait_for(r"Decompressing Linux|Linux version", shell, "cat /var/log/libvirt/qemu/tiny.console", 600)

    console = node.vm.console
    assert console is not None
    console.login("admin", PASSWORD, timeout=120)
    screen = console.wait(lambda s: re.search(r"Running VMs\W+1\b", s) is not None, 240, "one running VM")
    (artifacts_dir("test_live_pages.py-live") / "status.screen").write_text(screen + "\n")
    shell.check("virsh -c qemu:///system destroy tiny", 120)


def test_every_diagnostic_tool_runs_and_the_bundle_keeps_no_secret(node: LiveNode) -> None:
    shell = node.shell
    psk, chap, journal = SECRETS
    keyfile = "/etc/NetworkManager/system-connections/planted-wifi.nmconnection"
    shell.check(f"printf '[connection]\\nid=planted-wifi\\ntype=wifi\\n[wifi]\\nssid=planted\\n[wifi-security]\\n"
                f"key-mgmt=wpa-psk\\npsk={psk}\\n' > {keyfile} && chmod 600 {keyfile}")
    shell.check(f"printf 'node.session.auth.password = {chap}\\n' >> /etc/iscsi/iscsid.conf")
    shell.check(f"logger -t vmtest 'bundle-context login password={journal}'")
    shell.check("rm -rf /tmp/bundle && mkdir /tmp/bundle && "
                "ovirt-node-config support-bundle --output /tmp/bundle.tar.gz && "
                "tar -xzf /tmp/bundle.tar.gz -C /tmp/bundle", 600)
    for tool in ("lsblk", "partitions", "multipath", "lvm", "ip-addr", "ip-route", "nmcli", "ethtool", "dmesg",
                 "failed-units"):
        text = shell.check(f"cat /tmp/bundle/*/commands/{tool}.txt")
        assert text and "is not installed on this node" not in text, f"{tool}:\n{text}"
    assert "bundle-context" in shell.check("cat /tmp/bundle/*/commands/journal.txt"), "the journal is not in the bundle"
    leaks = shell.run("grep -rl 'PLANTED-' /tmp/bundle")[1]
    assert not leaks, f"planted secrets in the bundle: {leaks}"


def test_everything_survives_a_power_cycle(node: LiveNode, vm_workdir: Path) -> None:
    node.vm.powerdown()
    with boot(node.disk, node.host, vm_workdir, "live-rebooted") as vm:
        again = LiveNode(vm, root_shell(vm), node.host, node.disk, node.hostname, node.saved)
        check_syslog(again, "after the reboot")
        check_netconsole(again, "after the reboot")
        check_collectd(again)
        check_chrony(again)
        check_tuned(again)
        check_nfs_domain(again)
        check_iscsi_login(again)
        check_ssh(again)
        vm.powerdown()
