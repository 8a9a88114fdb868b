"""`ovirt-node-config schema`: every key the node knows (the plugins' too), as JSON Schema with
--json (core.schema), else as a table to read: name, type, rule, kernel arguments."""

from __future__ import annotations

import argparse
import json

from ovirt_node.areas.registry import all_sections
from ovirt_node.cli.config_read import EXIT_OK
from ovirt_node.core.schema import kernel_arguments, schema


def main(args: argparse.Namespace) -> int:
    sections = list(all_sections())
    if args.json:
        print(json.dumps(schema(sections), indent=2))
        return EXIT_OK
    kargs = kernel_arguments(sections)
    for section in sections:
        for key in section.keys:
            where = f"  [kernel: {', '.join(kargs[key.name])}]" if key.name in kargs else ""
            secret = "  (secret)" if key.secret else ""
            print(f"{key.name}  {key.kind.value}: {key.validator.description}{where}{secret}")
    return EXIT_OK
