"""`ovirt-node-config schema --json`: a valid draft 2020-12 JSON Schema of every key (the add-on
plugins' too, from build/plugins as test_every_key loads them); real exports validate against
it with the `jsonschema` package, bad documents do not; it never refuses a value the key's own
validator takes; and the kernel-argument names are the ones `cmdline` acts on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ovirt_node.areas.registry import all_sections, builtin_sections
from ovirt_node.core.model import Kind
from ovirt_node.core.schema import schema
from tests.integration.test_every_key import TRICKY, plugin_dirs, plugins_on_path
from tests.node_fixtures import REPO, run_config


def cli_schema(with_plugins: bool = False) -> dict[str, Any]:
    env = dict(os.environ)
    if with_plugins:
        env["PYTHONPATH"] = os.pathsep.join(str(p) for p in plugin_dirs())
    done = subprocess.run([sys.executable, "-m", "ovirt_node.cli.config", "schema", "--json"],
                          capture_output=True, text=True, cwd=REPO, env=env, check=True)
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def errors(document: object, against: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(against)
    return sorted(e.message for e in validator.iter_errors(document))


def test_every_key_is_described_plugins_included() -> None:
    described = cli_schema(with_plugins=True)
    jsonschema.Draft202012Validator.check_schema(described)
    with plugins_on_path():
        keys = [key for section in all_sections() for key in section.keys]
    builtin = {key.name for section in builtin_sections() for key in section.keys}
    assert {k.name for k in keys} - builtin, "no plugin keys loaded"
    for key in keys:
        area, rest = key.name.split(".", 1)
        prop = described["properties"][area]["properties"][rest]
        assert prop["description"] == key.help and prop["x-secret"] == key.secret, key.name
    port = described["properties"]["ssh"]["properties"]["port"]
    assert (port["type"], port["minimum"], port["maximum"], port["default"]) == ("integer", 1, 65535, 22)
    assert described["properties"]["logging"]["properties"]["rsyslog.protocol"]["enum"] == ["udp", "tcp"]
    assert described["properties"]["ssh"]["properties"]["authorized_keys"]["x-kernel-argument"] == ["sshkey"]
    admin_hash = described["properties"]["security"]["properties"]["admin_password_hash"]
    assert admin_hash["x-kernel-argument"] == ["adminpw", "rootpw"] and admin_hash["writeOnly"] is True
    assert "pattern" in admin_hash


def test_real_exports_validate_and_bad_documents_do_not(node_root: Path, tmp_path: Path) -> None:
    described = cli_schema()
    run_config("--root", str(node_root), "set", "ssh.port=2222", "logging.rsyslog.server=log.example.com",
               "logging.rsyslog.protocol=tcp", "security.strong_rng=32", "kdump.mode=nfs",
               "kdump.nfs_location=nfs.example.com:/dumps", check=True)
    run_config("--root", str(node_root), "set-password", stdin="Schema-Pass-1\n", check=True)
    exported = run_config("--root", str(node_root), "export", "--with-secrets", check=True).stdout
    document = tomllib.loads(exported)
    assert errors(document, described) == []
    as_json = json.loads(run_config("--root", str(node_root), "export", "--json", check=True).stdout)
    assert errors(as_json, described) == []
    bad = {
        "ssh": {"port": 70000, "pwauth": "maybe"},
        "logging": {"rsyslog.protocol": "udpx"},
        "security": {"strong_rng": 7},
        "nosuch": {"key": 1},
    }
    found = errors(bad, described)
    assert "70000 is greater than the maximum of 65535" in found
    assert "'maybe' is not of type 'boolean'" in found
    assert "'udpx' is not one of ['udp', 'tcp']" in found
    assert any("'nosuch' was unexpected" in e for e in found)
    assert any(e.startswith("7 is not valid under any of the given schemas") for e in found)
    assert errors({"ssh": {"prot": 22}}, described) == ["Additional properties are not allowed ('prot' was unexpected)"]


@pytest.mark.parametrize("with_plugins", [False, True])
def test_the_schema_takes_every_value_the_validators_take(with_plugins: bool) -> None:
    if with_plugins:
        with plugins_on_path():
            sections = list(all_sections())
    else:
        sections = list(builtin_sections())
    described = schema(sections)
    for section in sections:
        for key in section.keys:
            prop = described["properties"][section.name]["properties"][key.name.split(".", 1)[1]]
            check = jsonschema.Draft202012Validator(prop)
            for value in [key.default, *TRICKY]:
                if key.validator.check(value) is not None:
                    continue
                canonical = key.canonical(value)
                typed: object = canonical
                if key.kind is Kind.BOOL:
                    typed = canonical == "yes"
                elif key.kind is Kind.INT and canonical.strip():
                    typed = int(canonical)
                assert check.is_valid(typed), (key.name, value, prop)
