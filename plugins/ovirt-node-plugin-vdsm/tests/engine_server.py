"""A fake engine for the tests: a local HTTPS server on 127.0.0.1 whose certificate is signed by
a CA made here with openssl; it serves the CA, an SSH key and the host-register service."""

from __future__ import annotations

import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHjv0u5mPPLw1ZbqLL7l7TS6Y9LrxKk4Tm0FQZ1cVt0R ovirt-engine"


@dataclass
class FakeEngine:
    port: int
    ca_pem: str
    fingerprint: str  # what openssl says
    registrations: list[dict[str, list[str]]] = field(default_factory=list)


def openssl(*args: str) -> str:
    return subprocess.run(["openssl", *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="session")
def engine_pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA and a server certificate for 127.0.0.1 signed by it (EC keys: fast to make)."""
    d = tmp_path_factory.mktemp("pki")
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl("req", "-x509", *key, "-keyout", str(d / "ca.key"), "-out", str(d / "ca.pem"), "-days", "2",
            "-subj", "/CN=Test Engine CA")
    openssl("req", *key, "-keyout", str(d / "server.key"), "-out", str(d / "server.csr"), "-subj", "/CN=127.0.0.1")
    (d / "ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", str(d / "server.csr"), "-CA", str(d / "ca.pem"), "-CAkey", str(d / "ca.key"),
            "-CAcreateserial", "-out", str(d / "server.pem"), "-days", "2", "-extfile", str(d / "ext"))
    return d


@pytest.fixture
def fake_engine(engine_pki: Path) -> Iterator[FakeEngine]:
    ca_pem = (engine_pki / "ca.pem").read_text()
    printed = openssl("x509", "-in", str(engine_pki / "ca.pem"), "-noout", "-fingerprint", "-sha256")
    engine = FakeEngine(0, ca_pem, printed.strip().split("=", 1)[1])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            if url.path.endswith("/pki-resource") and query.get("resource") == ["ca-certificate"]:
                self._send(engine.ca_pem)
            elif url.path.endswith("/pki-resource") and query.get("resource") == ["engine-certificate"]:
                self._send(SSH_KEY + "\n")
            elif url.path.endswith("/host-register"):
                engine.registrations.append(query)
                self._send("")
            else:
                self.send_error(404)

        def _send(self, body: str) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body.encode())))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(engine_pki / "server.pem", engine_pki / "server.key")
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    engine.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield engine
    finally:
        server.shutdown()
        server.server_close()
