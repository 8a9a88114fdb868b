"""Lifecycle reports end to end: the real console scripts on a copy of the demo root POST their
events to a real HTTP listener on 127.0.0.1 (http.server in a thread); a listener that is down
or failing costs retries, then the event waits in the spool and goes with the next one."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ovirt_node.boot import early as boot
from ovirt_node.core.cmdline import parse
from ovirt_node.core.root import Root
from ovirt_node.core.run import Runner
from ovirt_node.report import lifecycle
from tests.node_fixtures import REPO, changed_paths, node_root, run_config, snapshot  # noqa: F401  (fixture)
from tests.report_listener import ReportListener, report_listener
from tests.unit.test_boot_early import DISK, NoSystemctl, tree

SPOOL = "var/log/ovirt-node/lifecycle-spool.jsonl"
UUID = "4C4C4544-0042-3510-8052-B4C04F4E4E31"
#: The pauses between the three tries: what a failing report costs at least.
RETRY_SECONDS = sum(lifecycle.BACKOFF)


def cli(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", f"ovirt_node.cli.{module}", *args],
                          capture_output=True, text=True, cwd=REPO, timeout=120)


def set_url(root: Path, url: str) -> None:
    result = run_config("--root", str(root), "set", f"lifecycle.report_url={url}")
    assert result.returncode == 0, result.stderr


def closed_port() -> int:
    """A port nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def spooled(root: Path) -> list[dict[str, object]]:
    path = root / SPOOL
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def rollback(root: Path) -> subprocess.CompletedProcess[str]:
    """`ovirt-node-upgrade --rollback` on a root with no installed node: refused (exit 2)."""
    result = cli("upgrade", "--root", str(root), "--rollback")
    assert result.returncode == 2 and "no installed node" in result.stderr, result.stderr
    return result


@pytest.mark.parametrize("value", ["ftp://reports.example.com/in", "file:///etc/passwd", "reports.example.com",
                                   "http://user:secret@reports.example.com/in", "http://exa mple.com/",
                                   "http://reports.example.com:99999/"])
def test_a_bad_url_is_refused_and_nothing_is_written(node_root: Path, value: str) -> None:  # noqa: F811
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", f"lifecycle.report_url={value}")
    assert result.returncode == 2
    assert "invalid lifecycle.report_url" in result.stderr and "scheme http or https" in result.stderr
    assert "Nothing was changed." in result.stderr
    assert changed_paths(before, snapshot(node_root)) == set()


def test_a_bad_kernel_argument_is_skipped_with_the_reason_and_nothing_is_written(node_root: Path) -> None:  # noqa: F811
    """As at boot, a kernel argument that is not valid is skipped (the node must come up), said."""
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "cmdline", "report_url=gopher://reports.example.com/")
    assert "skipped: report_url=gopher://reports.example.com/: lifecycle.report_url: must be a URL" \
        in result.stdout
    assert "No settings in the kernel arguments." in result.stdout
    assert changed_paths(before, snapshot(node_root)) == set()


def test_rollback_reports_one_event_with_the_node_and_what_happened(node_root: Path) -> None:  # noqa: F811
    dmi = node_root / "sys/class/dmi/id"
    dmi.mkdir(parents=True)
    (dmi / "product_uuid").write_text(UUID + "\n")
    (node_root / "etc/machine-id").write_text("0123456789abcdef0123456789abcdef\n")
    with report_listener() as listener:
        set_url(node_root, listener.url())
        rollback(node_root)
        assert [path for path, _ in listener.requests] == ["/events"]
        event = listener.events[0]
    assert event["phase"] == "rollback" and event["result"] == "refused"
    assert "no installed node" in event["detail"]
    assert event["node_id"] == UUID.lower() and event["node_id_source"] == "smbios-uuid"
    assert event["machine_id"] == "0123456789abcdef0123456789abcdef"
    assert event["hostname"] == "demo-node.example.com" and event["version"]
    assert abs(time.time() - _epoch(event["time"])) < 120
    assert not (node_root / SPOOL).exists()


def _epoch(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text).timestamp()


def test_the_machine_id_names_a_node_without_smbios(node_root: Path) -> None:  # noqa: F811
    (node_root / "etc/machine-id").write_text("0123456789abcdef0123456789abcdef\n")
    with report_listener() as listener:
        set_url(node_root, listener.url())
        rollback(node_root)
        event = listener.events[0]
    assert event["node_id"] == "0123456789abcdef0123456789abcdef" and event["node_id_source"] == "machine-id"


def test_listener_down_retries_then_spools_and_the_next_event_sends_both(node_root: Path) -> None:  # noqa: F811
    port = closed_port()
    set_url(node_root, f"http://127.0.0.1:{port}/events")
    start = time.monotonic()
    result = rollback(node_root)  # the report failing changes neither the exit status nor the message
    assert time.monotonic() - start >= RETRY_SECONDS, "no pause between the tries"
    assert "lifecycle report to" in result.stderr and "Connection refused" in result.stderr
    assert "1 event(s) spooled" in result.stderr
    assert [(e["phase"], e["result"]) for e in spooled(node_root)] == [("rollback", "refused")]
    first = spooled(node_root)[0]
    with report_listener(port) as listener:
        rollback(node_root)
        events = listener.events
    assert [(e["phase"], e["result"]) for e in events] == [("rollback", "refused")] * 2
    assert events[0] == first and events[1]["time"] >= first["time"]
    assert not (node_root / SPOOL).exists()


def test_a_failing_listener_gets_three_tries_then_the_event_waits(node_root: Path) -> None:  # noqa: F811
    with report_listener(status=503) as listener:
        set_url(node_root, listener.url())
        result = rollback(node_root)
        assert len(listener.requests) == 3
    assert "HTTP 503" in result.stderr
    assert len(spooled(node_root)) == 1


def test_the_spool_keeps_the_newest_events(node_root: Path) -> None:  # noqa: F811
    spool = node_root / SPOOL
    spool.parent.mkdir(parents=True, exist_ok=True)
    spool.write_text("".join(json.dumps({"phase": "boot", "n": n}) + "\n" for n in range(lifecycle.SPOOL_MAX))
                     + "not json\n")
    set_url(node_root, f"http://127.0.0.1:{closed_port()}/events")
    assert lifecycle.send_event(Root.at(node_root), "health", "failed", "disk full") == "spooled"
    kept = spooled(node_root)
    assert len(kept) == lifecycle.SPOOL_MAX
    assert kept[0]["n"] == 1 and kept[-1]["phase"] == "health"  # the oldest went


def test_the_installer_reports_with_the_kernel_argument_and_redacts_its_log(node_root: Path,  # noqa: F811
                                                                            tmp_path: Path) -> None:
    """At install time the node has no settings yet: report_url= on the installer's kernel
    arguments is used first. The log excerpt leaves no secret."""
    install_log = tmp_path / "installer.log"
    install_log.write_text("earlier run: adminpw=$6$salt$hashhashhashhash rootpw=Secret123\n")
    with report_listener() as listener, report_listener() as setting:
        set_url(node_root, setting.url())
        result = cli("installer", "--root", str(node_root), "--image", str(tmp_path / "missing.iso"),
                     "--log", str(install_log), "--cmdline", f"storage_init report_url={listener.url()}")
        assert result.returncode == 2, result.stderr
        assert setting.events == []
        event = listener.events[0]
    assert len(listener.events) == 1
    assert event["phase"] == "install" and event["result"] == "refused" and "missing.iso" in event["detail"]
    text = "\n".join(event["log"])
    assert "refused:" in text and "<redacted>" in text
    assert "Secret123" not in text and "hashhash" not in text


def test_first_boot_reports_with_the_url_from_its_kernel_arguments(node_root: Path,  # noqa: F811
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from ovirt_node.cli import boot as boot_cli

    with report_listener() as listener:
        root = tree(node_root, f"{DISK} report_url={listener.url()}")
        boot.early(root, Runner(dry_run=True))
        monkeypatch.setattr(boot_cli, "Runner", NoSystemctl)
        assert boot_cli.main(["--root", str(node_root), "late"]) == 0
        assert listener.events == []  # late leaves it to ovirt-node-boot-report.service
        assert boot_cli.main(["--root", str(node_root), "report"]) == 0
        event = listener.wait(lambda e: True, 10, "first boot event")
        assert event["phase"] == "firstboot" and event["result"] == "succeeded"
        assert f'OVIRT_REPORT_URL="{listener.url()}"' in (node_root / "etc/default/ovirt").read_text()


def test_the_first_normal_boot_sends_what_was_spooled(node_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from ovirt_node.cli import boot as boot_cli

    port = closed_port()
    set_url(node_root, f"http://127.0.0.1:{port}/events")
    rollback(node_root)
    root = tree(node_root, DISK, hostvg=True, configured=True)
    boot.early(root, Runner(dry_run=True))
    monkeypatch.setattr(boot_cli, "Runner", NoSystemctl)
    with report_listener(port) as listener:
        for _boot in range(2):
            assert boot_cli.main(["--root", str(node_root), "late"]) == 0
            assert boot_cli.main(["--root", str(node_root), "report"]) == 0
        events = listener.events
    # Installed with settings, the node's first boot is "normal": the Logging volume tells.
    assert [(e["phase"], e["result"]) for e in events] == [("rollback", "refused"), ("firstboot", "succeeded"),
                                                           ("boot", "succeeded")]
    assert events[1]["detail"].startswith("normal: ")


def test_a_boot_that_failed_reports_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kernel argument whose area cannot apply (collectd= without collectd): `late` exits 3,
    and the report says failed, with the reason."""
    from ovirt_node.cli import boot as boot_cli
    from ovirt_node.core.resources import copy_demo_root
    from tests.integration.el_node import make_el_root

    node = make_el_root(copy_demo_root(tmp_path / "root"))
    (node / "etc/collectd.conf").unlink()
    with report_listener() as listener:
        root = tree(node, f"{DISK} collectd=mon.example.com report_url={listener.url()}")
        boot.early(root, Runner(dry_run=True))
        monkeypatch.setattr(boot_cli, "Runner", NoSystemctl)
        assert boot_cli.main(["--root", str(node), "late"]) == 3
        assert boot_cli.main(["--root", str(node), "report"]) == 0
        event = listener.wait(lambda e: True, 10, "first boot event")
    assert event["phase"] == "firstboot" and event["result"] == "failed"
    assert "monitoring" in event["detail"] and any("monitoring" in line for line in event["log"])


def test_a_media_boot_is_left_to_its_installer(node_root: Path) -> None:  # noqa: F811
    from ovirt_node.boot.report import report_boot
    from tests.unit.test_boot_early import MEDIA

    with report_listener() as listener:
        root = tree(node_root, f"{MEDIA} report_url={listener.url()}")
        set_url(node_root, listener.url())
        boot.early(root, Runner(dry_run=True))
        assert report_boot(root) == "skipped"
        assert listener.events == []


def test_an_install_without_network_queues_its_events_on_the_node(node_root: Path, tmp_path: Path) -> None:  # noqa: F811
    """The installer's last step spools on the node it wrote (spool_to): the live system's queued
    `started` goes along, in order, and the node's first report sends both first."""
    node = Root.at(tmp_path / "node")
    port = closed_port()
    url = f"http://127.0.0.1:{port}/events"
    live = Root.at(node_root)
    args = parse(f"storage_init report_url={url}")
    assert lifecycle.send_event(live, "install", "started", "Install x", kernel_args=args) == "spooled"
    assert lifecycle.send_event(live, "install", "succeeded", "Install x", kernel_args=args, spool_to=node) == "spooled"
    assert not (node_root / SPOOL).exists()
    assert [(e["phase"], e["result"]) for e in spooled(tmp_path / "node")] == [("install", "started"),
                                                                                ("install", "succeeded")]
    with report_listener(port) as listener:  # the node's first report, the server back
        assert lifecycle.send_event(node, "firstboot", "succeeded", kernel_args=args) == "sent"
        assert [(e["phase"], e["result"]) for e in listener.events] == [
            ("install", "started"), ("install", "succeeded"), ("firstboot", "succeeded")]


def test_the_boot_event_waits_for_a_route_to_its_server(node_root: Path) -> None:  # noqa: F811
    """network-online.target can come before the node's DHCP lease: the boot's event waits for a
    route (here: a network namespace whose loopback comes up 3 s later) instead of failing at
    once; without the wait it is spooled, and goes first once the route is there."""
    helper = Path(__file__).with_name("report_netns.py")
    done = subprocess.run(["unshare", "--net", "--", sys.executable, str(helper), str(node_root)],
                          capture_output=True, text=True, cwd=REPO, timeout=120,
                          env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["down"] == "127.0.0.1: Network is unreachable"
    assert str(seen["no_name"]).startswith("reports.invalid: ")
    assert seen["no_wait"] == "spooled"
    assert seen["waited"] == "sent" and 2.5 < seen["seconds"] < 20
    assert "waited" in done.stderr and "for a route to the server" in done.stderr
    assert seen["up"] == ""
    assert seen["events"] == [["boot", "succeeded"], ["firstboot", "succeeded"]]
    assert not (node_root / SPOOL).exists()


@pytest.mark.parametrize(("command", "expected"), [("true", ["started", "succeeded"]),
                                                   ("false", ["started", "failed"])])
def test_an_unattended_run_reports_its_start_and_its_end(node_root: Path, tmp_path: Path, command: str,  # noqa: F811
                                                         expected: list[str]) -> None:
    """The kernel line's run and the answers file's (`answers=`: a network install) share
    run_reported: `started` before the first step, then `succeeded` or `failed`."""
    from ovirt_node.cli.install_reported import run_reported
    from ovirt_node.core.context import Context
    from ovirt_node.core.platform import load
    from ovirt_node.core.transaction import Transaction
    from ovirt_node.installer.devices import LvmDevices
    from ovirt_node.installer.plan.autoinstall import Request
    from ovirt_node.installer.session import Session
    from ovirt_node.installer.steps.storage import RunCommands, Target

    live = Root.at(node_root)
    session = Session(ctx=Context(root=live), platform=load("debian"), devices=LvmDevices(),
                      target=Target(tmp_path / "target"), live=live)
    tx = Transaction("Install oVirt Node 9.9", [RunCommands(f"Run {command}", lambda: [[command]])])
    with report_listener() as listener:
        args = parse(f"report_url={listener.url()}")

        def report(result: str, detail: str) -> None:
            assert lifecycle.send_event(live, "install", result, detail, kernel_args=args) == "sent"

        code = run_reported(tx, session, Request("install", False, None, 0), report, None)
        events = listener.events
    assert code == (0 if command == "true" else 1)
    assert [(e["phase"], e["result"]) for e in events] == [("install", r) for r in expected]
    assert events[0]["detail"] == "Install oVirt Node 9.9"
    assert events[1]["detail"] == ("Install oVirt Node 9.9" if command == "true"
                                   else "Install oVirt Node 9.9: a step failed")


def test_a_boot_report_without_a_boot_plan_says_so(node_root: Path, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    from ovirt_node.boot.report import report_boot

    assert report_boot(Root.at(node_root)) == "failed"
    assert "the boot plan cannot be read" in caplog.text


def test_no_url_no_event_and_nothing_written(node_root: Path) -> None:  # noqa: F811
    before = snapshot(node_root)
    assert lifecycle.send_event(Root.at(node_root), "upgrade", "succeeded") == "off"
    assert changed_paths(before, snapshot(node_root)) == set()


def test_the_listener_helper_fails_when_nothing_arrives() -> None:
    listener = ReportListener()
    try:
        with pytest.raises(AssertionError, match="no event"):
            listener.wait(lambda e: True, 0.1, "event")
    finally:
        listener.close()
