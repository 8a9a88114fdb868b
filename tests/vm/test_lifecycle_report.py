"""Lifecycle reports from a real node: installed from the media with `report_url=` naming a
listener on the host (10.0.2.2 from the guest), the installer's start and success and the
installed node's first boot reach it in that order, all naming the machine by its SMBIOS UUID."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.report_listener import Event, report_listener
from tests.vm.flows import boot_disk, root_shell, run_media
from tests.vm.listeners import HOST_FROM_GUEST
from tests.vm.node import NodeImage, admin_hash
from tests.vm.qemu import Disk, create_disk

pytestmark = pytest.mark.vm

#: The machine's SMBIOS system UUID (qemu's -uuid): the same for the installer and the node.
UUID = "5d0f3e4a-9b61-4c2e-8a57-0c1d2e3f4a5b"
MACHINE = ("-uuid", UUID)


def outcome(event: Event) -> tuple[str, str]:
    return str(event["phase"]), str(event["result"])


def test_install_and_first_boot_are_reported(image: NodeImage, vm_workdir: Path, artifacts: Path) -> None:
    disk = create_disk(vm_workdir / "report.qcow2", "24G")
    disks = [Disk(disk, "disk0")]
    password_hash = admin_hash()
    with report_listener() as listener:
        url = listener.url(HOST_FROM_GUEST)
        try:
            args = ["storage_init", "BOOTIF=link", f"adminpw={password_hash}", f"report_url={url}"]
            run = run_media(image, disks, args, vm_workdir, artifacts, name="report-media", extra=MACHINE)
            assert "done" in run.finished, run.console
            # The media has no network of its own (only the node's connections are configured):
            # the install's events wait on the node's Logging volume for its first boot.
            with boot_disk(disks, vm_workdir, artifacts, "report-node", extra=MACHINE) as vm:
                shell = root_shell(vm)
                for name, command in (("defaults", "grep -H OVIRT_ /etc/default/ovirt /config/etc/default/ovirt"),
                                      ("report-unit", "journalctl -b -u ovirt-node-boot-report --no-pager"),
                                      ("spool", "cat /var/log/ovirt-node/lifecycle-spool.jsonl")):
                    (artifacts / f"node-{name}.txt").write_text(shell.run(command, 60)[1] + "\n")
                listener.wait(lambda e: e["phase"] in ("firstboot", "boot"), 300, "first boot event")
                assert shell.check("ovirt-node-config get lifecycle.report_url") == url
                assert shell.check("systemctl is-active ovirt-node-boot-report.service") == "active"
                assert shell.check("test -e /var/log/ovirt-node/lifecycle-spool.jsonl && echo left || echo empty") \
                    == "empty"
                vm.powerdown()
            events = listener.events
            assert [outcome(e) for e in events] == [("install", "started"), ("install", "succeeded"),
                                                    ("firstboot", "succeeded")]
            for event in events:
                assert event["node_id"] == UUID and event["node_id_source"] == "smbios-uuid", event
                assert event["version"] == image.version
            assert str(events[1]["detail"]).startswith("Install ") and events[1]["log"], "no log excerpt"
        finally:
            (artifacts / "events.json").write_text(json.dumps(listener.events, indent=1) + "\n")
    sent = json.dumps(listener.events)
    assert password_hash not in sent and password_hash.split("$")[-1] not in sent
