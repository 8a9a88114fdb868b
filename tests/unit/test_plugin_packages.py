"""The Debian packages a plugin declares (entry point group `ovirt_node.debian`): read from real
wheels of the add-ons (built here with `pip wheel --no-deps`) and from an installed copy,
checked against a root's dpkg database; a bad name or a file that is no wheel is refused
with a clear message by the reader and by `ovirt-node-image`, and nothing is built."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ovirt_node.api import Root, debian_packages, missing_packages
from ovirt_node.cli import image as image_cli
from ovirt_node.core.plugin_packages import PackageError, valid_name, wheel_packages
from ovirt_node.image.recipe import base_key, image_key, load, recipe_dir, with_plugins

REPO = Path(__file__).resolve().parents[2]
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]


def build_wheels(sources: list[Path], out: Path) -> None:
    subprocess.run([*PIP, "wheel", "--no-deps", "-w", str(out), *map(str, sources)], check=True,
                   capture_output=True, timeout=600)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A wheel of each add-on, and of a copy of the SNMP add-on declaring a bad package name."""
    home = tmp_path_factory.mktemp("plugin-wheels")
    bad = home / "bad-src"
    shutil.copytree(REPO / "plugins/ovirt-node-plugin-snmp", bad, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    project = bad / "pyproject.toml"
    text = project.read_text().replace('name = "ovirt-node-plugin-snmp"', 'name = "ovirt-node-plugin-bad"')
    project.write_text(text.replace('snmpd = "ovirt_node_snmp"', 'Net_SNMP = "ovirt_node_snmp"'))
    names = ("snmp", "puppet", "cim")
    build_wheels([*(REPO / f"plugins/ovirt-node-plugin-{n}" for n in names), bad], home / "dist")
    found = {n: next((home / "dist").glob(f"ovirt_node_plugin_{n}-*.whl")) for n in (*names, "bad")}
    return found


def test_each_add_on_wheel_declares_its_daemons_package(wheels: dict[str, Path]) -> None:
    assert wheel_packages(wheels["snmp"]) == ("snmpd",)
    assert wheel_packages(wheels["puppet"]) == ("puppet-agent",)
    assert wheel_packages(wheels["cim"]) == ()  # Debian has no CIM server to install


def test_a_bad_package_name_is_refused_naming_the_wheel(wheels: dict[str, Path]) -> None:
    with pytest.raises(PackageError) as err:
        wheel_packages(wheels["bad"])
    assert str(err.value) == (
        f"{wheels['bad']}: 'Net_SNMP' in [ovirt_node.debian] is not a Debian package name (lower-case letters, "
        "digits, '+', '-' and '.', at least two characters, starting with a letter or a digit)")


@pytest.mark.parametrize("name", ["snmpd", "puppet-agent", "libstdc++6", "python3.11", "g++"])
def test_debian_names_are_accepted(name: str) -> None:
    assert valid_name(name)


@pytest.mark.parametrize("name", ["", "a", "Snmpd", "-snmpd", "+x", "snmp d", "snmpd;rm", "snmpd=1.0", "pkg_name",
                                  "../etc"])
def test_what_is_not_a_debian_name_is_refused(name: str) -> None:
    assert not valid_name(name)


def test_what_is_not_a_wheel_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "plugin.whl"
    text.write_text("not a zip\n")
    with pytest.raises(PackageError, match=r"plugin\.whl: cannot read the wheel: File is not a zip file"):
        wheel_packages(text)
    empty = tmp_path / "empty.whl"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("README", "x")
    with pytest.raises(PackageError, match=r"empty\.whl: not a wheel \(no \.dist-info folder in it\)"):
        wheel_packages(empty)
    with pytest.raises(PackageError, match=r"missing\.whl: not a wheel file"):
        wheel_packages(tmp_path / "missing.whl")


def test_the_plugins_packages_join_the_root_and_the_wheels_the_image_key(wheels: dict[str, Path]) -> None:
    recipe = load(recipe_dir())
    with_snmp = with_plugins(recipe, [wheels["snmp"], wheels["puppet"], wheels["cim"]])
    assert with_snmp.packages == (*recipe.packages, "snmpd", "puppet-agent")
    assert base_key(with_snmp) != base_key(recipe)  # a root of its own, made by mmdebstrap with them
    assert with_plugins(recipe, [wheels["cim"]]) == recipe
    plain = image_key(recipe, "src")
    assert image_key(recipe, "src", []) == plain  # an image without plugins keeps its key
    assert image_key(recipe, "src", [wheels["cim"]]) != plain  # a wheel's content is part of the key
    assert image_key(recipe, "src", [wheels["cim"]]) == image_key(recipe, "src", [wheels["cim"]])  # a cache hit
    assert image_key(recipe, "src", [wheels["cim"]]) != image_key(recipe, "src", [wheels["puppet"]])


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("OVIRT_NODE_IMAGE_CACHE", str(tmp_path / "cache"))
    yield tmp_path / "cache"


def test_build_with_a_bad_plugin_exits_2_and_builds_nothing(wheels: dict[str, Path], cache: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert image_cli.main(["build", "--plugin", str(wheels["snmp"]), "--plugin", str(wheels["bad"])]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ovirt-node-image: {wheels['bad']}: 'Net_SNMP' in [ovirt_node.debian] is not a Debian")
    assert not cache.exists()


def test_edit_with_a_bad_plugin_exits_2_before_reading_the_image(wheels: dict[str, Path], tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # The image does not exist either: the wheels are checked first, so that is not what is said.
    assert image_cli.main(["edit", str(tmp_path / "no-image"), "--add-plugin", str(wheels["snmp"]),
                           "--add-plugin", str(wheels["bad"]), "--out", str(tmp_path / "new")]) == 2
    assert "'Net_SNMP' in [ovirt_node.debian] is not a Debian package name" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_an_installed_plugin_reads_its_declaration_and_what_the_node_lacks(
        wheels: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    subprocess.run([*PIP, "install", "--no-deps", "--target", str(site), str(wheels["snmp"]), str(wheels["puppet"])],
                   check=True, capture_output=True, timeout=300)
    monkeypatch.syspath_prepend(str(site))
    assert debian_packages("ovirt_node_snmp") == ("snmpd",)
    assert debian_packages("ovirt_node_puppet") == ("puppet-agent",)
    assert debian_packages("ovirt_node_cim") == ()  # not installed here, and it declares none

    root = tmp_path / "root"
    status = root / "var/lib/dpkg/status"
    assert missing_packages(Root.at(root), ["snmpd"]) == ["snmpd"]  # no dpkg database: nothing is installed
    status.parent.mkdir(parents=True)
    status.write_text("Package: snmpd\nStatus: install ok installed\nVersion: 5.9\n\n"
                      "Package: puppet-agent\nStatus: deinstall ok config-files\n"
                      "Description: removed, its config kept\n a continuation line: with a colon\n")
    assert missing_packages(Root.at(root), ["puppet-agent", "snmpd", "tuned"]) == ["puppet-agent", "tuned"]
