"""The ovirt.node collection built and installed as a user would (ansible-galaxy), and
ansible-playbook run against it; shared by the host tests and the VM test."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "ansible" / "ovirt_node"
BIN = Path(sys.executable).parent
FLEET = "ovirt.node.fleet"
#: The minimal callback's line per task result: `host | STATUS => {json}`.
RESULT = re.compile(r"^(\S+) \| (SUCCESS|CHANGED|FAILED!|SKIPPED|UNREACHABLE!) => ", re.M)


def install(workdir: Path) -> Path:
    """Build the collection's tarball and install it into a collections path of its own."""
    built = subprocess.run([BIN / "ansible-galaxy", "collection", "build", SOURCE, "--output-path", workdir],
                           capture_output=True, text=True, check=True)
    tarball = next(workdir.glob("ovirt-node-*.tar.gz"))
    assert str(tarball) in built.stdout
    path = workdir / "collections"
    subprocess.run([BIN / "ansible-galaxy", "collection", "install", tarball, "-p", path],
                   capture_output=True, text=True, check=True)
    return path


@dataclass
class PlayRun:
    rc: int
    output: str
    results: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many task results had this status (CHANGED, SUCCESS, FAILED!)."""
        return sum(1 for found, _ in self.results if found == status)


def parse_results(output: str) -> list[tuple[str, dict[str, Any]]]:
    decoder = json.JSONDecoder()
    found = []
    for match in RESULT.finditer(output):
        data, _ = decoder.raw_decode(output, match.end())
        found.append((match.group(2), data))
    return found


def env(collections: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "ANSIBLE_COLLECTIONS_PATH": str(collections),
        "ANSIBLE_STDOUT_CALLBACK": "minimal",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_HOST_KEY_CHECKING": "false",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "PYTHONWARNINGS": "ignore",
        **(extra or {}),
    }


def playbook(collections: Path, workdir: Path, play: str | list[dict[str, Any]], inventory: str,
             options: list[str] | None = None, extra_env: dict[str, str] | None = None,
             timeout: float = 300) -> PlayRun:
    """Run ansible-playbook: `play` is a playbook name (ovirt.node.fleet) or a list of plays."""
    if isinstance(play, str):
        target = play
    else:
        path = workdir / "play.yml"
        path.write_text(yaml.safe_dump(play, sort_keys=False))
        target = str(path)
    inv = workdir / "inventory.ini"
    inv.write_text(inventory)
    proc = subprocess.run([BIN / "ansible-playbook", "-i", inv, target, *(options or [])], capture_output=True,
                          text=True, cwd=workdir, env=env(collections, extra_env), timeout=timeout)
    output = proc.stdout + proc.stderr
    return PlayRun(proc.returncode, output, parse_results(proc.stdout))
