"""The image recipe: loading and its errors, the cache keys (what changes them and what does
not), version stamping read back by the installer, and the pieces of the build that are pure
(mmdebstrap's command, the initramfs' module and library lists, the /init script's syntax)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest

from ovirt_node.cli import image as image_cli
from ovirt_node.core.run import CommandError, Runner
from ovirt_node.image import build, initramfs
from ovirt_node.image.recipe import (
    RecipeError,
    base_key,
    image_key,
    load,
    recipe_dir,
    source_digest,
    stamped,
    tree_digest,
    version_text,
)
from ovirt_node.installer.image import ImageVersion, parse_version

PROJECT = Path(__file__).resolve().parents[2]
RECIPE = recipe_dir()


@pytest.fixture
def recipe_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "image"
    shutil.copytree(RECIPE, copy)
    return copy


def test_the_shipped_recipe_loads_with_the_packages_the_node_needs() -> None:
    recipe = load(RECIPE)
    for needed in ("systemd", "libpam-systemd", "lvm2", "network-manager", "linux-image-amd64", "busybox-static",
                   "grub-pc-bin", "grub-efi-amd64-bin", "openssh-server", "chrony", "rsyslog", "python3"):
        assert needed in recipe.packages
    assert recipe.version.name == "oVirt Node" and recipe.label
    assert (recipe.initramfs / "init").is_file()


def test_mirror_override_rewrites_every_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVIRT_NODE_MIRROR", "http://mirror.example.com/")
    recipe = load(RECIPE)
    assert all(line.startswith("deb http://mirror.example.com/debian") for line in recipe.sources)
    assert base_key(recipe) != base_key(load(RECIPE, mirror="http://deb.debian.org"))


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace("[product]", "[produce]"), "missing [product]"),
    (lambda t: t.replace('suite = "bookworm"', "suite = 12"), "suite must be a non-empty string"),
    (lambda t: t.replace('"systemd", ', '"", '), "packages must be a list of non-empty strings"),
    (lambda t: t + "[[broken", "recipe.toml"),
])
def test_bad_recipes_are_refused_naming_the_field(recipe_dir: Path, edit: object, message: str) -> None:
    path = recipe_dir / "recipe.toml"
    path.write_text(edit(path.read_text()))  # type: ignore[operator]
    with pytest.raises(RecipeError, match=re.escape(message)):
        load(recipe_dir)


def test_base_key_changes_with_what_mmdebstrap_gets_and_only_that(recipe_dir: Path) -> None:
    recipe = load(recipe_dir)
    key = base_key(recipe)
    assert key == base_key(load(recipe_dir))  # stable
    assert base_key(replace(recipe, packages=tuple(reversed(recipe.packages)))) == key  # order is no change
    assert base_key(replace(recipe, packages=(*recipe.packages, "vim"))) != key
    assert base_key(replace(recipe, suite="trixie")) != key
    assert base_key(replace(recipe, path_exclude=())) != key
    # The version, the label and the node's own files do not rebuild the Debian root.
    assert base_key(stamped(recipe, "9.9")) == key
    assert base_key(replace(recipe, label="OTHER", modules=())) == key


def test_image_key_changes_with_source_files_version_and_modules(recipe_dir: Path) -> None:
    recipe = load(recipe_dir)
    key = image_key(recipe, "src")
    assert key == image_key(load(recipe_dir), "src")
    assert image_key(recipe, "other-src") != key
    assert image_key(stamped(recipe, "4.0.1"), "src") != key
    assert image_key(stamped(recipe, release="2"), "src") != key
    assert image_key(replace(recipe, modules=recipe.modules[:-1]), "src") != key
    (recipe_dir / "files" / "etc" / "extra").write_text("x\n")
    assert image_key(recipe, "src") != key
    (recipe_dir / "files" / "etc" / "extra").unlink()
    (recipe_dir / "initramfs" / "init").write_text("#!/bin/sh\n")
    assert image_key(recipe, "src") != key


def test_tree_digest_sees_content_mode_and_names_but_not_caches(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    script = tmp_path / "pkg" / "a.py"
    script.write_text("x = 1\n")
    first = tree_digest([tmp_path / "pkg"], tmp_path)
    (tmp_path / "pkg" / "__pycache__").mkdir()
    (tmp_path / "pkg" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"junk")
    assert tree_digest([tmp_path / "pkg"], tmp_path) == first
    script.chmod(0o755)
    assert tree_digest([tmp_path / "pkg"], tmp_path) != first
    script.chmod(0o644)
    script.write_text("x = 2\n")
    assert tree_digest([tmp_path / "pkg"], tmp_path) != first


def test_source_digest_covers_the_package_and_its_data() -> None:
    paths = {p.relative_to(PROJECT).as_posix() for p in build.project_root().iterdir()}
    assert {"ovirt_node", "pyproject.toml"} <= paths
    assert RECIPE.is_relative_to(PROJECT / "ovirt_node")  # the recipe and the data are in the digest
    assert len(source_digest(PROJECT)) == 64


def test_version_stamping_is_read_back_by_the_installer() -> None:
    recipe = load(RECIPE)
    assert parse_version(version_text(recipe.version)) == recipe.version
    newer = stamped(recipe, "4.0.1", "7")
    assert parse_version(version_text(newer.version)) == ImageVersion("oVirt Node", "4.0.1", "7")
    assert stamped(recipe, "4.1").version.release == recipe.version.release


@pytest.mark.parametrize("bad", ["", "4 1", "4=1", "'4'"])
def test_bad_versions_are_refused(bad: str) -> None:
    with pytest.raises(RecipeError, match="--version"):
        stamped(load(RECIPE), bad)


def test_cli_bad_version_exits_2_and_builds_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OVIRT_NODE_IMAGE_CACHE", str(tmp_path / "cache"))
    assert image_cli.main(["build", "--version", "4 1"]) == 2
    assert "--version" in capsys.readouterr().err
    assert not (tmp_path / "cache").exists()


def test_cli_edit_refuses_what_is_not_a_wheel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "plugin.tar.gz").write_text("x")
    assert image_cli.main(["edit", str(tmp_path), "--add-plugin", str(tmp_path / "plugin.tar.gz"),
                           "--out", str(tmp_path / "new")]) == 2
    assert "not a wheel" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_mmdebstrap_command_carries_the_recipe() -> None:
    recipe = load(RECIPE)
    cmd = build.mmdebstrap_command(recipe, Path("/tmp/root"))
    assert cmd[0] == "mmdebstrap" and "--variant=minbase" in cmd
    assert f"--include={','.join(recipe.packages)}" in cmd
    assert "--dpkgopt=path-exclude=/usr/share/man/*" in cmd
    assert cmd[-len(recipe.sources) - 2:] == [recipe.suite, "/tmp/root", *recipe.sources]


def test_the_roots_initrds_never_look_at_the_build_host(tmp_path: Path) -> None:
    """The setup hook, run by sh as mmdebstrap runs it, leaves initramfs-tools a MODULES=list
    drop-in, so neither its own initrd nor kdump-tools' (which turns "most" into "dep") asks
    the build host for its root device or loaded modules."""
    hook = next(a.split("=", 1)[1] for a in build.mmdebstrap_command(load(RECIPE), tmp_path)
                if a.startswith("--setup-hook="))
    subprocess.run(["sh", "-c", hook, "hook", str(tmp_path)], check=True)
    conf = tmp_path / build.INITRAMFS_CONF.lstrip("/")
    assert conf.read_text() == "MODULES=list\n"


def test_a_cache_hit_costs_nothing(tmp_path: Path) -> None:
    recipe = load(RECIPE)
    key = image_key(recipe, source_digest(PROJECT))
    done = tmp_path / "images" / key
    done.mkdir(parents=True)
    (done / "SHA256SUMS").write_text("")

    def no_commands(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a cache hit ran a command")

    builder = build.Builder(recipe, PROJECT, tmp_path, no_commands, report=lambda _m: None)  # type: ignore[arg-type]
    assert builder.build() == done


def test_export_links_the_files(tmp_path: Path) -> None:
    image = tmp_path / "image"
    (image / "LiveOS").mkdir(parents=True)
    (image / "LiveOS" / "squashfs.img").write_text("sq")
    (image / "vmlinuz").write_text("k")
    build.export(image, tmp_path / "out")
    assert (tmp_path / "out" / "LiveOS" / "squashfs.img").read_text() == "sq"
    assert (tmp_path / "out" / "vmlinuz").stat().st_ino == (image / "vmlinuz").stat().st_ino


def test_module_and_library_lists() -> None:
    shown = ("builtin virtio_pci\ninsmod /lib/modules/6.1/kernel/fs/mbcache.ko \n"
             "insmod /lib/modules/6.1/kernel/fs/jbd2/jbd2.ko \ninsmod /lib/modules/6.1/kernel/fs/ext4/ext4.ko \n"
             "insmod /lib/modules/6.1/kernel/fs/mbcache.ko \n")
    assert initramfs.module_paths(shown) == ["/lib/modules/6.1/kernel/fs/mbcache.ko",
                                             "/lib/modules/6.1/kernel/fs/jbd2/jbd2.ko",
                                             "/lib/modules/6.1/kernel/fs/ext4/ext4.ko"]
    ldd = ("\tlinux-vdso.so.1 (0x00007ffd)\n\tlibdevmapper.so.1.02.1 => /lib/x86_64-linux-gnu/libdevmapper.so.1.02.1 "
           "(0x00007f12)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f11)\n"
           "\t/lib64/ld-linux-x86-64.so.2 (0x00007f13)\n")
    assert initramfs.library_paths(ldd) == ["/lib/x86_64-linux-gnu/libdevmapper.so.1.02.1",
                                            "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"]


def test_kernel_version_needs_exactly_one_kernel(tmp_path: Path) -> None:
    (tmp_path / "boot").mkdir()
    with pytest.raises(RuntimeError, match="none"):
        initramfs.kernel_version(tmp_path)
    (tmp_path / "boot" / "vmlinuz-6.1.0-56-amd64").write_text("")
    assert initramfs.kernel_version(tmp_path) == "6.1.0-56-amd64"



def test_prune_keeps_the_newest_recent_ones_and_running_builds(tmp_path: Path) -> None:
    day = 24 * 3600
    for age, name in ((3 * day, "new"), (4 * day, "mid"), (5 * day, "old"), (3600, "fresh"), (6 * day, "oldest")):
        (tmp_path / name).mkdir()
        then = time.time() - age
        os.utime(tmp_path / name, (then, then))
    (tmp_path / ".tmp-image-x").mkdir()
    build.prune(tmp_path, 2)
    # "fresh" is beyond the two newest but only an hour old: a running VM test may use it.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tmp-image-x", "fresh", "new"]


def test_a_long_build_step_is_never_silent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "HEARTBEAT", 0.05)
    lines: list[str] = []
    builder = build.Builder(load(RECIPE), PROJECT, tmp_path, Runner(), report=lines.append)
    with builder.step("squashfs"):
        time.sleep(0.3)
    assert lines[0] == "squashfs ..."
    assert any(line.startswith("squashfs: still running (") for line in lines[1:-1])
    assert re.fullmatch(r"squashfs: 0\.\d s", lines[-1])


def test_mmdebstrap_reports_its_own_progress_and_its_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in mmdebstrap on PATH: its `I:` lines reach the report as they come, and a
    failure says what it printed last."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "mmdebstrap"
    fake.write_text("#!/bin/sh\necho 'I: downloading packages with apt...'\necho 'dpkg noise'\n"
                    "echo 'E: mkinitramfs failed' >&2\nexit 25\n")
    fake.chmod(0o755)
    lines: list[str] = []
    builder = build.Builder(load(RECIPE), PROJECT, tmp_path / "cache", Runner(), report=lines.append)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    with pytest.raises(CommandError) as failed:
        builder.base()
    assert "  I: downloading packages with apt..." in lines and "  E: mkinitramfs failed" in lines
    assert "dpkg noise" not in "\n".join(lines)
    assert failed.value.returncode == 25 and "mkinitramfs failed" in str(failed.value)
    assert not list((tmp_path / "cache" / "rootfs").glob("*/root"))  # nothing looks finished
