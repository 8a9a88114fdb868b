"""Every console script the package installs answers `--version` with the product's version,
the one set in ovirt_node/__init__.py (which the image recipe stamps too)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from ovirt_node import __version__
from ovirt_node.image.recipe import load, recipe_dir

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"])


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_console_script_tells_its_version(script: str) -> None:
    path = Path(sys.executable).parent / script
    result = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{script} {__version__}\n"


def test_the_image_carries_the_packages_version() -> None:
    assert load(recipe_dir()).version.version == __version__
    assert "version =" not in (recipe_dir() / "recipe.toml").read_text()


@pytest.mark.parametrize("columns", ["60", "200"])
def test_help_is_laid_out_for_the_terminal_width(columns: str) -> None:
    """The help wraps at COLUMNS (less argparse's margin of two), as argparse's own formatter did."""
    setup = Path(sys.executable).parent / "ovirt-node-setup"
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": columns}
    result = subprocess.run([str(setup), "--help"], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= int(columns) - 2
    usage_lines = lines[:next(i for i, line in enumerate(lines) if not line.strip())]
    assert len(usage_lines) == (1 if columns == "200" else 5)


def test_parsing_the_arguments_does_not_import_shutil() -> None:
    """argparse, left to find the width, imports shutil and the bz2 and lzma libraries with it
    (0.4 MiB of the setup TUI's memory budget): our formatter is told the width."""
    code = ("import sys; from ovirt_node.cli.setup import build_parser; "
            "build_parser().parse_args(['--root', '/tmp', '--demo']); print('shutil' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout == "False\n", result.stderr


@pytest.mark.parametrize("columns", ["60", "200", "abc", "0", "-5", None])
def test_the_help_width_is_the_one_argparse_finds(columns: str | None) -> None:
    """COLUMNS as a number, as garbage, as zero or less, and unset (no terminal: 80): the same
    width argparse's own formatter finds with shutil."""
    code = ("import argparse; from ovirt_node.cli.common import console_parser; "
            "print(console_parser('x', '')._get_formatter()._width, argparse.HelpFormatter(prog='x')._width)")
    env = {"PATH": "/usr/bin:/bin"} | ({"COLUMNS": columns} if columns is not None else {})
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    ours, argparses = result.stdout.split()
    assert ours == argparses, result.stderr
