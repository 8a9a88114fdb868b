"""The JSON Schema (draft 2020-12) of the answers file `ovirt-node-config export` writes and
`apply` takes, generated from the sections' keys (the plugins' included): one object per
area, one property per key (the rest of its dotted name), typed as export types it (BOOL keys
true/false, INT keys numbers, TEXT keys strings), with the rule the validator knows (enum,
pattern, minimum/maximum, lengths), the key's help as description, its built-in default,
and `x-kernel-argument` (the 3.x kernel arguments that set it), `x-secret`, `x-rule` (the
rule as the error messages word it) and `x-ovirt-name` (its /etc/default/ovirt name).

`apply` is more lenient than the schema: it also takes "yes"/"no" and numbers as strings, and
flat dotted names at the top; the schema describes the canonical, typed form.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ovirt_node.core import valid as V
from ovirt_node.core.model import Key, Kind, Section

DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: Formats JSON Schema names (annotations unless a validator is told to assert them).
FORMATS: dict[type, str] = {V.IPv4Address: "ipv4", V.IPv6Address: "ipv6", V.Hostname: "hostname",
                            V.FQDN: "hostname", V.URL: "uri"}
#: Values a kernel-argument handler is probed with to learn which keys it sets.
PROBES = (None, "1", "0", "yes", "example", "192.0.2.1", "a:b")


def rule(validator: V.Validator, kind: Kind) -> dict[str, Any]:
    """The JSON Schema of one validator, for values of `kind`."""
    if isinstance(validator, V.AnyOf):
        return {"anyOf": [rule(member, kind) for member in validator.validators]}
    if isinstance(validator, V.AllOf):
        return {"allOf": [rule(member, kind) for member in validator.validators]}
    if isinstance(validator, V.EmptyOr):
        return {"anyOf": [{"const": ""}, rule(validator.rule, kind)]}
    if isinstance(validator, V.Empty):
        return {"const": ""}
    if isinstance(validator, V.Boolean) or kind is Kind.BOOL:
        return {"type": "boolean"}
    if isinstance(validator, V.OneOf):
        numbers = kind is Kind.INT and all(c.lstrip("-").isdigit() for c in validator.choices)
        return {"enum": [int(c) if numbers else c for c in validator.choices]}
    if isinstance(validator, V.Number):
        if kind is not Kind.INT:
            return {"type": "string", "pattern": "^-?[0-9]+$"}
        bounds = {"minimum": validator.min, "maximum": validator.max}
        return {"type": "integer", **{k: v for k, v in bounds.items() if v is not None}}
    if kind is Kind.INT:
        return {"type": "integer"}
    out: dict[str, Any] = {"type": "string"}
    if isinstance(validator, V.Text):
        out["minLength"] = validator.min_length
        if validator.max_length is not None:
            out["maxLength"] = validator.max_length
    elif isinstance(validator, V.Regex):
        pattern = validator.pattern if isinstance(validator.pattern, str) else validator.pattern.pattern
        out["pattern"] = f"^(?:{pattern})$"
    elif type(validator) in FORMATS:
        out["format"] = FORMATS[type(validator)]
    return out


def typed_default(key: Key) -> Any:
    if key.kind is Kind.BOOL:
        return V.parse_bool(key.default) if key.default else False
    if key.kind is Kind.INT and key.default.strip():
        return int(key.default)
    return key.default


def kernel_arguments(sections: Iterable[Section]) -> dict[str, list[str]]:
    """Key name -> the kernel arguments that set it. A handler says which keys it sets only
    when called: it is probed with a few values, and one it refuses still names its keys (in
    InvalidChanges); a probe it cannot take at all (a malformed switch) is skipped."""
    from ovirt_node.core.engine import InvalidChanges

    found: dict[str, list[str]] = {}
    for section in sections:
        for name in section.kernel_args():
            handler = section.kernel_args()[name]  # fresh: a handler may remember earlier calls (rootpw=)
            keys = set(getattr(handler, "implies", {}))
            for probe in PROBES:
                try:
                    keys.update(handler(probe))
                except InvalidChanges as exc:
                    keys.update(exc.errors)
                except Exception:  # noqa: BLE001 - a probe value the handler cannot parse tells nothing
                    continue
            for key in sorted(keys):
                found.setdefault(key, []).append(name)
    return found


def key_schema(key: Key, kernel_args: list[str]) -> dict[str, Any]:
    out = {**rule(key.validator, key.kind), "description": key.help, "default": typed_default(key),
           "x-rule": key.validator.description, "x-secret": key.secret}
    if key.secret:
        out["writeOnly"] = True
    if key.ovirt:
        out["x-ovirt-name"] = key.ovirt
    if kernel_args:
        out["x-kernel-argument"] = sorted(kernel_args)
    return out


def schema(sections: Iterable[Section]) -> dict[str, Any]:
    sections = list(sections)
    kargs = kernel_arguments(sections)
    areas: dict[str, Any] = {}
    for section in sections:
        areas[section.name] = {
            "type": "object", "title": section.title, "additionalProperties": False,
            "properties": {key.name.split(".", 1)[1]: key_schema(key, kargs.get(key.name, []))
                           for key in section.keys},
        }
    return {"$schema": DIALECT, "$id": "urn:ovirt-node:answers", "title": "oVirt Node settings (answers file)",
            "description": "What `ovirt-node-config export` writes and `apply` takes.",
            "type": "object", "additionalProperties": False, "properties": areas}
