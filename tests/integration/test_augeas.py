"""The Augeas layer against real Augeas on a temp root."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ovirt_node.areas.logs import LOGROTATE, RSYSLOG_REMOTE
from ovirt_node.areas.ssh import SSHD_CONFIG
from ovirt_node.core.aug import Augeas, AugeasError, LensFile
from ovirt_node.core.root import Root

HOSTS = LensFile("Hosts", "/etc/hosts")


def test_loads_only_the_named_files(node_root: Path) -> None:
    (node_root / "etc/hosts").write_text("127.0.0.1 localhost\n")
    aug = Augeas(Root.at(node_root), [SSHD_CONFIG])
    assert aug.get("/files/etc/ssh/sshd_config/PasswordAuthentication") == "no"
    assert not aug.match("/files/etc/hosts")
    assert aug.match("/augeas/load/*") and len(aug.match("/augeas/load/*")) == 1


def test_parse_error_names_file_and_line(node_root: Path) -> None:
    (node_root / "etc/ssh/sshd_config").write_text('Port 22\n"unbalanced quote\n')
    with pytest.raises(AugeasError) as err:
        Augeas(Root.at(node_root), [SSHD_CONFIG])
    assert err.value.path == "/etc/ssh/sshd_config"
    assert err.value.line == "2"
    assert str(err.value) == "/etc/ssh/sshd_config, line 2: Get did not match entire input"


def test_save_writes_only_changed_files(node_root: Path) -> None:
    (node_root / "etc/logrotate.d/ovirt-node").write_text("/var/log/x.log {\n    daily\n}\n")
    aug = Augeas(Root.at(node_root), [SSHD_CONFIG, LOGROTATE])
    sshd = node_root / "etc/ssh/sshd_config"
    before = sshd.stat()
    time.sleep(0.01)
    # Setting a value to what it already is leaves the tree clean: nothing is written.
    assert aug.set("/files/etc/ssh/sshd_config/PasswordAuthentication", "no") is False
    assert aug.set("/files/etc/logrotate.d/ovirt-node/rule/schedule", "weekly") is True
    assert aug.save() == ["/etc/logrotate.d/ovirt-node"]
    after = sshd.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert "weekly" in (node_root / "etc/logrotate.d/ovirt-node").read_text()


def test_copy_if_rename_fails_is_on(node_root: Path) -> None:
    aug = Augeas(Root.at(node_root), [SSHD_CONFIG])
    assert aug.exists("/augeas/save/copy_if_rename_fails")


def test_new_file_is_created_on_save(node_root: Path) -> None:
    aug = Augeas(Root.at(node_root), [RSYSLOG_REMOTE])
    node = "/files" + RSYSLOG_REMOTE.path
    aug.set(node + "/entry/selector/facility", "*")
    aug.set(node + "/entry/selector/level", "*")
    aug.set(node + "/entry/action/protocol", "@")
    aug.set(node + "/entry/action/hostname", "log.example.com")
    aug.save()
    assert (node_root / RSYSLOG_REMOTE.path.lstrip("/")).read_text() == "*.*\t@log.example.com\n"


def test_a_file_the_handle_created_takes_every_later_change(node_root: Path) -> None:
    """libaugeas writes a file its handle created once only; later saves of the same handle
    wrote nothing (the installer lost report_url= this way: the network area created
    /etc/default/ovirt, the lifecycle area's save after it wrote nothing)."""
    from ovirt_node.core.defaults import DEFAULTS_FILE, Defaults

    path = node_root / "etc/default/ovirt"
    path.unlink()
    defaults = Defaults(Augeas(Root.at(node_root), [DEFAULTS_FILE]))
    for key, value in (("OVIRT_A", "1"), ("OVIRT_B", "2"), ("OVIRT_C", "3")):
        assert defaults.set(key, value) is True
        assert defaults.save() == ["/etc/default/ovirt"]
    assert path.read_text() == 'OVIRT_A="1"\nOVIRT_B="2"\nOVIRT_C="3"\n'
    assert defaults.remove("OVIRT_B") and defaults.save() == ["/etc/default/ovirt"]
    assert path.read_text() == 'OVIRT_A="1"\nOVIRT_C="3"\n'


def test_readers_on_other_threads_survive_the_new_handle(node_root: Path) -> None:
    """The TUI reads one handle from page workers while a transaction saves: the handle a save
    replaces (it created a file) must still answer a reader already on its way to it."""
    import threading

    from ovirt_node.core.defaults import DEFAULTS_FILE, Defaults

    path = node_root / "etc/default/ovirt"
    aug = Augeas(Root.at(node_root), [DEFAULTS_FILE])
    defaults = Defaults(aug)
    errors: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                defaults.items()
            except Exception as exc:  # what a page worker would see
                errors.append(repr(exc))
                return

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        for round_ in range(30):
            path.unlink(missing_ok=True)
            aug.load()
            defaults.set("OVIRT_A", str(round_))
            assert defaults.save() == ["/etc/default/ovirt"]  # created: a new handle
            defaults.set("OVIRT_B", str(round_))
            assert defaults.save() == ["/etc/default/ovirt"]
    finally:
        done.set()
        for reader in readers:
            reader.join()
    assert errors == []
    assert path.read_text() == 'OVIRT_A="29"\nOVIRT_B="29"\n'


def test_engine_areas_one_after_the_other_on_a_tree_without_a_settings_file(node_root: Path) -> None:
    """As the installer and the first boot apply kernel arguments: one area per transaction,
    on one handle; the first creates /etc/default/ovirt, the next ones add to it."""
    from ovirt_node.areas.registry import all_sections
    from ovirt_node.core.context import Context
    from ovirt_node.core.engine import Engine
    from ovirt_node.core.kernelargs import apply_by_area

    (node_root / "etc/default/ovirt").unlink()
    engine = Engine(Context(root=Root.at(node_root)), all_sections())
    changes = engine.validate({"network.hostname": "node1.example.com",
                               "lifecycle.report_url": "http://fleet.example.com/events"})
    assert [str(r) for r in apply_by_area(engine, changes)] == [
        "applied: network (network.hostname)", "applied: lifecycle (lifecycle.report_url)"]
    text = (node_root / "etc/default/ovirt").read_text()
    assert 'OVIRT_HOSTNAME="node1.example.com"' in text
    assert 'OVIRT_REPORT_URL="http://fleet.example.com/events"' in text
    fresh = Engine(Context(root=Root.at(node_root)), all_sections())
    assert fresh.values(["lifecycle"])["lifecycle.report_url"] == "http://fleet.example.com/events"


def test_put_error_is_one_clear_sentence(node_root: Path) -> None:
    aug = Augeas(Root.at(node_root), [LOGROTATE])
    aug.set("/files/etc/logrotate.d/ovirt-node/rule/file", "/var/log/x.log")
    aug.set("/files/etc/logrotate.d/ovirt-node/rule/no-such-option", "x")
    with pytest.raises(AugeasError) as err:
        aug.save()
    assert str(err.value).startswith("/etc/logrotate.d/ovirt-node: ")
    assert "\n" not in str(err.value)


def test_engine_loads_a_sections_lenses_on_its_first_read(node_root: Path) -> None:
    from ovirt_node.areas.registry import builtin_sections
    from ovirt_node.core.context import Context
    from ovirt_node.core.engine import Engine

    engine = Engine(Context(root=Root.at(node_root)), builtin_sections())
    engine.read(["logging"])
    assert SSHD_CONFIG not in engine.ctx.aug.files  # a screen without SSH settings never pays for sshd_config's lens
    assert LOGROTATE in engine.ctx.aug.files
    assert engine.read(["ssh"])["ssh.pwauth"].value == "no"
    assert SSHD_CONFIG in engine.ctx.aug.files


def test_one_handle_is_read_and_reloaded_from_many_threads(node_root: Path) -> None:
    """The TUI reads one engine from the main loop and workers while F12 re-reads the files:
    no deadlock on the handle's lock, no error, every read sees the right values. (libaugeas
    races did not show up here even without the lock, so this cannot prove the lock needed.)"""
    import threading

    from ovirt_node.areas.registry import all_sections
    from ovirt_node.core.context import Context
    from ovirt_node.core.engine import Engine

    engine = Engine(Context(root=Root.at(node_root)), all_sections())
    expected = engine.values()
    handle = engine.ctx.aug
    results: list[dict[str, str]] = []
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(20):
                results.append(engine.values())
        except BaseException as exc:  # pragma: no cover - only on failure
            errors.append(exc)

    def reload() -> None:
        try:
            for _ in range(20):
                handle.load()
        except BaseException as exc:  # pragma: no cover - only on failure
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)] + [threading.Thread(target=reload) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck on the handle's lock"
    assert not errors and len(results) == 80 and all(r == expected for r in results)


SSHD_ODD = """\
Port 22
Port 2200
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp -l INFO
Ciphers aes128-ctr,aes256-ctr
SetEnv A=b
# comment

Match User backup
  X11Forwarding yes
Match Address 10.0.0.0/8,192.168.0.0/16 User "a b"
\tPasswordAuthentication no
   # indented comment

"""


@pytest.mark.parametrize("text", [SSHD_ODD, "", "PasswordAuthentication no\n"], ids=["odd", "empty", "one-line"])
def test_our_sshd_lens_reads_and_writes_as_augeas_own_sshd_lens(node_root: Path, text: str) -> None:
    """OvirtSshd replaces the Sshd lens (ten times slower to build): on the lines the node reads
    and writes it gives the same values, and the same file after setting Port and
    PasswordAuthentication before the first Match block."""
    from ovirt_node.areas.ssh import set_global_option

    results = []
    for lens in ("Sshd", SSHD_CONFIG.lens):
        (node_root / "etc/ssh/sshd_config").write_text(text)
        aug = Augeas(Root.at(node_root), [LensFile(lens, SSHD_CONFIG.path)])
        node = "/files" + SSHD_CONFIG.path
        read = {opt: aug.get(f"{node}/{opt}[1]") for opt in ("Port", "PasswordAuthentication", "SetEnv")}
        matches = len(aug.match(f"{node}/Match"))
        set_global_option(aug, "Port", "2222")
        set_global_option(aug, "PasswordAuthentication", "yes")
        aug.save()
        aug.close()
        results.append((read, matches, (node_root / "etc/ssh/sshd_config").read_text()))
    assert results[0] == results[1]
    if text == SSHD_ODD:
        assert results[1][2].startswith("Port 2222\nAcceptEnv LANG LC_*\n")
        assert "SetEnv A=b\n# comment\n\nPasswordAuthentication yes\nMatch User backup\n" in results[1][2]


def test_our_sshd_lens_refuses_what_sshd_lens_refuses(node_root: Path) -> None:
    """A Match block with no lines is refused by both lenses, the file left as it was."""
    (node_root / "etc/ssh/sshd_config").write_text("Port 22\nMatch User x\n")
    with pytest.raises(AugeasError) as err:
        Augeas(Root.at(node_root), [SSHD_CONFIG])
    assert str(err.value) == "/etc/ssh/sshd_config, line 2: Get did not match entire input"
    assert (node_root / "etc/ssh/sshd_config").read_text() == "Port 22\nMatch User x\n"


#: Every kind of line chrony.conf has on the node image (Debian's file), the demo root, EL and
#: the tests' own chronyd: comments in each of chrony's four signs, sources with flags and
#: valued options, a peer, directives with and without values, blank and indented lines.
CHRONY_ODD = """\
# Use public servers
! an old-style comment
; another
%  and the last kind
pool 2.debian.pool.ntp.org iburst
server 192.0.2.10 iburst minpoll 0 maxpoll 1
  server ntp.example.com prefer maxdelay 0.3 extfield F323 nts
peer 2001:db8::5 key 7
confdir /etc/chrony/conf.d
sourcedir /run/chrony-dhcp
keyfile /etc/chrony/chrony.keys
driftfile /var/lib/chrony/chrony.drift
maxupdateskew 100.0
rtcsync
makestep 1 3
leapsectz right/UTC
local stratum 8
allow all
cmdport 0
bindcmdaddress /

"""
CHRONY_SERVERLESS = "# no sources\ndriftfile /var/lib/chrony/drift\nrtcsync\n"


@pytest.mark.parametrize("text", [CHRONY_ODD, CHRONY_SERVERLESS, "", "pool 2.debian.pool.ntp.org iburst\n"],
                         ids=["odd", "serverless", "empty", "one-line"])
@pytest.mark.parametrize("ntp", ["ntp1.example.com,192.0.2.123", "1::2:192.0.2.1", "off"])
def test_our_chrony_lens_reads_and_writes_as_augeas_own_chrony_lens(node_root: Path, text: str, ntp: str) -> None:
    """OvirtChrony replaces the Chrony lens (six times its memory to build): the same sources
    and options read, and the same file after the network section writes the NTP servers."""
    from ovirt_node.network.section import CHRONY_LENS, write_chrony

    path = "/etc/chrony/chrony.conf"
    results = []
    for lens in ("Chrony", CHRONY_LENS):
        (node_root / "etc/chrony").mkdir(exist_ok=True)
        (node_root / "etc/chrony/chrony.conf").write_text(text)
        chrony = LensFile(lens, path)
        aug = Augeas(Root.at(node_root), [chrony])
        sources = aug.match(f"/files{path}/*[label() = 'server' or label() = 'pool' or label() = 'peer']")
        read = [(aug.get(s), {o.rsplit("/", 1)[1]: aug.get(o) for o in aug.match(f"{s}/*")}) for s in sources]
        write_chrony(aug, chrony, ntp)
        aug.save()
        aug.close()
        results.append((read, (node_root / "etc/chrony/chrony.conf").read_text()))
    assert results[0] == results[1]
    if text == CHRONY_ODD:
        assert results[1][0][1] == ("192.0.2.10", {"iburst": None, "minpoll": "0", "maxpoll": "1"})
        assert results[1][0][3] == ("2001:db8::5", {"key": "7"})
        written = results[1][1]
        assert written.startswith("# Use public servers\n! an old-style comment\n; another\n%  and the last kind\n"
                                  "peer 2001:db8::5 key 7\nconfdir /etc/chrony/conf.d\n")
        if ntp == "off":
            assert not [line for line in written.splitlines() if line.split()[:1] in (["server"], ["pool"])]


@pytest.mark.parametrize("text", ["server\n", "pool \x00\n", "server ntp.example.com iburst # trailing\n",
                                  "pool ntp.example.com minpoll\x01\n", "server ntp.example.com bogus\n"],
                         ids=["no-address", "nul", "comment", "control", "unknown-option"])
def test_our_chrony_lens_refuses_what_chrony_lens_refuses(node_root: Path, text: str) -> None:
    """A source with no address, an option Chrony does not know, or words chrony's syntax cannot
    hold: both lenses refuse the file with its line, and leave it as it was."""
    from ovirt_node.network.section import CHRONY_LENS

    (node_root / "etc/chrony").mkdir(exist_ok=True)
    messages = []
    for lens in ("Chrony", CHRONY_LENS):
        (node_root / "etc/chrony/chrony.conf").write_text(text)
        with pytest.raises(AugeasError) as err:
            Augeas(Root.at(node_root), [LensFile(lens, "/etc/chrony/chrony.conf")])
        messages.append(str(err.value))
        assert (node_root / "etc/chrony/chrony.conf").read_text() == text
    assert messages[0] == messages[1]
    assert messages[1].startswith("/etc/chrony/chrony.conf, line 1: ")
