"""Fixtures of the VM suite (`make vm-test`): the images, a work directory per test, and the
artifacts (console logs, qemu's argv and log, the node's install log) under build/vm-artifacts."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.vm.flows import HOSTNAME, Installed, run_media
from tests.vm.node import NodeImage, admin_hash, artifacts_dir, build_image
from tests.vm.qemu import Disk, create_disk


@pytest.fixture(scope="session")
def image() -> NodeImage:
    return build_image()


@pytest.fixture(scope="session")
def vm_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("vm")


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Iterator[Path]:
    path = artifacts_dir(request.node.nodeid.split("tests/vm/", 1)[-1])
    for old in path.iterdir():  # a rerun's logs replace the last run's
        if old.is_file():
            old.unlink()
        else:
            shutil.rmtree(old)
    start = time.monotonic()
    yield path
    (path / "duration").write_text(f"{time.monotonic() - start:.1f} s\n")


@pytest.fixture(scope="session")
def installed(image: NodeImage, vm_workdir: Path) -> Installed:
    """Scenario 1's install: a blank disk, the media booted with the auto-install arguments."""
    artifacts = artifacts_dir("install")
    disk = create_disk(vm_workdir / "installed.qcow2", "24G")
    args = ["storage_init", "BOOTIF=link", f"adminpw={admin_hash()}", "ssh_pwauth=1", f"hostname={HOSTNAME}"]
    run = run_media(image, [Disk(disk, "disk0")], args, vm_workdir, artifacts, name="autoinstall")
    (artifacts / "duration").write_text(f"{run.seconds:.1f} s\n")
    assert "done" in run.finished, f"the auto-install did not finish:\n{run.console}"
    return Installed(disk, run)
