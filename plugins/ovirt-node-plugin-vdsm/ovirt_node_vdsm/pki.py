"""Talking to the engine over HTTPS: its CA certificate (before it is trusted), its SSH key
and the host registration (checked against the accepted CA).

The first fetch cannot verify the engine (the node does not know its CA yet): what makes it
safe is the operator (or `management_server_fingerprint=`) comparing the SHA-256 fingerprint
with the engine's own before the CA is stored. Every later request verifies the engine's
certificate, host name included, against that stored CA. The ssl/http modules are imported
on first use, so the page costs nothing at TUI start.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    import ssl

SERVICES = "/ovirt-engine/services"
CA_RESOURCE = f"{SERVICES}/pki-resource?resource=ca-certificate&format=X509-PEM-CA"
SSH_RESOURCE = f"{SERVICES}/pki-resource?resource=engine-certificate&format=OPENSSH-PUBKEY"
TIMEOUT = 10.0
_HEX = re.compile(r"[0-9A-Fa-f]{64}")


class EngineError(RuntimeError):
    """The engine could not be reached, or did not answer as an engine does."""


def base_url(server: str, port: int) -> str:
    host = f"[{server}]" if ":" in server else server
    return f"https://{host}:{port}"


def _tls(cafile: str | None) -> ssl.SSLContext:
    import ssl

    if cafile is not None:
        return ssl.create_default_context(cafile=cafile)
    unverified = ssl.create_default_context()
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE  # trust on first use: the fingerprint is checked instead
    return unverified


def fetch(server: str, port: int, path: str, cafile: str | None = None, timeout: float = TIMEOUT) -> bytes:
    """GET `path` from the engine; every failure is an EngineError that says what went wrong."""
    import http.client
    import ssl

    url = base_url(server, port) + path.split("?", 1)[0]
    conn = http.client.HTTPSConnection(server, port, context=_tls(cafile), timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": "*/*"})
        response = conn.getresponse()
        body = response.read()
    except ssl.SSLCertVerificationError as exc:
        raise EngineError(f"{url}: the engine's certificate does not match the accepted CA ({exc.verify_message})") \
            from exc
    except TimeoutError as exc:
        raise EngineError(f"{url}: the engine did not answer within {timeout:g} s") from exc
    except ConnectionRefusedError as exc:
        raise EngineError(f"{url}: connection refused (is the engine running, is the port right?)") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise EngineError(f"{url}: {exc.strerror if isinstance(exc, OSError) and exc.strerror else exc}") from exc
    finally:
        conn.close()
    if response.status != 200:
        raise EngineError(f"{url}: the engine answered HTTP {response.status} {response.reason}")
    return body


def fetch_ca(server: str, port: int) -> str:
    """The engine's CA certificate (PEM), not yet trusted."""
    import ssl

    text = fetch(server, port, CA_RESOURCE).decode(errors="replace")
    match = re.search(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", text, re.DOTALL)
    if match is None:
        raise EngineError(f"{base_url(server, port)}: the answer is not a certificate; is this an oVirt Engine?")
    pem = match.group(0) + "\n"
    try:
        ssl.PEM_cert_to_DER_cert(pem)
    except ValueError as exc:
        raise EngineError(f"{base_url(server, port)}: the certificate cannot be read: {exc}") from exc
    return pem


def fingerprint(pem: str) -> str:
    """SHA-256 of the certificate, as `openssl x509 -fingerprint -sha256` prints it."""
    import ssl

    digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def normalize(text: str) -> str:
    """A fingerprint typed either way (colons or not, any case) in openssl's spelling."""
    digest = text.replace(":", "").strip().upper()
    if not _HEX.fullmatch(digest):
        return text
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def register_path(name: str, address: str, ssh_port: int = 22) -> str:
    """The engine's host-register service: the engine adds the host, then deploys it over SSH."""
    query = {"version": "1", "command": "register", "name": name, "address": address,
             "sshUser": "root", "sshPort": str(ssh_port)}
    return f"{SERVICES}/host-register?{urlencode(query)}"
