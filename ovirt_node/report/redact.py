"""Remove secrets from text that leaves the node (the support bundle).

What counts as a secret, wherever it appears (logs, config files, tool output):

* private key blocks (PEM, OpenSSH, PGP), also when the end marker was cut off;
* crypt(3) password hashes (`$6$...`, `$y$...`, ...) and the password field of shadow-like
  lines (`name:FIELD:days:...`), whatever it holds except the lock markers (`*`, `!`, `x`);
* the value of any setting whose name says it is a secret: `*_PASSWORD`, `*_PASSWD`, `*pw`
  (`adminpw=`, `rootpw=`), passphrase, secret, token, community, credential, psk, private
  key, api key; as `key=value`, `key: value`, `"key": "value"`, or `key value` at the start
  of a line (config file syntax). Yes/no style values stay, they hold no secret
  (`PasswordAuthentication no` is worth seeing);
* passwords in URLs (`https://user:pass@host`);
* net-snmp's `createUser` pass phrases and `usmUser` lines (localized keys).

Redaction errs on the side of removing too much: a support bundle must never carry secrets.
"""

from __future__ import annotations

import re
from collections.abc import Collection

MARK = "<redacted>"

_PRIVATE_KEY = re.compile(
    r"(-----BEGIN (?P<kind>[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----).*?(?:-----END (?P=kind)-----|\Z)", re.DOTALL
)
_CRYPT_HASH = re.compile(r"\$(?:1|2[abxy]?|5|6|7|y|gy|sha1|md5)\$[./A-Za-z0-9$=,]{8,}")
#: name:password:lastchange:min:... anywhere (a shadow line quoted in a log too), and the
#: four fields of a gshadow line (name:password:admins:members).
_SHADOW = re.compile(r"(?:^|(?<=\s))(?P<head>[A-Za-z_][\w.-]*\$?:)(?P<pw>[^:\s]*)(?P<tail>:\d*:\d*:)", re.MULTILINE)
_GSHADOW = re.compile(r"^(?P<head>[A-Za-z_][\w.-]*:)(?P<pw>[^:\n]*)(?P<tail>:[^:\n]*:[^:\n]*)$", re.MULTILINE)
_LOCKED = {"", "*", "!", "!!", "!*", "x", MARK}
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][\w+.-]*://[^/\s:@]+:)(?P<pw>[^@\s/]+)(?=@)")
_SECRET_WORD = re.compile(
    r"passw(?:or)?d|passphrase|secret|token|credential|community|psk|priv(?:ate)?_?key|api_?key|auth_?key",
    re.IGNORECASE,
)
_KEY = r"""["']?(?P<key>-{0,2}[A-Za-z_][\w.-]*)["']?"""
_VALUE = r"""(?P<value>"[^"\n]*"|'[^'\n]*'|[^\s"',;&}]+)"""
_ASSIGNMENT = re.compile(_KEY + r"(?P<sep>[ \t]*[=:][ \t]*)" + _VALUE)
_CONFIG_LINE = re.compile(r"^(?P<indent>[ \t]*)" + _KEY + r"(?P<sep>[ \t]+)(?![=:])" + _VALUE, re.MULTILINE)
_PHRASE = r"""(?:"[^"\n]*"|'[^'\n]*'|\S+)"""
_SNMP_CREATE_USER = re.compile(
    r"^(?P<head>[ \t]*createUser[ \t]+(?:-e[ \t]+\S+[ \t]+)?\S+[ \t]+\S+[ \t]+)(?P<auth>" + _PHRASE + ")"
    r"(?:(?P<mid>[ \t]+\S+[ \t]+)(?P<priv>" + _PHRASE + "))?",
    re.MULTILINE,
)
_SNMP_USM_USER = re.compile(r"^(?P<head>[ \t]*usmUser[ \t]+).*$", re.MULTILINE)
_HARMLESS = {"", "yes", "no", "true", "false", "on", "off", "0", "1", "none", "null", "required", "optional"}


def secret_name(key: str, known: Collection[str] = ()) -> bool:
    """True when a setting's name says its value is a secret, or it is one of the `known`
    secret names (lower case: the engine's keys marked secret, whatever they are called)."""
    name = key.strip("\"'-").lower()
    parts = re.split(r"[_.\-]", name)
    return (name in known or bool(_SECRET_WORD.search(name))
            or any(p in ("pw", "pass") or p.endswith("pw") for p in parts))


def _keep_quotes(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[0] + MARK + value[0]
    return MARK


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def hit(self, text: str) -> str:
        self.count += 1
        return text


def redact(text: str, known: Collection[str] = ()) -> tuple[str, int]:
    """`text` with its secrets replaced by `<redacted>`, and how many were replaced; `known`:
    more names of secret settings (lower case)."""
    n = _Counter()

    def setting(match: re.Match[str]) -> str:
        value = match.group("value")
        if not secret_name(match.group("key"), known) or value.strip("\"'").lower() in _HARMLESS or MARK in value:
            return match.group(0)
        return n.hit(match.group(0)[: match.start("value") - match.start(0)] + _keep_quotes(value))

    def shadow(match: re.Match[str]) -> str:
        if match.group("pw") in _LOCKED:
            return match.group(0)
        return n.hit(f"{match.group('head')}{MARK}{match.group('tail')}")

    def snmp_user(match: re.Match[str]) -> str:
        text = f"{match.group('head')}{MARK}"
        if match.group("priv"):
            text += f"{match.group('mid')}{MARK}"
        return n.hit(text)

    text = _PRIVATE_KEY.sub(lambda m: n.hit(f"{m.group(1)}\n{MARK}\n-----END {m.group('kind')}-----"), text)
    text = _SNMP_CREATE_USER.sub(snmp_user, text)
    text = _SNMP_USM_USER.sub(lambda m: n.hit(m.group("head") + MARK), text)
    text = _SHADOW.sub(shadow, text)
    text = _GSHADOW.sub(shadow, text)
    text = _CRYPT_HASH.sub(lambda _m: n.hit(MARK), text)
    text = _URL_PASSWORD.sub(lambda m: n.hit(m.group("head") + MARK), text)
    text = _ASSIGNMENT.sub(setting, text)
    text = _CONFIG_LINE.sub(setting, text)
    return text, n.count
