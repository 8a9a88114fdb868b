"""One DNS question to one server, over UDP: whether that server answers, and with what.

The management network test asks each configured name server separately (a resolver library
asks them in turn and hides which one failed), so it needs its own small client: an A or
AAAA question with recursion desired, the reply's code and addresses. Nothing else of DNS.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import struct
from dataclasses import dataclass

RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
A, AAAA = 1, 28


@dataclass(frozen=True)
class Answer:
    rcode: int
    addresses: tuple[str, ...]

    @property
    def code(self) -> str:
        return RCODES.get(self.rcode, f"code {self.rcode}")


class NoAnswer(OSError):
    """The server did not answer (timeout, unreachable, or a reply that is not ours)."""


def question(name: str, qtype: int, ident: int) -> bytes:
    labels = b"".join(bytes([len(part)]) + part for part in (p.encode("idna") for p in name.rstrip(".").split(".")))
    return struct.pack(">HHHHHH", ident, 0x0100, 1, 0, 0, 0) + labels + b"\0" + struct.pack(">HH", qtype, 1)


def _skip_name(data: bytes, offset: int) -> int:
    while True:
        length = data[offset]
        if length & 0xC0 == 0xC0:  # a pointer ends the name
            return offset + 2
        if length == 0:
            return offset + 1
        offset += 1 + length


def parse_reply(data: bytes, ident: int) -> Answer:
    if len(data) < 12:
        raise NoAnswer("a reply too short to be DNS")
    got, flags, qdcount, ancount = struct.unpack_from(">HHHH", data)
    if got != ident or not flags & 0x8000:
        raise NoAnswer("a reply that is not the answer to our question")
    offset = 12
    for _ in range(qdcount):
        offset = _skip_name(data, offset) + 4
    addresses = []
    for _ in range(ancount):
        offset = _skip_name(data, offset)
        rtype, _cls, _ttl, length = struct.unpack_from(">HHIH", data, offset)
        offset += 10
        if rtype in (A, AAAA) and length in (4, 16):
            addresses.append(str(ipaddress.ip_address(data[offset:offset + length])))
        offset += length
    return Answer(flags & 0x000F, tuple(addresses))


def ask(server: str, name: str, qtype: int = A, port: int = 53, timeout: float = 2.0) -> Answer:
    """Ask `server` for `name`; NoAnswer when it does not reply within `timeout`."""
    family = socket.AF_INET6 if ":" in server else socket.AF_INET
    ident = int.from_bytes(os.urandom(2), "big")
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(question(name, qtype, ident), (server, port))
            data = sock.recv(4096)
        except OSError as exc:
            raise NoAnswer(str(exc) if not isinstance(exc, TimeoutError) else f"no answer in {timeout:g} s") from None
    try:
        return parse_reply(data, ident)
    except (struct.error, IndexError, ValueError) as exc:
        raise NoAnswer(f"a reply that cannot be read ({exc})") from None
