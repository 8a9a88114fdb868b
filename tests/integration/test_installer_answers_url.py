"""`answers=URL` on the kernel line (issue 23): the installer fetches its answers file from a
real web server on the loopback, checks `answers_sha256=`, and plans the install of the
answers (with their settings tables) and the line's own settings; every failure exits 2 with the
reason before anything is looked at, and nothing is written."""

from __future__ import annotations

import hashlib
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ovirt_node.boot.decision import Mode, decide
from ovirt_node.cli.installer import main
from ovirt_node.core.cmdline import parse
from ovirt_node.installer import answers_url
from ovirt_node.installer.screens.answers import AnswersError
from tests.node_fixtures import DEMO_ROOT

ANSWERS = """
mode = "install"
boot_disk = "/dev/disk/by-id/virtio-DEMO-VDA-0001"
confirm = true
[password]
admin_hash = "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1"
[network]
ntp = "ntp1.example.com,ntp2.example.com"
[logging.rsyslog]
server = "logs.example.com"
port = 1514
"""


class Site:
    """Paths served with their bodies; a path may first fail `failures` times with 503."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        self.failures: dict[str, int] = {}
        self.requests: list[str] = []


@pytest.fixture
def site() -> Iterator[tuple[Site, str]]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            state.requests.append(self.path)
            if state.failures.get(self.path, 0) > 0:
                state.failures[self.path] -= 1
                self.send_error(503)
                return
            body = state.pages.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def plan(capsys: pytest.CaptureFixture[str], line: str, *extra: str) -> tuple[int, str, str]:
    code = main(["--dry-run", "--machine", "demo", "--root", str(DEMO_ROOT), "--image", "/nonexistent.iso",
                 "--cmdline", line, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_answers_file_from_a_url_plans_its_install_with_its_settings(
        site: tuple[Site, str], capsys: pytest.CaptureFixture[str]) -> None:
    state, base = site
    state.pages["/nodes/n1.toml"] = ANSWERS.encode()
    pin = hashlib.sha256(ANSWERS.encode()).hexdigest()
    # BOOTIF= as a network boot gives it (boot.ipxe: the NIC that booted): the node's network.
    code, out, err = plan(capsys, f"answers={base}/nodes/n1.toml answers_sha256={pin} hostname=n1.example.com "
                                  "console=ttyS0 BOOTIF=01-52-54-00-12-34-56")
    assert (code, err) == (0, ""), err
    assert f"answers from {base}/nodes/n1.toml (sha256 checked)" in out
    assert "Install" in out and "/dev/vda" in out
    # The answers' settings and the line's own, applied to the node together.
    assert ("Apply the node's settings (BOOTIF, adminpw, console, hostname, install, keyboard, "
            "logging.rsyslog.port, logging.rsyslog.server, network.ntp, storage_init)") in out
    boot_line = next(line for line in out.splitlines() if "Write the boot menu" in line)
    assert "console=ttyS0" in boot_line and "BOOTIF" not in boot_line  # the node's network, not its boot line
    assert state.requests == ["/nodes/n1.toml"]


@pytest.mark.parametrize(("line", "message"), [
    ("answers=ftp://files.example.com/a.toml", "answers=: must be a URL such as https://"),
    ("answers=http://user:secret@files.example.com/a.toml", "answers=: must be a URL"),
    ("answers={base}/a.toml answers_sha256=1234", "answers_sha256=: must be 64 hexadecimal digits"),
    ("answers={base}/missing.toml", "could not fetch the answers file after 1 attempt: the server answered 404"),
    ("answers={base}/a.toml answers_sha256=" + "0" * 64, "its sha256 is "),
    ("answers={base}/bad-settings.toml", "bad-settings.toml: network.ntp: "),
    ("answers={base}/unknown-setting.toml", "ssh.colour: not a setting of the ssh area"),
    ("answers={base}/not-toml.toml", "not valid TOML"),
])
def test_an_answers_url_that_cannot_be_used_stops_before_anything(
        site: tuple[Site, str], capsys: pytest.CaptureFixture[str], line: str, message: str) -> None:
    state, base = site
    state.pages["/a.toml"] = ANSWERS.encode()
    state.pages["/bad-settings.toml"] = (ANSWERS.split("[network]")[0] + "[network]\nntp = 'not a host!'\n"
                                         ).encode()
    state.pages["/unknown-setting.toml"] = (ANSWERS + '[ssh]\ncolour = "red"\n').encode()
    state.pages["/not-toml.toml"] = b"mode = \n"
    code, out, err = plan(capsys, line.format(base=base))
    assert code == 2
    # At most the line that says where the answers came from: no plan.
    assert [line for line in out.splitlines() if " answers from " not in line] == []
    assert message in err, err
    assert "secret" not in err


def test_a_failed_fetch_writes_nothing_and_says_so_on_the_console(
        site: tuple[Site, str], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, base = site
    root = tmp_path / "root"
    shutil.copytree(DEMO_ROOT, root, symlinks=True)
    before = sorted((str(p.relative_to(root)), p.stat().st_mtime_ns) for p in root.rglob("*"))
    log = tmp_path / "installer.log"
    code = main(["--root", str(root), "--image", "/nonexistent.iso", "--log", str(log),
                 "--cmdline", f"answers={base}/gone.toml"])
    out, err = capsys.readouterr()
    assert code == 2
    assert f"{base}/gone.toml: could not fetch the answers file after 1 attempt: the server answered 404" in err
    assert f"Nothing was changed. The log is kept at {log}." in err
    assert sorted((str(p.relative_to(root)), p.stat().st_mtime_ns) for p in root.rglob("*")) == before
    assert "refused:" in log.read_text()


def test_the_fetch_retries_while_the_network_comes_up(site: tuple[Site, str]) -> None:
    state, base = site
    state.pages["/a.toml"] = ANSWERS.encode()
    state.failures["/a.toml"] = 2
    pauses: list[float] = []
    text = answers_url.fetch(answers_url.AnswersSource(f"{base}/a.toml", ""), attempts=4, sleep=pauses.append)
    assert text == ANSWERS and pauses == [2.0, 4.0] and len(state.requests) == 3


def test_a_server_that_never_answers_is_given_up_with_the_reason(tmp_path: Path) -> None:
    import socket

    with socket.socket() as listener:  # a port that is bound but never accepts: connection refused after close
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
    pauses: list[float] = []
    with pytest.raises(AnswersError) as refused:
        answers_url.fetch(answers_url.AnswersSource(f"http://127.0.0.1:{port}/a.toml", ""), attempts=3,
                          timeout=2, sleep=pauses.append)
    assert pauses == [2.0, 4.0]
    assert "could not fetch the answers file after 3 attempts: Connection refused" in str(refused.value)


def test_answers_on_the_boot_media_line_is_an_unattended_install() -> None:
    plan_ = decide(parse("root=live:CDLABEL=OVIRT answers=http://10.0.2.2/n1.toml"), has_node=False,
                   configured=False)
    assert plan_.mode is Mode.AUTO_INSTALL and "answers" in plan_.reason


def test_a_json_plan_from_an_answers_url_is_one_json_object(site: tuple[Site, str],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    import json

    state, base = site
    state.pages["/a.toml"] = ANSWERS.encode()
    code, out, err = plan(capsys, f"answers={base}/a.toml", "--json")
    assert (code, err) == (0, "")
    plan_json = json.loads(out)  # nothing else on stdout
    assert plan_json["changed"] is True and plan_json["steps"]
