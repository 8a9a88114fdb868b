"""Network boot (issue 23): a blank machine with nothing but a network card installs the node.

The image build's `pxe/` folder is served over HTTP by the host; qemu's own iPXE ROM gets
its DHCP answer from user networking, whose boot file is a two-line script that sets the
node's arguments and chains the build's `boot.ipxe`. The initramfs brings up the NIC that
booted (BOOTIF), fetches the image over HTTP into RAM, checks it, and the installer fetches
its answers file from the same server (`answers=`, pinned by `answers_sha256=`) and installs
from it; the installed node then boots from its disk with the answers' settings and the
kernel line's own. The kernel line's `report_url=` names a listener on the host: the
installer's start and success and the node's first boot reach it (issue 24: the URL is kept
in the node's settings, not on its kernel line); the node keeps the live system's NIC names
(`net.ifnames=0`), so the connection the installer wrote brings its network up. A SHA256SUMS
that is not the one the script pins is refused before anything is installed (that boot runs its network over a bond
made at boot: `bond=`)."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.report_listener import Event, report_listener
from tests.vm.flows import DONE, INSTALL_TIMEOUT, boot_disk, root_shell
from tests.vm.listeners import HOST_FROM_GUEST
from tests.vm.node import DEBUG_ARGS, NodeImage, admin_hash
from tests.vm.qemu import VM, Disk, Guest, create_disk

pytestmark = pytest.mark.vm

HOSTNAME = "pxe-node.example.com"
BOND_ARG = "bond=bond0:eth0,eth1:mode=active-backup,miimon=100"


@contextmanager
def http_server(folder: Path, log: Path) -> Iterator[int]:
    """`folder` over HTTP on the host's loopback; every request line goes to `log`."""
    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
            with log.open("a") as out:
                out.write(format % args + "\n")

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def served(image: NodeImage, folder: Path) -> Path:
    """The build's pxe/ folder as a web server would hold it, plus the operator's script
    (the folder's URL in ${base}: qemu's iPXE, of 2019, has no ${cwduri})."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(image.path / "pxe", folder, copy_function=os.link)
    return folder


def operator_script(folder: Path, port: int, node_args: str) -> str:
    base = f"http://{HOST_FROM_GUEST}:{port}/"
    (folder / "node.ipxe").write_text(f"#!ipxe\nset base {base}\nset ovirt_node_args {node_args}\n"
                                      "chain ${base}boot.ipxe\n")
    return base + "node.ipxe"


NTP_SERVERS = "ntp1.example.com,ntp2.example.com"
SYSLOG_SERVER = "logs.example.com"


def answers_file(folder: Path) -> tuple[str, str]:
    """The fleet's answers file for this node on the web server: its path and sha256."""
    text = (f'mode = "install"\nconfirm = true\n[password]\nadmin_hash = "{admin_hash()}"\n'
            f'[network]\nntp = "{NTP_SERVERS}"\n[logging.rsyslog]\nserver = "{SYSLOG_SERVER}"\n')
    path = folder / "answers" / "pxe-node.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return "answers/pxe-node.toml", hashlib.sha256(text.encode()).hexdigest()


#: The machine's SMBIOS system UUID (qemu's -uuid): the node id of the installer's events and the node's.
MACHINE_UUID = "5d0f3e4a-9b61-4c2e-8a57-0c1d2e3f4a5b"
MACHINE = ("-uuid", MACHINE_UUID)
#: What the node keeps in artifacts before waiting for its first-boot event (why it did not come).
REPORT_EVIDENCE = (("defaults", "grep -H OVIRT_REPORT_URL /etc/default/ovirt /config/etc/default/ovirt"),
                   ("report-unit", "journalctl -b -u ovirt-node-boot-report --no-pager"),
                   ("spool", "cat /var/log/ovirt-node/lifecycle-spool.jsonl"),
                   ("network", "ls /etc/NetworkManager/system-connections; nmcli -t -f NAME,DEVICE,STATE connection "
                               "show; ip -o link; ip route; journalctl -b -o short-monotonic --no-pager "
                               "-u NetworkManager-wait-online -u NetworkManager -u ovirt-node-boot-report "
                               "| grep -i -E 'dhcp|wait-online|startup|activation|online|report' | head -80"))


def outcome(event: Event) -> tuple[str, str]:
    return str(event["phase"]), str(event["result"])


def test_a_blank_machine_installs_over_the_network(image: NodeImage, vm_workdir: Path, artifacts: Path) -> None:
    folder = served(image, vm_workdir / "pxe-served")
    answers, pin = answers_file(folder)
    disk = create_disk(vm_workdir / "pxe.qcow2", "24G")
    requests = artifacts / "http.log"
    with report_listener() as listener:
        try:
            url = listener.url(HOST_FROM_GUEST, "/fleet/events")
            with http_server(folder, requests) as port:
                args = (f"answers=http://{HOST_FROM_GUEST}:{port}/{answers} answers_sha256={pin} ssh_pwauth=1 "
                        f"hostname={HOSTNAME} report_url={url} {' '.join(DEBUG_ARGS)}")
                guest = Guest(name="pxe", disks=[Disk(disk, "disk0")], net_boot=operator_script(folder, port, args),
                              extra=MACHINE)
                with VM(guest, vm_workdir, artifacts) as vm:
                    assert vm.console is not None
                    vm.console.expect(r"ovirt-node-initramfs: network up on \S+: 10\.0\.2\.\d+/24", 600)
                    vm.console.expect("ovirt-node-initramfs: image fetched and verified", 900)
                    vm.console.expect(r"answers from http://\S+/answers/pxe-node\.toml \(sha256 checked\)", 900)
                    finished = vm.console.expect(DONE, INSTALL_TIMEOUT).group(0)
                    assert "done" in finished, vm.console.tail()
                    vm.wait_exit(180)
            fetched = requests.read_text()
            for name in ("node.ipxe", "boot.ipxe", "vmlinuz", "initrd.img", "SHA256SUMS", "LiveOS/squashfs.img",
                         "version", answers):
                assert f"GET /{name} " in fetched, f"{name} was not fetched:\n{fetched}"
            with boot_disk([Disk(disk, "disk0")], vm_workdir, artifacts, "pxe-installed", extra=MACHINE) as vm:
                shell = root_shell(vm)
                for name, command in REPORT_EVIDENCE:
                    (artifacts / f"node-{name}.txt").write_text(shell.run(command, 60)[1] + "\n")
                assert shell.check("hostname") == HOSTNAME
                assert image.version in shell.check("cat /etc/ovirt-node/version")
                assert shell.check("ovirt-node-config get network.ntp") == NTP_SERVERS
                assert shell.check("ovirt-node-config get logging.rsyslog.server") == SYSLOG_SERVER
                cmdline = shell.check("cat /proc/cmdline")
                assert "answers=" not in cmdline and "report_url=" not in cmdline  # settings now, not arguments
                # The URL from the install's kernel line, kept in the node's persisted settings.
                assert shell.check("ovirt-node-config get lifecycle.report_url") == url
                assert shell.check("grep -c OVIRT_REPORT_URL /config/etc/default/ovirt") == "1"
                # The NIC the installer configured (the live system's eth0) carries the node's network.
                assert "net.ifnames=0" in cmdline.split()
                listener.wait(lambda e: e["phase"] in ("firstboot", "boot"), 300, "first boot event")
                assert "10.0.2.15/" in shell.check("ip -4 -o addr show dev eth0")
                assert shell.check("systemctl is-active ovirt-node-boot-report.service") == "active"
                assert shell.check("test -e /var/log/ovirt-node/lifecycle-spool.jsonl && echo left || echo empty") \
                    == "empty"
                vm.powerdown()
        finally:
            (artifacts / "events.json").write_text(json.dumps(listener.requests, indent=1) + "\n")
    # Each event a POST of one JSON object to the URL's path, as docs/automation.md shows it.
    assert {path for path, _ in listener.requests} == {"/fleet/events"}
    events = listener.events
    assert [outcome(e) for e in events] == [("install", "started"), ("install", "succeeded"),
                                            ("firstboot", "succeeded")]
    for event in events:
        assert set(event) == {"node_id", "node_id_source", "machine_id", "hostname", "version", "phase", "result",
                              "time", "detail", "log"}, event
        assert (event["node_id"], event["node_id_source"]) == (MACHINE_UUID, "smbios-uuid"), event
        assert event["version"] == image.version and isinstance(event["log"], list)
    assert str(events[1]["detail"]).startswith("Install ") and events[1]["log"], "no log excerpt"
    assert events[2]["hostname"] == HOSTNAME
    sent = json.dumps(events)
    assert admin_hash() not in sent and admin_hash().split("$")[-1] not in sent


def test_an_image_that_is_not_the_pinned_one_is_refused(image: NodeImage, vm_workdir: Path, artifacts: Path) -> None:
    folder = served(image, vm_workdir / "pxe-tampered")
    sums = folder / "SHA256SUMS"
    text = sums.read_text()
    sums.unlink()  # a copy of its own, not the build's file
    sums.write_text(text + "# changed on the server\n")
    disk = create_disk(vm_workdir / "pxe-tampered.qcow2", "24G")
    with http_server(folder, artifacts / "http.log") as port:
        # Over a bond at boot (bond=, 3.x's syntax): the initramfs makes it of the first two NICs.
        guest = Guest(name="pxe-tampered", disks=[Disk(disk, "disk0")],
                      net_boot=operator_script(folder, port, f"storage_init {BOND_ARG}"))
        with VM(guest, vm_workdir, artifacts) as vm:
            assert vm.console is not None
            vm.console.expect("ovirt-node-initramfs: bond bond0 up with eth0,eth1", 600)
            vm.console.expect(r"ovirt-node-initramfs: network up on bond0: 10\.0\.2\.\d+/24", 600)
            vm.console.expect(r"FAILED: http://\S+/SHA256SUMS is not the one rd\.live\.sums names", 900)
    assert "GET /LiveOS/squashfs.img" not in (artifacts / "http.log").read_text()
