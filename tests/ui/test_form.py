"""The toolkit-free form: values, validation, enabled state with stash, changes, reset."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovirt_node.core.engine import InvalidChanges
from ovirt_node.ui.form import FORM_KEY, MISMATCH, Form, confirm_key
from ovirt_node.ui.page import Entry, PageContext, Password
from tests.ui.pages import EverythingPage, RemoteLogPage, make_context


def test_loads_engine_values_and_blank_page_local_keys(page_ctx: PageContext) -> None:
    form = Form(RemoteLogPage(page_ctx))
    assert form.values["ssh.port"] == "22"
    assert form.values["ssh.pwauth"] == "no"
    assert form.values["logging.rsyslog.server"] == ""
    everything = Form(EverythingPage(page_ctx))
    assert everything.values["local.secret"] == "" and everything.values[confirm_key("local.secret")] == ""
    assert everything.values["local.flag"] == "no"
    assert form.valid and everything.valid
    assert form.changes() == {} and not form.can_save


def test_engine_validator_message_per_key(page_ctx: PageContext) -> None:
    form = Form(RemoteLogPage(page_ctx))
    form.set("ssh.port", "70000")
    assert form.errors() == {"ssh.port": "must be a port number from 1 to 65535"}
    assert not form.valid and not form.can_save
    form.set("ssh.port", "2222")
    assert form.valid and form.changes() == {"ssh.port": "2222"}


def test_safe_value_rule_applies_to_every_field(page_ctx: PageContext) -> None:
    form = Form(RemoteLogPage(page_ctx))
    form.set("logging.rsyslog.server", "log.example.com\nOVIRT_X=1")
    assert "line break" in form.error("logging.rsyslog.server")


def test_field_validator_overrides_the_engine_key(page_ctx: PageContext) -> None:
    class Strict(RemoteLogPage):
        def layout(self):  # type: ignore[no-untyped-def]
            from ovirt_node.core.valid import OneOf

            return [Entry("ssh.port", "Port", validator=OneOf("22", "2222"))]

    form = Form(Strict(page_ctx))
    form.set("ssh.port", "2223")
    assert form.error("ssh.port") == "must be one of: 22, 2222"


def test_password_confirmation_must_match_and_untouched_is_valid(page_ctx: PageContext) -> None:
    form = Form(EverythingPage(page_ctx))
    assert form.valid  # an untouched password is not judged
    form.set("local.secret", "abc")
    assert form.errors() == {
        "local.secret": "must be text of at least 6 characters",
        confirm_key("local.secret"): MISMATCH,
    }
    form.set("local.secret", "s3cret-enough")
    form.set(confirm_key("local.secret"), "s3cret-enougH")
    assert form.errors() == {confirm_key("local.secret"): MISMATCH}
    form.set(confirm_key("local.secret"), "s3cret-enough")
    assert form.valid
    assert form.changes() == {"local.secret": "s3cret-enough"}  # the confirmation is not a change


def test_page_check_runs_on_the_effective_values(page_ctx: PageContext) -> None:
    form = Form(RemoteLogPage(page_ctx))
    form.set("logging.rsyslog.port", "22")
    assert form.valid  # the syslog port is disabled (no server): its typed value is stashed
    form.set("logging.rsyslog.server", "log.example.com")
    assert form.errors() == {"logging.rsyslog.port": "must differ from the SSH port"}


def test_disable_stashes_the_typed_value_and_enable_brings_it_back(page_ctx: PageContext) -> None:
    form = Form(RemoteLogPage(page_ctx))
    port = next(f for f in form.fields if f.key == "logging.rsyslog.port")
    assert not form.enabled(port)
    form.set("logging.rsyslog.server", "log.example.com")
    assert form.enabled(port)
    form.set("logging.rsyslog.port", "1514")
    form.set("logging.rsyslog.protocol", "tcp")
    assert form.changes() == {
        "logging.rsyslog.server": "log.example.com", "logging.rsyslog.port": "1514", "logging.rsyslog.protocol": "tcp"
    }
    form.set("logging.rsyslog.server", "")
    assert not form.enabled(port)
    assert form.typed("logging.rsyslog.port") == "1514"  # the stash
    assert form.values["logging.rsyslog.port"] == "514"  # what counts: the loaded value
    assert form.changes() == {}
    form.set("logging.rsyslog.port", "not a port")  # typing into a disabled field is not judged
    assert form.valid
    form.set("logging.rsyslog.port", "1514")
    form.set("logging.rsyslog.server", "log2.example.com")
    assert form.values["logging.rsyslog.port"] == "1514"
    assert form.changes()["logging.rsyslog.port"] == "1514"


def test_enabled_when_chains_settle(page_ctx: PageContext) -> None:
    class Chain(RemoteLogPage):
        def layout(self):  # type: ignore[no-untyped-def]
            return [
                Entry("logging.rsyslog.server", "Server"),
                Entry("logging.rsyslog.port", "Port", enabled_when=lambda v: bool(v["logging.rsyslog.server"])),
                Entry("ssh.port", "SSH", enabled_when=lambda v: v["logging.rsyslog.port"] == "999"),
            ]

    form = Form(Chain(page_ctx))
    form.set("logging.rsyslog.port", "999")
    ssh = form.fields[2]
    assert not form.enabled(ssh)  # its condition reads a disabled field, whose value is the loaded one
    form.set("logging.rsyslog.server", "h.example.com")
    assert form.enabled(ssh)


def test_broken_enabled_when_and_check_do_not_raise(page_ctx: PageContext) -> None:
    class Bad(RemoteLogPage):
        def layout(self):  # type: ignore[no-untyped-def]
            return [Entry("ssh.port", "SSH", enabled_when=lambda v: 1 / 0 > 0)]

        def check(self, values):  # type: ignore[no-untyped-def]
            raise KeyError("oops")

    form = Form(Bad(page_ctx))
    assert form.enabled(form.fields[0])
    assert "KeyError" in form.errors()[FORM_KEY]
    assert not form.valid


def test_reset_reloads_from_the_system(page_ctx: PageContext, node_root: Path) -> None:
    form = Form(RemoteLogPage(page_ctx))
    form.set("ssh.port", "2200")
    sshd = node_root / "etc/ssh/sshd_config"
    sshd.write_text("Port 2022\n" + sshd.read_text())  # changed behind the form's back
    form.reset()
    assert form.values["ssh.port"] == "2022" and form.changes() == {}


def test_plan_only_carries_changed_values(page_ctx: PageContext) -> None:
    EverythingPage.saved.clear()
    form = Form(EverythingPage(page_ctx))
    form.set("local.color", "blue")
    form.set("ssh.port", "2222")
    tx = form.plan()
    assert EverythingPage.saved == [{"ssh.port": "2222", "local.color": "blue"}]
    assert any("SSH" in step.title for step in tx.steps)


def test_engine_rejection_is_kept_as_inline_errors_until_the_next_edit(page_ctx: PageContext) -> None:
    class Sneaky(RemoteLogPage):
        def save(self, changes):  # type: ignore[no-untyped-def]
            raise InvalidChanges({"ssh.port": "is taken"})

    form = Form(Sneaky(page_ctx))
    form.set("ssh.port", "2222")
    with pytest.raises(InvalidChanges):
        form.plan()
    assert form.error("ssh.port") == "is taken"
    form.set("ssh.port", "2223")
    assert form.valid


def test_subscribers_hear_every_change(page_ctx: PageContext) -> None:
    form = Form(RemoteLogPage(page_ctx))
    heard: list[str] = []
    form.subscribe(lambda: heard.append(form.values["ssh.port"]))
    form.set("ssh.port", "1")
    form.set("ssh.port", "1")  # no change, no call
    form.reset()
    assert heard == ["1", "22"]


def test_two_fields_on_one_key_are_refused(tmp_path: Path, node_root: Path) -> None:
    class Twice(RemoteLogPage):
        def layout(self):  # type: ignore[no-untyped-def]
            return [Entry("ssh.port", "a"), Password("ssh.port", "b")]

    with pytest.raises(ValueError, match="two fields"):
        Form(Twice(make_context(node_root)))
