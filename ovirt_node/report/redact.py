"""Remove secrets from text that leaves the node (the support bundle).

What counts as a secret, wherever it appears (logs, config files, tool output):

* private key blocks (PEM, OpenSSH, PGP), also when the end marker was cut off;
* crypt(3) password hashes (`$6$...`, `$y$...`, ...) and the password field of shadow-like
  lines (`name:FIELD:days:...`), whatever it holds except the lock markers (`*`, `!`, `x`);
* the value of any setting whose name says it is a secret: `*_PASSWORD`, `*_PASSWD`, `*pw`,
  `*pwd` (`adminpw=`, `rootpw=`, rsyslog's `pwd=`), pin, passphrase, secret, token, community,
  credential, psk, pre-shared key, WEP key, private key, api key; as `key=value`,
  `key: value`, `"key": "value"` (double quotes with backslash escapes, as the settings file
  writes them), `key value` at the start of a line (config file syntax), `--key value` on a
  command line, and a YAML block scalar (`password: |` and the lines below). Yes/no style
  values stay, they hold no secret (`PasswordAuthentication no` is worth seeing);
* every value of a NetworkManager `[vpn-secrets]` section (the names are the plugin's);
* passwords in URLs (`https://user:pass@host`, also with `@` or `/` in the password or no user);
* `Authorization:` header credentials (`Bearer ...`, `Basic ...`) and `-u USER -pPASSWORD`;
* net-snmp's `createUser` pass phrases, `usmUser` lines (localized keys), and the community
  of `com2sec`, `com2sec6`, `trapsink`, `trap2sink` and `informsink`;
* PuTTY private key lines (`Private-Lines:` and the lines it counts, `Private-MAC:`).

A setting name is only taken where a name starts (`/etc/passwd: persisted` is a path, not a
`passwd` setting).

Redaction errs on the side of removing too much: a support bundle must never carry secrets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

MARK = "<redacted>"

_PRIVATE_KEY = re.compile(
    r"(-----BEGIN (?P<kind>[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----).*?(?:-----END (?P=kind)-----|\Z)", re.DOTALL
)
_PUTTY_PRIVATE = re.compile(r"^(?P<head>Private-Lines:[ \t]*\d+[ \t]*\n)(?:[A-Za-z0-9+/=]+[ \t]*(?:\n|\Z))+",
                            re.MULTILINE)
_PUTTY_MAC = re.compile(r"^(?P<head>Private-(?:MAC|Hash):[ \t]*)\S+", re.MULTILINE)
_CRYPT_HASH = re.compile(r"\$(?:1|2[abxy]?|5|6|7|y|gy|sha1|md5)\$[./A-Za-z0-9$=,]{8,}")
#: name:password:lastchange:min:... anywhere (a shadow line quoted in a log too), and the
#: four fields of a gshadow line (name:password:admins:members).
_SHADOW = re.compile(r"(?:^|(?<=\s))(?P<head>[A-Za-z_][\w.-]*\$?:)(?P<pw>[^:\s]*)(?P<tail>:\d*:\d*:)", re.MULTILINE)
_GSHADOW = re.compile(r"^(?P<head>[A-Za-z_][\w.-]*:)(?P<pw>[^:\n]*)(?P<tail>:[^:\n]*:[^:\n]*)$", re.MULTILINE)
_LOCKED = {"", "*", "!", "!!", "!*", "x", MARK}
#: The password runs to the last `@` that a host name follows: it may hold `@` and `/` itself.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][\w+.-]*://[^/\s:@]*:)(?P<pw>\S+)(?=@[^\s@/]+(?:[/?#\s]|$))")
_AUTHORIZATION = re.compile(
    r"(?P<head>\b(?:proxy-)?authorization[ \t]*[:=][ \t]*(?:(?:bearer|basic|digest|negotiate|token)[ \t]+)?)"
    r"(?P<value>[^\s\"',;]+)", re.IGNORECASE)
_USER_DASH_P = re.compile(r"(?P<head>(?<!\S)-u[ \t]?\S+[^\n]*?[ \t]-p)(?P<pw>[^\s-]\S*)")
_SECRET_WORD = re.compile(
    r"passw(?:or)?d|passphrase|secret|token|credential|community|psk|preshared|wep[_-]?key"
    r"|priv(?:ate)?[_-]?key|api[_-]?key|auth[_-]?key",
    re.IGNORECASE,
)
_QUOTED = r""""(?:\\.|[^"\\\n])*"|'[^'\n]*'"""
#: A name starts after a blank, a quote or punctuation, never inside a path or a word.
_KEY = r"""(?<![\w/.\\-])["']?(?P<key>-{0,2}[A-Za-z0-9_][\w.-]*)["']?"""
#: The value is looked at, not consumed: in `http: x-api-key: X` the match on `http` must not
#: swallow the next name.
_VALUE = r"(?=(?P<value>" + _QUOTED + r"""|[^\s"',;&}]+))"""
_ASSIGNMENT = re.compile(_KEY + r"(?P<sep>[ \t]*[=:][ \t]*)" + _VALUE)
_CONFIG_LINE = re.compile(r"^(?P<indent>[ \t]*)" + _KEY + r"(?P<sep>[ \t]+)(?![=:])" + _VALUE, re.MULTILINE)
_OPTION = re.compile(r"(?<!\S)(?P<key>--?[A-Za-z][\w-]*)(?P<sep>[ \t]+)(?=(?P<value>" + _QUOTED
                     + r"|[^\s\"'-]\S*))")
_YAML_BLOCK = re.compile(
    r"^(?P<head>(?P<indent>[ \t]*)(?P<key>[\w.-]+)[ \t]*:[ \t]*[|>][-+0-9]*[ \t]*\n)"
    r"(?P<block>(?:(?:(?P=indent)[ \t]+[^\n]*|[ \t]*)(?:\n|\Z))*)",
    re.MULTILINE,
)
_BLOCK_INDICATOR = re.compile(r"[|>][-+0-9]*")  # its lines are redacted by _YAML_BLOCK
#: `password: TransactionError: ...` in a log is a failure's sentence, not a password.
_EXCEPTION_LABEL = re.compile(r"[A-Z]\w*(?:Error|Exception|Warning):")
_INI_SECRET_SECTION = re.compile(r"^\[vpn-secrets\][ \t]*\n(?P<body>(?:(?!\[)[^\n]*(?:\n|\Z))*)", re.MULTILINE)
_INI_VALUE = re.compile(r"^(?P<head>[^=\n#;]+=)(?P<value>[^\n]+)", re.MULTILINE)
_PHRASE = r"(?:" + _QUOTED + r"|\S+)"
_SNMP_CREATE_USER = re.compile(
    r"^(?P<head>[ \t]*createUser[ \t]+(?:-e[ \t]+\S+[ \t]+)?\S+[ \t]+\S+[ \t]+)(?P<auth>" + _PHRASE + ")"
    r"(?:(?P<mid>[ \t]+\S+[ \t]+)(?P<priv>" + _PHRASE + "))?",
    re.MULTILINE,
)
_SNMP_USM_USER = re.compile(r"^(?P<head>[ \t]*usmUser[ \t]+).*$", re.MULTILINE)
#: com2sec[6] [-Cn CONTEXT] NAME SOURCE COMMUNITY; trapsink|trap2sink|informsink HOST COMMUNITY [PORT].
_SNMP_COMMUNITY = re.compile(
    r"^(?P<head>[ \t]*(?:com2sec6?[ \t]+(?:-Cn[ \t]+\S+[ \t]+)?\S+[ \t]+\S+"
    r"|(?:trap2?sink|informsink)[ \t]+\S+)[ \t]+)(?P<value>" + _PHRASE + ")",
    re.MULTILINE,
)
_HARMLESS = {"", "yes", "no", "true", "false", "on", "off", "0", "1", "none", "null", "required", "optional"}


def secret_name(key: str, known: Collection[str] = ()) -> bool:
    """True when a setting's name says its value is a secret, or it is one of the `known`
    secret names (lower case: the engine's keys marked secret, whatever they are called)."""
    name = key.strip("\"'-").lower()
    parts = re.split(r"[_.\-]", name)
    return (name in known or bool(_SECRET_WORD.search(name))
            or any(p in ("pw", "pass", "pin") or p.endswith(("pw", "pwd")) for p in parts))


def _keep_quotes(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[0] + MARK + value[0]
    return MARK


def _settings(pattern: re.Pattern[str], text: str, secret: Callable[[re.Match[str]], bool], n: _Counter) -> str:
    """Replace the value after each match of `pattern` (name and separator; the value in a
    lookahead) for which `secret` says so; a replaced value is skipped as a whole."""
    out: list[str] = []
    pos = 0
    for match in pattern.finditer(text):
        if match.start() < pos:  # inside a value just replaced
            continue
        if not secret(match):
            continue
        value = match.group("value")
        out += [text[pos:match.end()], n.hit(_keep_quotes(value))]
        pos = match.end() + len(value)
    return "".join(out) + text[pos:]


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

    def setting(match: re.Match[str]) -> bool:
        value = match.group("value")
        return (secret_name(match.group("key"), known) and value.strip("\"'").lower() not in _HARMLESS
                and MARK not in value and not _BLOCK_INDICATOR.fullmatch(value)
                and not _EXCEPTION_LABEL.fullmatch(value))

    def shadow(match: re.Match[str]) -> str:
        if match.group("pw") in _LOCKED:
            return match.group(0)
        return n.hit(f"{match.group('head')}{MARK}{match.group('tail')}")

    def snmp_user(match: re.Match[str]) -> str:
        text = f"{match.group('head')}{MARK}"
        if match.group("priv"):
            text += f"{match.group('mid')}{MARK}"
        return n.hit(text)

    def yaml_block(match: re.Match[str]) -> str:
        if not secret_name(match.group("key"), known) or not match.group("block").strip():
            return match.group(0)
        return n.hit(f"{match.group('head')}{match.group('indent')}  {MARK}\n")

    def secret_section(match: re.Match[str]) -> str:
        body = _INI_VALUE.sub(lambda m: n.hit(m.group("head") + MARK), match.group("body"))
        return match.group(0)[: match.start("body") - match.start(0)] + body

    def head_only(match: re.Match[str]) -> str:
        return n.hit(match.group("head") + MARK)

    text = _PRIVATE_KEY.sub(lambda m: n.hit(f"{m.group(1)}\n{MARK}\n-----END {m.group('kind')}-----"), text)
    text = _PUTTY_PRIVATE.sub(lambda m: n.hit(f"{m.group('head')}{MARK}\n"), text)
    text = _PUTTY_MAC.sub(head_only, text)
    text = _YAML_BLOCK.sub(yaml_block, text)
    text = _INI_SECRET_SECTION.sub(secret_section, text)
    text = _SNMP_CREATE_USER.sub(snmp_user, text)
    text = _SNMP_USM_USER.sub(head_only, text)
    text = _SNMP_COMMUNITY.sub(head_only, text)
    text = _SHADOW.sub(shadow, text)
    text = _GSHADOW.sub(shadow, text)
    text = _CRYPT_HASH.sub(lambda _m: n.hit(MARK), text)
    text = _URL_PASSWORD.sub(head_only, text)
    text = _AUTHORIZATION.sub(lambda m: m.group(0) if MARK in m.group("value") else head_only(m), text)
    text = _USER_DASH_P.sub(head_only, text)
    text = _settings(_ASSIGNMENT, text, setting, n)
    text = _settings(_CONFIG_LINE, text, setting, n)
    text = _settings(_OPTION, text, setting, n)
    return text, n.count
