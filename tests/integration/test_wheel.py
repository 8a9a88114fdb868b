"""The wheel works once installed: built from this tree, installed into a fresh venv, every
console script answers --version and `ovirt-node-config show` prints a node's settings, with
the data (platform maps, machine profiles, demo root, image recipe) read from the package.

The fresh venv has no pip and no system site-packages; the wheel goes in with --no-deps and
the dependencies (dbus-python and friends, slow to compile) are borrowed from the project's
venv through a .pth line, which puts that directory on sys.path without running its .pth
files, so the checkout's editable ovirt_node stays out: the package comes from the wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tomllib
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ovirt_node import __version__
from tests.node_fixtures import REPO

pytestmark = pytest.mark.wheel

SCRIPTS = sorted(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"])


@dataclass(frozen=True)
class Installed:
    wheel: Path
    bin: Path
    home: Path

    def run(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        # Nothing from the checkout or the test run leaks in: no PYTHONPATH, no data override,
        # and the working directory is not the repo (whose ovirt_node/ would shadow the wheel's).
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "OVIRT_NODE_DATA", "VIRTUAL_ENV")}
        return subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, cwd=self.home, env=env)

    def python(self, code: str) -> str:
        result = self.run(str(self.bin / "python"), "-c", code)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    home = tmp_path_factory.mktemp("wheel")
    dist = home / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(dist), str(REPO)], check=True, capture_output=True,
                   timeout=300)
    (wheel,) = dist.glob("ovirt_node-*.whl")
    env = home / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(env)
    subprocess.run([*pip, "--python", str(env / "bin/python"), "install", "--no-deps", str(wheel)], check=True,
                   capture_output=True, timeout=300)
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = Path(subprocess.run([str(env / "bin/python"), "-c", where], capture_output=True, text=True,
                               check=True).stdout.strip())
    (site / "project-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    yield Installed(wheel, env / "bin", home)


def test_the_package_comes_from_the_wheel_with_its_data(installed: Installed) -> None:
    where = installed.python("import ovirt_node; print(ovirt_node.__file__)")
    assert Path(where).is_relative_to(installed.home / "venv"), where
    names = installed.python(
        "from ovirt_node.system.machine.profile import profile_names; print(' '.join(profile_names()))")
    assert {"demo", "hazards"} <= set(names.split())
    recipe = installed.python("from ovirt_node.image.recipe import load, recipe_dir; print(load(recipe_dir()).label)")
    assert recipe
    # The admin's login shell in the recipe keeps its executable bit through the wheel.
    shell = installed.python("from ovirt_node.image.recipe import recipe_dir; import os; "
                             "print(os.access(recipe_dir() / 'files/usr/local/bin/ovirt-admin-shell', os.X_OK))")
    assert shell == "True"


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_installed_console_script_tells_its_version(installed: Installed, script: str) -> None:
    result = installed.run(str(installed.bin / script), "--version")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"{script} {__version__}\n"


def test_config_show_prints_the_settings_of_a_copy_of_the_shipped_demo_root(installed: Installed) -> None:
    root = installed.home / "node"
    installed.python(f"from pathlib import Path; from ovirt_node.core.resources import copy_demo_root; "
                     f"copy_demo_root(Path({str(root)!r}))")
    result = installed.run(str(installed.bin / "ovirt-node-config"), "--root", str(root), "show")
    assert result.returncode == 0, result.stderr
    shown = [line.split()[:2] for line in result.stdout.splitlines()]
    assert ["ssh.port", "'22'"] in shown and ["kdump.mode", "'local'"] in shown, result.stdout
    # The demo root's boot link (made by copy_demo_root: a wheel carries no symlinks) is there.
    assert (root / "etc/systemd/system/basic.target.wants/kdump-tools.service").is_symlink()
