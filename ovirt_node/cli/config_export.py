"""`ovirt-node-config export`: the node's settings as an answers file that `apply` takes.

What is exported is what ovirt-node has recorded: every key the settings file
(/etc/default/ovirt) holds, with the value in effect, and the keys that have no place there
(SSH keys) where they are set. Facts of the operating system that no change made (a generated
iSCSI initiator name, the installer's DHCP) are left out, so applying an export onto the same
node is no change, and onto another node does not clone them. Secrets (the admin password)
are left out unless `--with-secrets`: then as the stored crypt(3) hash, which `apply` sets as
it is. TOML by default (tables per area; a dotted rest of a name is quoted), JSON with --json;
both nest the same way, and `apply` reads either.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ovirt_node.areas.registry import all_sections
from ovirt_node.cli.common import root_from
from ovirt_node.cli.config_read import EXIT_FAILED, EXIT_INVALID, EXIT_OK, guarded, recover_if_free
from ovirt_node.core.aug import AugeasError
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.model import Kind
from ovirt_node.core.root import NotARegularFile, SymlinkEscapeError
from ovirt_node.system.accounts import ADMIN_USER, password_state

PASSWORD_KEY = "security.admin_password"
HEADER = ("# The settings of an oVirt Node (ovirt-node-config export).\n"
          "# Apply with: ovirt-node-config apply FILE (--check --diff first shows what would change).\n")


def exported(engine: Engine, with_secrets: bool = False) -> dict[str, str]:
    """The keys to export, by name, as canonical strings, in the sections' order."""
    out: dict[str, str] = {}
    for name, setting in engine.read().items():
        key = setting.key
        if key.secret:
            continue
        recorded = setting.defaults_value is not None if key.ovirt else setting.value != key.default
        if recorded:
            out[name] = setting.value
    if with_secrets and PASSWORD_KEY in engine.keys:
        state = password_state(engine.ctx.root, ADMIN_USER)
        if not state.locked:
            out[PASSWORD_KEY] = state.hash
    return out


def nested(engine: Engine, flat: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """{"ssh.port": "22"} -> {"ssh": {"port": 22}}: typed as the key's kind says (an empty
    number stays an empty string, which `apply` takes as "unset")."""
    tables: dict[str, dict[str, Any]] = {}
    for name, value in flat.items():
        key = engine.keys[name]
        typed: Any = value
        if key.kind is Kind.BOOL:
            typed = value == "yes"
        elif key.kind is Kind.INT and value.strip():
            typed = int(value)
        section, _, rest = name.partition(".")
        tables.setdefault(section, {})[rest] = typed
    return tables


def toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but DEL must be escaped too."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return toml_string(str(value))


def to_toml(tables: Mapping[str, Mapping[str, Any]], left_out: bool) -> str:
    lines = [HEADER.rstrip("\n")]
    if left_out:
        lines.append(f"# Left out: {PASSWORD_KEY} (export --with-secrets adds its hash).")
    for section, values in tables.items():
        lines += ["", f"[{section}]"]
        for rest, value in values.items():
            name = rest if rest.replace("_", "").isalnum() else toml_string(rest)
            lines.append(f"{name} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


def render(engine: Engine, as_json: bool, with_secrets: bool) -> str:
    tables = nested(engine, exported(engine, with_secrets))
    if as_json:
        return json.dumps(tables, indent=2) + "\n"
    return to_toml(tables, left_out=not with_secrets)


def write(text: str, output: str | None) -> None:
    """To stdout (no --output, or -), else to FILE: replaced by rename, a new one mode 0600 (it
    may hold hashes)."""
    if output in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from ovirt_node.core.steps import write_file_atomic

    target = Path(str(output))
    if target.is_dir():
        raise IsADirectoryError(f"--output {output}: is a directory (name a file)")
    if not target.parent.is_dir():  # a mistyped folder is not made
        raise FileNotFoundError(2, "No such file or directory (its folder)")
    write_file_atomic(target, text.encode(), 0o600)


def main(args: argparse.Namespace) -> int:
    ctx = Context(root=root_from(args), bus=args.bus)
    return guarded(lambda: cmd_export(Engine(ctx, all_sections()), args))


def cmd_export(engine: Engine, args: argparse.Namespace) -> int:
    try:
        recover_if_free(engine)
        text = render(engine, args.json, args.with_secrets)
    except (NotARegularFile, SymlinkEscapeError, AugeasError, OSError) as exc:
        print(f"ovirt-node-config: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        write(text, args.output)
    except IsADirectoryError as exc:
        print(f"ovirt-node-config: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        print(f"ovirt-node-config: --output {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK
