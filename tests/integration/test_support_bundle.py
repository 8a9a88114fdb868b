"""The support bundle: what it holds, that no planted secret survives in any member, where it
goes and with which mode, and `ovirt-node-config support-bundle` (exit 2 and nothing written
on a bad --output)."""

from __future__ import annotations

import gzip
import io
import json
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from ovirt_node.areas.registry import builtin_sections
from ovirt_node.core.aug import LensFile
from ovirt_node.core.model import Key
from ovirt_node.core.root import Root
from ovirt_node.core.valid import Text
from ovirt_node.report import bundle, diagnostics
from ovirt_node.report.redact import MARK
from tests.fake_tools import called, fake_tools
from tests.integration import support_corpus
from tests.node_fixtures import REPO, changed_paths, run_config, snapshot

HASH = "$6$Zq7salt0$Zq7hashhashhashhashhashhashhashhashhashhashhashhashhashhash"
KEY = "-----BEGIN RSA PRIVATE KEY-----\nZq7keybody1\nZq7keybody2\n-----END RSA PRIVATE KEY-----"
#: Every secret planted below carries "Zq7": none may be in the bundle.
PLANTED = "Zq7"


class SnmpLike:
    """A plugin's section whose managed file holds net-snmp users (the SNMP add-on's kind), and
    a key it marks secret under a name no rule would guess."""

    name = "snmp-test"
    lens_files = (LensFile("Snmpd", "/var/lib/snmp/snmpd.conf"),)
    keys = (Key("snmp-test.pin", "OVIRT_SNMPTEST_PIN", Text(), secret=True),)


def members(path_or_bytes: Path | bytes) -> dict[str, str]:
    """Every member of a bundle by its name below the top folder, as text."""
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else None
    with tarfile.open(name=None if source else path_or_bytes, fileobj=source, mode="r:gz") as tar:
        tops = {m.name.split("/", 1)[0] for m in tar.getmembers()}
        assert len(tops) == 1, tops  # one folder, so unpacking never litters
        out = {}
        for m in tar.getmembers():
            assert m.isfile() and m.mode == 0o600, m.name
            handle = tar.extractfile(m)
            assert handle is not None
            out[m.name.split("/", 1)[1]] = handle.read().decode()
        return out


def plant_secrets(root: Path, tools: Path) -> Path:
    """A secret in every source the bundle reads; returns the fake tools' call log."""
    logs = root / "var/log/ovirt-node"
    (logs / "setup.log").write_text(
        "2026-11-21 12:00:01 INFO ovirt_node.setup: starting\n"
        "2026-11-21 12:00:02 DEBUG run: chpasswd --password=Zq7argv\n"
        "2026-11-21 12:00:03 INFO fetching https://admin:Zq7url@engine.example.com/ca\n")
    (logs / "setup.log.1.gz").write_bytes(gzip.compress(f"older: adminpw={HASH}\n{KEY}\n".encode()))
    defaults = root / "etc/default/ovirt"
    defaults.write_text(defaults.read_text() + 'OVIRT_SNMP_PASSWORD="Zq7snmp"\nOVIRT_CIM_PASSWD="Zq7cim"\n'
                        "OVIRT_RHN_PROXYPASSWORD=Zq7rhn\nOVIRT_SNMPTEST_PIN=Zq7pin\n")
    sshd = root / "etc/ssh/sshd_config"
    sshd.write_text(sshd.read_text() + f"# pasted by mistake:\n{KEY}\n")
    (root / "etc/idmapd.conf").write_text("[General]\nDomain = example.com\n"
                                          "# shadow copy: bob:Zq7plain:20000:0:99999:7:::\n"
                                          f"admin:{HASH}:20000:0:99999:7:::\n")
    (root / "var/lib/snmp").mkdir(parents=True)
    (root / "var/lib/snmp/snmpd.conf").write_text(
        'createUser ovirt SHA "Zq7 auth phrase" AES Zq7priv\n'
        "usmUser 1 3 0x80001f88 0x6f76 0x6f76 NULL .1.3.6.1.6.3.10.1.1.3 0xZq7aa .1.3.6.1.6.3.10.1.2.4 0xZq7bb \"\"\n")
    (root / "proc/cmdline").write_text(f"BOOT_IMAGE=/vmlinuz ro adminpw={HASH} rootpw=Zq7root snmp_password=Zq7k\n")
    (root / "config").mkdir()
    (root / "config/files").write_text("/etc/ssh/sshd_config\n/etc/shadow\n/etc/pki/vdsm\n# token: Zq7index\n")
    (root / "etc/shadow").write_text(f"root:{HASH}:20000:0:99999:7:::\n")
    (root / "etc/pki/vdsm/keys").mkdir(parents=True)
    (root / "etc/pki/vdsm/keys/vdsmkey.pem.key").write_text(KEY + "\n")
    (root / "etc/pki/vdsm/vdsm.conf").write_text("[vars]\nssl = true\ntruststore_password = Zq7vdsm\n")
    (root / "var/log/journal").mkdir(parents=True)
    (root / "sys/class/net/eth0").mkdir(parents=True)
    return fake_tools(tools, {
        "lsblk": "sda 8:0 20G disk\npassword: Zq7lsblk",
        "sfdisk": f"Disk /dev/sda\n{KEY}",
        "multipath": "mpatha (3600) dm-0 secret=Zq7mpath",
        "pvs": "PV /dev/sda2", "vgs": "VG HostVG", "lvs": "LV Config token=Zq7lvs",
        "ip": "2: eth0: <BROADCAST> psk=Zq7ip",
        "nmcli": "eth0 ethernet connected 802-11-wireless-security.psk:Zq7wifi",
        "ethtool": "Link detected: yes\nauth_key: Zq7eth",
        "dmesg": f"[Sat Nov 21 12:00:00 2026] set hash {HASH}",
        "systemctl": "0 loaded units listed. api_key=Zq7unit",
        "journalctl": f"Nov 21 node useradd[1]: root:{HASH}:20000:0:99999:7:::\nNov 21 node x: https://u:Zq7j@h/",
    })


def test_no_planted_secret_survives_in_any_member(node_root: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    calls = plant_secrets(node_root, tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    sections = [*builtin_sections(), SnmpLike()]
    made = bundle.create(Root.at(node_root), sections, live=True)  # type: ignore[arg-type]  # live: tools run
    assert made.path is not None and made.path.parent == node_root / "data/support"
    content = members(made.path)

    # Every source is there: logs (the rotated one uncompressed), settings, managed files,
    # node identity, persisted list, each tool's output and the journal.
    expected = {"logs/var/log/ovirt-node/setup.log", "logs/var/log/ovirt-node/setup.log.1",
                "files/etc/default/ovirt", "files/etc/ssh/sshd_config", "files/etc/idmapd.conf",
                "files/var/lib/snmp/snmpd.conf", "files/proc/cmdline", "files/etc/os-release",
                "persisted-files.txt", "commands/journal.txt", "manifest.json", "files/etc/pki/vdsm/vdsm.conf",
                *(f"commands/{t.name}.txt" for t in diagnostics.TOOLS)}
    assert expected <= set(content)
    assert {c.split()[0] for c in called(calls)} >= {"lsblk", "sfdisk", "ethtool", "journalctl", "systemctl"}

    leaked = {name: text for name, text in content.items() if PLANTED in text or "Zq7salt0" in text}
    assert leaked == {}
    raw = gzip.decompress(made.path.read_bytes())
    assert PLANTED.encode() not in raw  # nor in names, headers or the manifest

    # The redacted members still tell the story.
    assert 'OVIRT_SNMP_PASSWORD="<redacted>"' in content["files/etc/default/ovirt"]
    assert 'OVIRT_HOSTNAME="demo-node.example.com"' in content["files/etc/default/ovirt"]
    assert f"-----BEGIN RSA PRIVATE KEY-----\n{MARK}\n" in content["files/etc/ssh/sshd_config"]
    assert "createUser ovirt SHA <redacted> AES <redacted>" in content["files/var/lib/snmp/snmpd.conf"]
    assert "starting" in content["logs/var/log/ovirt-node/setup.log"]
    assert "sda 8:0 20G disk" in content["commands/lsblk.txt"]

    manifest = json.loads(content["manifest.json"])
    by_name = {m["name"]: m for m in manifest["members"]}
    assert set(by_name) == set(content) - {"manifest.json"}
    assert by_name["files/etc/default/ovirt"]["redactions"] == 4  # the plugin's secret key too
    assert "files/etc/shadow" not in content and "files/etc/pki/vdsm/keys/vdsmkey.pem.key" not in content
    assert {"/etc/shadow (holds secrets only: not copied)",
            "/etc/pki/vdsm/keys/vdsmkey.pem.key (holds secrets only: not copied)"} <= set(manifest["absent"])
    assert by_name["commands/lsblk.txt"]["source"] == "lsblk"
    assert all(m["redactions"] > 0 for n, m in by_name.items() if n.startswith("commands/"))
    assert manifest["redactions"] == made.redactions == sum(m["redactions"] for m in by_name.values())
    assert manifest["hostname"] == "demo-node.example.com" and "/etc/kdump.conf" in manifest["absent"]


def test_under_a_root_prefix_the_bundle_runs_no_host_tool(node_root: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_tools(tmp_path / "bin", {t.programs[0]: "host output" for t in diagnostics.TOOLS})
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    made = bundle.create(Root.at(node_root), builtin_sections())
    assert made.path is not None
    content = members(made.path)
    assert called(calls) == []
    assert content["commands/lsblk.txt"].startswith("lsblk describes the running system, so it is not run")
    assert content["persisted-files.txt"] == "(no persisted files: /config/files does not exist)\n"
    mode = made.path.stat().st_mode
    assert stat.S_IMODE(mode) == 0o600 and stat.S_IMODE((node_root / "data/support").stat().st_mode) == 0o700
    again = bundle.create(Root.at(node_root), [])
    assert again.path != made.path and bundle.bundles(Root.at(node_root))[0] == again.path
    assert [p.name for p in (node_root / "data/support").iterdir() if ".partial" in p.name] == []


# -- ovirt-node-config support-bundle ---------------------------------------------------------

def test_cli_writes_a_bundle_under_the_root_and_prints_its_path(node_root: Path) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "support-bundle")
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.parent == node_root / "data/support" and path.name.endswith(".tar.gz")
    assert changed_paths(before, snapshot(node_root)) == {"/data/support/", f"/data/support/{path.name}"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "files/etc/default/ovirt" in members(path) and "secrets removed:" in result.stderr


def test_cli_output_file_folder_and_stdout(node_root: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "node.tar.gz"
    target.parent.mkdir()
    assert run_config("--root", str(node_root), "support-bundle", "--output", str(target)).returncode == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and "manifest.json" in members(target)
    folder = run_config("--root", str(node_root), "support-bundle", "--output", str(target.parent))
    assert folder.returncode == 0 and Path(folder.stdout.strip()).parent == target.parent

    before = snapshot(node_root)
    piped = subprocess.run([sys.executable, "-m", "ovirt_node.cli.config", "--root", str(node_root),
                            "support-bundle", "--output", "-"], capture_output=True, cwd=REPO, check=False)
    assert piped.returncode == 0, piped.stderr
    assert "manifest.json" in members(piped.stdout)
    assert changed_paths(before, snapshot(node_root)) == set()  # nothing left on the node


@pytest.mark.parametrize(("output", "message"), [
    ("exists.tar.gz", "exists.tar.gz exists; not overwritten"),
    ("missing/x.tar.gz", "missing: no such folder"),
    ("bundle.zip", "bundle.zip: the name must end in .tar.gz or .tgz"),
])
def test_cli_bad_output_exits_2_and_writes_nothing(node_root: Path, tmp_path: Path, output: str,
                                                   message: str) -> None:
    (tmp_path / "exists.tar.gz").write_text("keep me\n")
    before, outside = snapshot(node_root), snapshot(tmp_path)
    result = run_config("--root", str(node_root), "support-bundle", "--output", str(tmp_path / output))
    assert result.returncode == 2
    assert message in result.stderr and "Nothing was written." in result.stderr and result.stdout == ""
    assert changed_paths(before, snapshot(node_root)) == set()
    assert changed_paths(outside, snapshot(tmp_path)) == set()


# -- the corpus: a secret in every kind of file the bundle takes ------------------------------

def test_the_secrets_corpus_leaks_nothing_and_keeps_the_story(node_root: Path) -> None:
    support_corpus.plant(node_root)
    made = bundle.create(Root.at(node_root), builtin_sections())
    assert made.path is not None
    content = members(made.path)
    raw = gzip.decompress(made.path.read_bytes()).decode(errors="replace")
    markers = support_corpus.planted_markers()
    assert len(markers) == 47
    leaked = sorted(m for m in markers if m in raw)
    where = {m: sorted(n for n, t in content.items() if m in t) for m in leaked}
    assert leaked == [], where
    assert "Zq7" not in raw
    missing = {name: [v for v in values if v not in content.get(name, "")]
               for name, values in support_corpus.KEPT.items()}
    assert {n: v for n, v in missing.items() if v} == {}
    absent = json.loads(content["manifest.json"])["absent"]
    for node_path in support_corpus.SECRET_STORES:
        assert f"{node_path} (holds secrets only: not copied)" in absent
