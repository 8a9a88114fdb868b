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
