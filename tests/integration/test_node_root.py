"""Each built-in area's keys, set with the real `ovirt-node-config` on the node image's own root,
give files the node's own daemons accept: their checkers run inside that root (chroot), the
programs and versions a booted node has. Each check is also shown to fail on a deliberately
broken file, so a pass means something. The root is an overlay per test (node_root.py): what
the engine wrote is exactly the overlay's upper directory.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from ovirt_node.core.root import Root
from ovirt_node.system.keymaps import list_keymaps
from tests.integration.collectd_log import COMPLAINTS
from tests.integration.node_root import NodeTree

pytestmark = [pytest.mark.root, pytest.mark.node_image]

UNITS = Path(__file__).resolve().parents[2] / "ovirt_node/data/image/files/etc/systemd/system"


def ok(tree: NodeTree, *argv: str, stdin: str | None = None) -> str:
    """Run a program inside the root; it must succeed. Its output (stdout and stderr)."""
    done = tree.run(*argv, stdin=stdin)
    assert done.returncode == 0, f"{argv}: exit {done.returncode}\n{done.stdout}{done.stderr}"
    return done.stdout + done.stderr


def refused(tree: NodeTree, *argv: str) -> str:
    """Run a checker inside the root; it must reject what it is given. Its output."""
    done = tree.run(*argv)
    assert done.returncode != 0, f"{argv} accepted a broken file:\n{done.stdout}{done.stderr}"
    return done.stdout + done.stderr


def set_keys(tree: NodeTree, *changes: str) -> str:
    done = tree.config("set", *changes)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def append(tree: NodeTree, path: str, text: str) -> None:
    file = tree.root / path.lstrip("/")
    file.write_text(file.read_text() + text)


# ------------------------------------------------------------------ SSH and security

def sshd_check(tree: NodeTree) -> subprocess.CompletedProcess[str]:
    """sshd's own test mode, as the image's ssh.service runs sshd: the host keys the first boot
    makes, the privilege separation directory, and SSHD_OPTS from /etc/default/ssh."""
    ok(tree, "ssh-keygen", "-A")
    ok(tree, "mkdir", "-p", "/run/sshd")
    return tree.run("sh", "-c", 'set -a; . /etc/default/ssh; sshd -t $SSHD_OPTS && exec sshd -T $SSHD_OPTS')


def test_ssh_port_and_password_logins_pass_sshd_t(node_tree: NodeTree) -> None:
    set_keys(node_tree, "ssh.port=2222", "ssh.pwauth=yes")
    assert node_tree.written() == {"/etc/default/ovirt", "/etc/ssh/sshd_config"}
    done = sshd_check(node_tree)
    assert done.returncode == 0, done.stderr
    assert {"port 2222", "passwordauthentication yes"} <= set(done.stdout.splitlines())


def test_the_image_turns_password_logins_off_and_sshd_agrees(node_tree: NodeTree) -> None:
    done = sshd_check(node_tree)
    assert done.returncode == 0, done.stderr
    assert {"port 22", "passwordauthentication no"} <= set(done.stdout.splitlines())


def test_sshd_t_rejects_a_broken_sshd_config(node_tree: NodeTree) -> None:
    set_keys(node_tree, "ssh.port=2222")
    append(node_tree, "etc/ssh/sshd_config", "Port not-a-port\n")
    done = sshd_check(node_tree)
    assert done.returncode != 0 and "line 125: Badly formatted port number" in done.stderr, done.stderr


def test_strong_rng_and_aes_ni_reach_sshd_environment(node_tree: NodeTree) -> None:
    set_keys(node_tree, "security.strong_rng=256", "security.disable_aes_ni=yes")
    assert node_tree.written() == {"/etc/default/ovirt", "/etc/default/ssh"}
    done = sshd_check(node_tree)
    assert done.returncode == 0, done.stderr
    env = ok(node_tree, "sh", "-c", "set -a; . /etc/default/ssh; exec env")
    assert "SSH_USE_STRONG_RNG=256" in env.splitlines()
    assert "OPENSSL_ia32cap=~0x200000000000000" in env.splitlines()


def test_the_nodes_libcrypto_reads_the_aes_ni_switch(node_tree: NodeTree) -> None:
    """security.disable_aes_ni works through OPENSSL_ia32cap in sshd's environment: the node's
    OpenSSL reads that variable (ssh.service has EnvironmentFile=-/etc/default/ssh)."""
    ok(node_tree, "grep", "-q", "^EnvironmentFile=-/etc/default/ssh$", "/lib/systemd/system/ssh.service")
    ok(node_tree, "sh", "-c", "grep -q OPENSSL_ia32cap /usr/lib/x86_64-linux-gnu/libcrypto.so.*")


@pytest.mark.xfail(strict=True, reason="Debian's sshd has no SSH_USE_STRONG_RNG (a Fedora/RHEL patch): "
                   "security.strong_rng writes a setting the node's sshd never reads")
def test_the_nodes_sshd_reads_the_strong_rng_setting(node_tree: NodeTree) -> None:
    ok(node_tree, "grep", "-q", "SSH_USE_STRONG_RNG", "/usr/sbin/sshd")


def test_the_admin_password_gives_account_files_pwck_accepts(node_tree: NodeTree) -> None:
    done = node_tree.config("set-password", stdin="Node-root-pw-7\n")
    assert done.returncode == 0, done.stderr
    ok(node_tree, "pwck", "-r", "-q")  # -q: Debian's own system users have no home directories
    ok(node_tree, "grpck", "-r")
    assert ok(node_tree, "passwd", "--status", "admin").split()[1] == "P"  # a usable password
    append(node_tree, "etc/shadow", "ghost:!:19000:0:99999:7:::\n")  # no such user in passwd
    assert "no matching password file entry" in refused(node_tree, "pwck", "-r", "-q")


def test_the_node_sudoers_pass_visudo(node_tree: NodeTree) -> None:
    assert "/etc/sudoers.d/ovirt-node-admin: parsed OK" in ok(node_tree, "visudo", "-c")
    (node_tree.root / "etc/sudoers.d/zz-broken").write_text("admin ALL=(ALL\n")
    (node_tree.root / "etc/sudoers.d/zz-broken").chmod(0o440)
    assert "syntax error" in refused(node_tree, "visudo", "-c")


# ------------------------------------------------------------------ logging

def test_remote_syslog_passes_rsyslogd_n1(node_tree: NodeTree) -> None:
    set_keys(node_tree, "logging.rsyslog.server=log.example.com", "logging.rsyslog.port=1514",
             "logging.rsyslog.protocol=tcp")
    ok(node_tree, "rsyslogd", "-N1")
    assert "@@log.example.com:1514" in (node_tree.root / "etc/rsyslog.d/ovirt-node-remote.conf").read_text()
    append(node_tree, "etc/rsyslog.d/ovirt-node-remote.conf", "*.* @@(\n")
    assert "Option block not terminated in forwarding action" in refused(node_tree, "rsyslogd", "-N1")


def test_log_rotation_passes_logrotate_d(node_tree: NodeTree) -> None:
    set_keys(node_tree, "logging.logrotate.max_size=2048", "logging.logrotate.interval=weekly")
    out = ok(node_tree, "logrotate", "--debug", "/etc/logrotate.conf")
    assert not [line for line in out.splitlines() if line.startswith("error:")], out
    assert re.search(r'rotating pattern: "/var/log/ovirt-node/\*\.log"\s+weekly', out), out
    assert "maxsize 2048k" in (node_tree.root / "etc/logrotate.d/ovirt-node").read_text()
    conf = node_tree.root / "etc/logrotate.d/ovirt-node"
    conf.write_text(conf.read_text().replace("maxsize 2048k", "maxsize 2048q"))
    assert "error: ovirt-node:7 unknown unit 'q'" in refused(node_tree, "logrotate", "--debug", "/etc/logrotate.conf")


def restarted_units(output: str) -> list[str]:
    return re.findall(r"Restart (\S+\.service)", output)


def unit_exists(tree: NodeTree, unit: str) -> bool:
    """Whether systemd on the node has the unit (list-unit-files reads the unit directories offline)."""
    return unit in tree.run("systemctl", "list-unit-files", "--no-legend", unit).stdout


@pytest.mark.parametrize("changes", [
    ["ssh.port=2222", "security.strong_rng=64"],
    ["logging.rsyslog.server=log.example.com", "logging.logrotate.max_size=2048"],
    ["kdump.mode=nfs", "kdump.nfs_location=nfs.example.com:/dumps"],
    ["monitoring.collectd.server=192.0.2.7", "performance.tuned.profile=virtual-host"],
    ["nfsv4.domain=example.org", "iscsi.initiator_name=iqn.2026-01.com.example:node1", "network.ntp=ntp.example.com"],
    ["logging.netconsole.server=192.0.2.9"],
])
def test_every_unit_the_engine_restarts_is_on_the_node(node_tree: NodeTree, changes: list[str]) -> None:
    units = restarted_units(set_keys(node_tree, *changes))
    assert units
    missing = [u for u in units if not unit_exists(node_tree, u)]
    assert not missing, f"the engine restarts units the node does not have: {missing}"


def test_the_unit_check_can_fail(node_tree: NodeTree) -> None:
    assert unit_exists(node_tree, "ssh.service")
    assert not unit_exists(node_tree, "netconsole.service")


# ------------------------------------------------------------------ kdump

@pytest.mark.parametrize(("changes", "shown"), [
    (["kdump.mode=nfs", "kdump.nfs_location=nfs.example.com:/dumps"], r"NFS:\s+nfs.example.com:/dumps"),
    (["kdump.mode=ssh", "kdump.ssh_location=root@dump.example.com"], r"SSH:\s+root@dump.example.com"),
    (["kdump.mode=local", "kdump.local_path=/var/crash"], r"KDUMP_COREDIR:\s+/var/crash"),
])
def test_kdump_targets_are_read_by_kdump_config(node_tree: NodeTree, changes: list[str], shown: str) -> None:
    set_keys(node_tree, *changes)
    assert re.search(shown, ok(node_tree, "kdump-config", "show"))


def test_kdump_config_rejects_a_broken_defaults_file(node_tree: NodeTree) -> None:
    set_keys(node_tree, "kdump.mode=nfs", "kdump.nfs_location=nfs.example.com:/dumps")
    append(node_tree, "etc/default/kdump-tools", "if [ x\n")
    assert "Syntax error" in refused(node_tree, "kdump-config", "show")


# ------------------------------------------------------------------ monitoring and performance

#: collectd -T also reads every plugin once: a read that fails for want of hardware the test
#: machine lacks (no battery) is no verdict on the configuration.
READ_FAILURES = ("read-function of plugin", "plugin read callbacks failed", "battery plugin:")


def collectd_check(tree: NodeTree) -> tuple[str, list[str]]:
    """collectd's own complaints about the configuration, inside the root (its -t reads nothing:
    test_monitoring_config.py): -T parses, loads the plugins, reads once, with a log plugin on
    stderr in front of the node's file."""
    (tree.root / "tmp/check-collectd.conf").write_text(
        'LoadPlugin logfile\n<Plugin logfile>\n\tLogLevel info\n\tFile STDERR\n</Plugin>\n'
        'Include "/etc/collectd/collectd.conf"\n')
    done = tree.run("collectd", "-B", "-T", "-C", "/tmp/check-collectd.conf")
    log = done.stdout + done.stderr
    return log, [line for line in log.splitlines()
                 if any(c in line for c in COMPLAINTS) and not any(r in line for r in READ_FAILURES)]


def test_collectd_server_passes_collectd_t(node_tree: NodeTree) -> None:
    set_keys(node_tree, "monitoring.collectd.server=192.0.2.7", "monitoring.collectd.port=3000")
    assert node_tree.written() == {"/etc/default/ovirt", "/etc/collectd/collectd.conf"}
    node_tree.take_hostname()  # collectd's FQDNLookup resolves the node's own name
    log, complaints = collectd_check(node_tree)
    assert complaints == [] and 'plugin_load: plugin "network" successfully loaded' in log, log
    assert 'Server "192.0.2.7" "3000"' in (node_tree.root / "etc/collectd/collectd.conf").read_text()
    append(node_tree, "etc/collectd/collectd.conf", '<Plugin network>\n\tServer "192.0.2.8" "x" "y" "z"\n')
    log, complaints = collectd_check(node_tree)
    assert any("Parse error in file `/etc/collectd/collectd.conf'" in line for line in complaints), log


def tuned_check(tree: NodeTree) -> str:
    """The profile tuned will apply when it starts (tuned-adm reads it without the daemon) must
    be one tuned has: its own profile_info loads it."""
    preset = re.search(r"Preset profile: (\S+)", ok(tree, "tuned-adm", "active"))
    assert preset, "tuned-adm active names no preset profile"
    done = tree.run("tuned-adm", "profile_info", preset.group(1))
    assert done.returncode == 0, f"tuned has no profile {preset.group(1)!r}: {done.stdout}{done.stderr}"
    return preset.group(1)


def test_tuned_profile_is_one_tuned_loads(node_tree: NodeTree) -> None:
    set_keys(node_tree, "performance.tuned.profile=virtual-host")
    assert tuned_check(node_tree) == "virtual-host"
    assert (node_tree.root / "etc/tuned/profile_mode").read_text().strip() == "manual"
    (node_tree.root / "etc/tuned/active_profile").write_text("no-such-profile\n")
    with pytest.raises(AssertionError, match="tuned has no profile 'no-such-profile'"):
        tuned_check(node_tree)


# ------------------------------------------------------------------ remote storage

def test_nfsv4_domain_is_the_one_nfsidmap_uses(node_tree: NodeTree) -> None:
    set_keys(node_tree, "nfsv4.domain=example.org")
    assert node_tree.written() == {"/etc/default/ovirt", "/etc/idmapd.conf"}
    assert ok(node_tree, "nfsidmap", "-d").strip() == "example.org"
    assert ok(node_tree, "nfsconf", "--file", "/etc/idmapd.conf", "--get", "General", "Domain").strip() == "example.org"
    conf = node_tree.root / "etc/idmapd.conf"
    conf.write_text(conf.read_text().replace("[General]", "[Genera"))
    assert ok(node_tree, "nfsidmap", "-d").strip() != "example.org"


def test_iscsi_initiator_name_passes_the_iscsid_units_checks(node_tree: NodeTree) -> None:
    set_keys(node_tree, "iscsi.initiator_name=iqn.2026-01.com.example:node1")
    ok(node_tree, "/lib/open-iscsi/startup-checks.sh")  # iscsid.service's ExecStartPre
    text = (node_tree.root / "etc/iscsi/initiatorname.iscsi").read_text()
    assert "InitiatorName=iqn.2026-01.com.example:node1" in text.splitlines()
    (node_tree.root / "etc/iscsi/initiatorname.iscsi").write_text("InitiatorName=\n")
    assert "does not contain a valid InitiatorName" in refused(node_tree, "/lib/open-iscsi/startup-checks.sh")


# ------------------------------------------------------------------ network, DNS, NTP, host name

def keyfile_check(tree: NodeTree, path: str) -> str:
    """NetworkManager's own keyfile reader and verification, offline: the connection as NM reads it."""
    done = tree.run("nmcli", "--offline", "connection", "modify", "connection.autoconnect", "yes",
                    stdin=(tree.root / path.lstrip("/")).read_text())
    assert done.returncode == 0, f"NetworkManager refuses {path}: {done.stderr}"
    return done.stdout


@pytest.mark.parametrize(("changes", "expected"), [
    (["network.bootif=ens3", "network.bootproto=static", "network.ip.address=192.0.2.10",
      "network.ip.netmask=255.255.255.0", "network.ip.gateway=192.0.2.1", "network.vlan=20"],
     {"ens3.20.nmconnection": ["id=20", "parent=ens3", "address1=192.0.2.10/24,192.0.2.1"]}),
    (["network.bootif=bond0", "network.bond.name=bond0", "network.bond.slaves=ens3,ens4",
      "network.bond.options=mode=active-backup miimon=100", "network.bootproto=dhcp", "network.layout=bridged"],
     {"bond0.nmconnection": ["mode=active-backup", "miimon=100"],
      "ens4.nmconnection": ["master=bond0", "slave-type=bond"]}),
    (["network.bootif=ens3", "network.bootproto=dhcp", "network.ipv6=static", "network.ipv6.address=2001:db8::10",
      "network.ipv6.netmask=64", "network.ipv6.gateway=2001:db8::1"],
     {"ens3.nmconnection": ["method=auto", "method=manual", "address1=2001:db8::10/64,2001:db8::1"]}),
])
def test_network_keyfiles_pass_networkmanagers_reader(node_tree: NodeTree, changes: list[str],
                                                      expected: dict[str, list[str]]) -> None:
    set_keys(node_tree, *changes)
    written = sorted(p for p in node_tree.written() if p.startswith("/etc/NetworkManager/system-connections/"))
    assert written
    for path in written:  # NetworkManager ignores a keyfile others may read or that root does not own
        st = os.lstat(node_tree.upper / path.lstrip("/"))
        assert (st.st_mode & 0o777, st.st_uid) == (0o600, 0), path
    read: dict[str, str] = {Path(p).name: keyfile_check(node_tree, p) for p in written}
    for name, lines in expected.items():
        assert set(lines) <= set(read[name].splitlines()), read[name]


def test_networkmanagers_reader_rejects_a_broken_keyfile(node_tree: NodeTree) -> None:
    set_keys(node_tree, "network.bootif=ens3", "network.bootproto=static", "network.ip.address=192.0.2.10",
             "network.ip.netmask=255.255.255.0")
    path = "/etc/NetworkManager/system-connections/ens3.nmconnection"
    text = (node_tree.root / path.lstrip("/")).read_text()
    (node_tree.root / path.lstrip("/")).write_text(text.replace("address1=192.0.2.10/24", ""))
    with pytest.raises(AssertionError, match="cannot be empty for 'method=manual'"):
        keyfile_check(node_tree, path)


def test_a_fresh_node_shows_no_dns_server_nobody_configured(node_tree: NodeTree) -> None:
    """The image once carried the build host's resolv.conf: its resolver showed as the node's DNS."""
    done = node_tree.config("get", "network.dns")
    assert done.returncode == 0 and done.stdout == "\n", done.stdout + done.stderr
    assert (node_tree.root / "etc/resolv.conf").read_text() == ""


def test_dns_ntp_and_host_name_pass_the_daemons_readers(node_tree: NodeTree) -> None:
    set_keys(node_tree, "network.hostname=node1.example.com", "network.dns=192.0.2.53,2001:db8::53",
             "network.dns.search=example.com,lab.example.com", "network.ntp=ntp1.example.com,192.0.2.123")
    config = ok(node_tree, "NetworkManager", "--print-config")
    assert "servers=192.0.2.53,2001:db8::53" in config.splitlines()
    assert "searches=example.com,lab.example.com" in config.splitlines()
    chrony = ok(node_tree, "chronyd", "-p")
    assert {"server ntp1.example.com iburst", "server 192.0.2.123 iburst"} <= set(chrony.splitlines())
    assert ok(node_tree, "getent", "hosts", "node1.example.com").split()[0] in ("127.0.1.1", "127.0.0.1")
    assert (node_tree.root / "etc/hostname").read_text() == "node1.example.com\n"

    (node_tree.root / "etc/NetworkManager/conf.d/90-ovirt-node-dns.conf").write_text("servers 192.0.2.53\n")
    assert "Failed to read configuration" in refused(node_tree, "NetworkManager", "--print-config")
    append(node_tree, "etc/chrony/chrony.conf", "sever ntp2.example.com iburst\n")
    refused(node_tree, "chronyd", "-p")


# ------------------------------------------------------------------ keyboard

KEYMAP_CHECK = ". /etc/vconsole.conf && exec loadkeys --parse \"$KEYMAP\""


def test_keymap_is_one_loadkeys_parses(node_tree: NodeTree) -> None:
    set_keys(node_tree, "keyboard.keymap=de")
    assert "KEYMAP=de" in (node_tree.root / "etc/vconsole.conf").read_text().splitlines()
    ok(node_tree, "sh", "-c", KEYMAP_CHECK)  # what the image's systemd-vconsole-setup.service loads
    (node_tree.root / "etc/vconsole.conf").write_text("KEYMAP=no-such-map\n")
    refused(node_tree, "sh", "-c", KEYMAP_CHECK)


def test_every_keymap_the_node_offers_is_one_loadkeys_parses(node_image_root: Path, node_tree: NodeTree) -> None:
    """The Keyboard page's list on the node (the keymap files, as the engine finds them) holds
    only keymaps the node's loadkeys can load: the image build leaves out the few of
    console-data's it cannot (ovirt_node/image/keymap_names.py)."""
    names = [k.name for k in list_keymaps(Root.at(node_image_root))]
    assert {"us", "de", "fr", "de-latin1-nodeadkeys", "dvorak"} <= set(names)
    assert not {"mac-us", "ar", "ro-comma"} & set(names)
    failed = ok(node_tree, "sh", "-c", 'for m; do loadkeys --parse "$m" >/dev/null 2>&1 || echo "$m"; done',
                "sh", *names)
    assert failed.split() == [], f"{len(failed.split())} of {len(names)} keymaps do not load: {failed[:500]}"


def test_a_keymap_the_node_cannot_load_is_refused(node_tree: NodeTree) -> None:
    done = node_tree.config("set", "keyboard.keymap=mac-us")
    assert done.returncode == 2
    assert "no keymap 'mac-us' is installed on this node" in done.stderr and "Nothing was changed." in done.stderr
    assert node_tree.written() == set()


# ------------------------------------------------------------------ the node's own units

def our_units() -> list[str]:
    """Our unit files, templates as an instance, and the units our drop-ins (`NAME.d/`) change."""
    units: list[str] = []
    for path in sorted(UNITS.iterdir()):
        name = path.name.removesuffix(".d") if path.is_dir() else path.name
        if name.endswith("@.service"):
            name = name.replace("@.", "@ttyS0.")
        elif path.is_file():
            name = f"/etc/systemd/system/{name}"
        units.append(name)
    return units


def test_the_nodes_units_pass_systemd_analyze_verify(node_tree: NodeTree) -> None:
    units = our_units()
    assert {"/etc/systemd/system/ovirt-node-boot.service", "ovirt-node-console@ttyS0.service",
            "serial-getty@ttyS0.service"} <= set(units)
    verify = ("systemd-analyze", "verify", "--man=no")  # the image has no man pages to check links to
    out = ok(node_tree, *verify, *units)
    assert out == "", out  # a warning is a finding too
    append(node_tree, "etc/systemd/system/serial-getty@.service.d/ovirt-node.conf", "[Service]\nNoSuchKey=1\n")
    assert "Unknown key 'NoSuchKey' in section [Service]" in ok(node_tree, *verify, "serial-getty@ttyS0.service")
    (node_tree.root / "etc/systemd/system/zz-broken.service").write_text(
        "[Service]\nExecStart=/usr/bin/no-such-program\n")
    assert "no-such-program" in refused(node_tree, *verify, "/etc/systemd/system/zz-broken.service")


# ------------------------------------------------------------------ refusals on the node root

def test_a_bad_value_on_the_node_root_writes_nothing(node_tree: NodeTree) -> None:
    done = node_tree.config("set", "ssh.port=2222", "network.ntp=pool.n")
    assert done.returncode == 2
    assert "invalid network.ntp:" in done.stderr and "Nothing was changed." in done.stderr
    assert node_tree.written() == set()


# ------------------------------------------------------------------ a first boot from kernel arguments

FIRST_BOOT_ARGS = ("BOOTIF=ens3 ip=192.0.2.10 netmask=255.255.255.0 gateway=192.0.2.1 dns=192.0.2.53,192.0.2.54 "
                   "ntp=ntp.example.com hostname=node1.example.com ssh_pwauth=1 syslog=log.example.com:514 "
                   "collectd=mon.example.com:25826 nfsv4_domain=example.org iscsi_name=iqn.2026-01.com.example:node1 "
                   "kdump_nfs=nfs.example.com:/dumps keyboard=de logrotate_max_size=2048 use_strong_rng=256 "
                   "console=ttyS0 quiet").split()


def test_kernel_arguments_of_an_auto_install_give_files_every_checker_accepts(node_tree: NodeTree) -> None:
    """3.x's kernel arguments, applied as a first boot does (`ovirt-node-config cmdline`), all at
    once: each daemon's checker on the node accepts the result."""
    done = node_tree.config("cmdline", *FIRST_BOOT_ARGS)
    assert done.returncode == 0, done.stdout + done.stderr
    ignored = [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("ignored:")]
    assert ignored == ["ignored: console=ttyS0 (not a setting this node knows)",
                       "ignored: quiet (not a setting this node knows)"]  # the kernel's, not the node's
    sshd = sshd_check(node_tree)
    assert sshd.returncode == 0 and "passwordauthentication yes" in sshd.stdout.splitlines(), sshd.stderr
    ok(node_tree, "rsyslogd", "-N1")
    assert "server ntp.example.com iburst" in ok(node_tree, "chronyd", "-p").splitlines()
    node_tree.take_hostname()
    log, complaints = collectd_check(node_tree)
    assert complaints == [], log
    assert not [line for line in ok(node_tree, "logrotate", "--debug", "/etc/logrotate.conf").splitlines()
                if line.startswith("error:")]
    assert ok(node_tree, "nfsidmap", "-d").strip() == "example.org"
    ok(node_tree, "/lib/open-iscsi/startup-checks.sh")
    assert re.search(r"NFS:\s+nfs.example.com:/dumps", ok(node_tree, "kdump-config", "show"))
    assert "servers=192.0.2.53,192.0.2.54" in ok(node_tree, "NetworkManager", "--print-config").splitlines()
    assert "address1=192.0.2.10/24,192.0.2.1" in keyfile_check(
        node_tree, "/etc/NetworkManager/system-connections/ens3.nmconnection").splitlines()
    ok(node_tree, "sh", "-c", KEYMAP_CHECK)
    assert ok(node_tree, "getent", "hosts", "node1.example.com").split()[0] in ("127.0.1.1", "127.0.0.1")
