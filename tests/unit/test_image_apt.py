"""image/apt.py's bookkeeping around apt on a root where apt cannot run (an empty tree: the real
`unshare`, `mount` and `chroot` run and fail): the failure is a CommandError naming the step,
logged through the runner, and the root is left as it was: its own resolv.conf link, no
policy-rc.d, no package lists. (The install itself, on the node image: tests/vm/test_image_add_plugin.py.)"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from ovirt_node.core.run import CommandError, Runner
from ovirt_node.image import apt

pytestmark = pytest.mark.root


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    for folder in ("dev", "proc", "etc", "usr/sbin", "var/lib/apt/lists/partial"):
        (root / folder).mkdir(parents=True)
    (root / "var/lib/apt/lists/lock").write_text("")
    (root / "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease").write_text("stale\n")
    (root / "var/lib/apt/lists/partial/half").write_text("x")
    os.symlink("../run/systemd/resolve/stub-resolv.conf", root / "etc/resolv.conf")
    return root


def test_a_failed_install_leaves_the_root_as_it_was(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ovirt_node.core.run")
    with pytest.raises(CommandError) as err:
        apt.install(root, ["snmpd"], Runner())
    assert err.value.argv[:4] == ["unshare", "--mount", "--propagation", "private"]
    message = str(err.value)  # the step's own last line: the root has no apt-get
    assert message.startswith("unshare exited with 127: chroot: failed to run command") and "apt-get" in message
    assert any(r.getMessage().startswith("run: unshare --mount") and "snmpd" in r.getMessage() for r in caplog.records)
    assert os.readlink(root / "etc/resolv.conf") == "../run/systemd/resolve/stub-resolv.conf"
    assert not (root / "etc/.resolv.conf.ovirt-node-edit").exists()
    assert not (root / apt.POLICY_RC).exists()
    lists = root / apt.LISTS
    assert sorted(p.relative_to(lists).as_posix() for p in lists.rglob("*")) == ["lock", "partial"]
    # Nothing stayed mounted on the host: the mounts were made in the private namespace.
    assert str(root) not in Path("/proc/self/mountinfo").read_text()


def test_no_packages_runs_nothing(root: Path) -> None:
    runner = Runner()
    apt.install(root, [], runner)
    assert runner.calls == []


def test_a_leftover_policy_rc_d_is_refused_and_kept(root: Path) -> None:
    (root / apt.POLICY_RC).write_text("#!/bin/sh\nexit 0\n")
    runner = Runner()
    with pytest.raises(apt.AptError, match="the image has its own /usr/sbin/policy-rc.d: packages are not installed"):
        apt.install(root, ["snmpd"], runner)
    assert runner.calls == [] and (root / apt.POLICY_RC).read_text() == "#!/bin/sh\nexit 0\n"
