"""What `ssh admin@node COMMAND` may run: the node's own tools, through sudo, never on another
root; everything else refused with the list and exit 126, before anything runs."""

from __future__ import annotations

import pytest

from ovirt_node.cli.admin_command import CANNOT_RUN, RefusedCommand, main, sudo_argv


@pytest.mark.parametrize(("command", "argv"), [
    ("ovirt-node-config get ssh.port", ["sudo", "-n", "/usr/local/bin/ovirt-node-config", "get", "ssh.port"]),
    ("/usr/local/bin/persist /etc/motd", ["sudo", "-n", "/usr/local/bin/persist", "/etc/motd"]),
    ("ovirt-node-config set 'ssh.authorized_keys=ssh-ed25519 AAAA x'",
     ["sudo", "-n", "/usr/local/bin/ovirt-node-config", "set", "ssh.authorized_keys=ssh-ed25519 AAAA x"]),
    ("ovirt-node-config support-bundle --output -",
     ["sudo", "-n", "/usr/local/bin/ovirt-node-config", "support-bundle", "--output", "-"]),
    ("ovirt-node-upgrade --iso /dev/sr0", ["sudo", "-n", "/usr/local/bin/ovirt-node-upgrade", "--iso", "/dev/sr0"]),
    ("unpersist '/etc/a b'", ["sudo", "-n", "/usr/local/bin/unpersist", "/etc/a b"]),
])
def test_the_tools_run_through_sudo(command: str, argv: list[str]) -> None:
    assert sudo_argv(command) == argv


@pytest.mark.parametrize(("command", "reason"), [
    ("", "no command given"),
    ("cat /etc/shadow", "'cat' is not one of the commands admin runs over SSH"),
    ("/tmp/ovirt-node-config show", "'/tmp/ovirt-node-config' is not one of the commands"),
    ("sh -c 'ovirt-node-config show'", "'sh' is not one of the commands"),
    ("ovirt-node-config --root /tmp/x set ssh.port=2", "--root is not allowed over SSH"),
    ("ovirt-node-config --root=/tmp/x show", "--root is not allowed over SSH"),
    ("ovirt-node-config --bus unix:path=/x show", "--bus is not allowed over SSH"),
    ("ovirt-node-config 'unclosed", "cannot read the command (No closing quotation)"),
])
def test_anything_else_is_refused(command: str, reason: str) -> None:
    with pytest.raises(RefusedCommand, match="^" + reason.replace("(", r"\(").replace(")", r"\)")):
        sudo_argv(command)


def test_a_refusal_is_said_and_runs_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rm -rf /"]) == CANNOT_RUN
    err = capsys.readouterr().err
    assert err.startswith("ovirt-admin-shell: 'rm' is not one of the commands admin runs over SSH: ")
    assert "ovirt-node-config, persist, unpersist, ovirt-node-upgrade" in err
