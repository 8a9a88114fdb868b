"""Fixtures of the VM suite (`make vm-test`): the images, a work directory per test, the
artifacts (console logs, qemu's argv and log, the node's install log) under build/vm-artifacts,
and the installed and configured disks the later scenarios start from (made once per run, also
when pytest-xdist runs the suite in two processes: tests/vm/shared.py)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.vm.configure import check_configured, configure_through_the_tui
from tests.vm.flows import HOSTNAME, Installed, MediaRun, boot_disk, root_shell, run_media
from tests.vm.node import NodeImage, admin_hash, artifacts_dir, build_image
from tests.vm.qemu import Disk, create_disk, overlay
from tests.vm.shared import once, shared_dir


@pytest.fixture(scope="session")
def image() -> NodeImage:
    return build_image()


@pytest.fixture(scope="session")
def newer_image(image: NodeImage) -> NodeImage:
    """The same image one minor version up: what upgrades go to."""
    major, _, rest = image.version.partition(".")
    minor = rest.split(".", 1)[0] or "0"
    return build_image(version=f"{major}.{int(minor) + 1}.0")


@pytest.fixture(scope="session")
def vm_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("vm")


@pytest.fixture(scope="session")
def vm_shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_dir(tmp_path_factory)


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Iterator[Path]:
    path = fresh_artifacts(request.node.nodeid.split("tests/vm/", 1)[-1])
    start = time.monotonic()
    yield path
    (path / "duration").write_text(f"{time.monotonic() - start:.1f} s\n")


def fresh_artifacts(name: str) -> Path:
    path = artifacts_dir(name)
    for old in path.iterdir():  # a rerun's logs replace the last run's
        if old.is_file():
            old.unlink()
        else:
            shutil.rmtree(old)
    return path


@pytest.fixture(scope="session")
def installed(image: NodeImage, vm_shared: Path) -> Installed:
    """Scenario 1's install: a blank disk, the media booted with the auto-install arguments."""
    def install() -> dict[str, object]:
        artifacts = fresh_artifacts("install")
        disk = create_disk(vm_shared / "installed.qcow2", "24G")
        args = ["storage_init", "BOOTIF=link", f"adminpw={admin_hash()}", "ssh_pwauth=1", f"hostname={HOSTNAME}"]
        run = run_media(image, [Disk(disk, "disk0")], args, vm_shared, artifacts, name="autoinstall")
        (artifacts / "duration").write_text(f"{run.seconds:.1f} s\n")
        return {"disk": str(disk), "finished": run.finished, "seconds": run.seconds, "console": run.console}

    done = once(vm_shared, "installed", install)
    assert "done" in done["finished"], f"the auto-install did not finish:\n{done['console']}"
    return Installed(Path(done["disk"]), MediaRun(done["finished"], done["seconds"], done["console"]))


@pytest.fixture(scope="session")
def configured(installed: Installed, vm_shared: Path) -> Path:
    """Scenario 3's configuration made through the setup TUI on an overlay of the installed
    disk, and checked live before the node is powered off; the disk."""
    def configure() -> dict[str, object]:
        artifacts = fresh_artifacts("configure")
        start = time.monotonic()
        disk = overlay(installed.disk, vm_shared / "configured.qcow2")
        with boot_disk([Disk(disk, "disk0")], vm_shared, artifacts, "configure") as vm:
            shell = root_shell(vm)
            configure_through_the_tui(vm, shell)
            check_configured(shell)
            vm.powerdown()
        (artifacts / "duration").write_text(f"{time.monotonic() - start:.1f} s\n")
        return {"disk": str(disk)}

    return Path(once(vm_shared, "configured", configure)["disk"])


#: Minutes each file took in a whole `make vm-test` (2026-12-07, two workers, other runs beside
#: it; the shared install and configuration counted in the first file that needs them), for the
#: order below; a file not listed counts as short.
MINUTES = {
    "test_trial_boot.py": 30, "test_iscsi_root.py": 21, "test_ansible.py": 18, "test_configure_upgrade.py": 17,
    "test_install_boot.py": 16, "test_installer_tui.py": 13, "test_reset_network.py": 12,
    "test_reinstall_uninstall.py": 10, "test_kdump.py": 9, "test_secure_boot.py": 9, "test_live_pages.py": 8,
    "test_pxe.py": 7, "test_image_add_plugin.py": 4,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first, the shortest last: each worker is handed its next file while it
    still runs one, so the file handed out last should be short, or one worker runs it alone
    at the end while the other idles (`make vm-test` keeps this order: pytest-xdist's
    --no-loadscope-reorder, files whole to a worker). The two longest need different disks
    (the shared install; a blank LUN), so neither worker waits for the other's install."""
    def order(item: pytest.Item) -> tuple[int, bool]:
        return -MINUTES.get(item.path.name, 1), "installed" in getattr(item, "fixturenames", ())

    items.sort(key=order)
