"""The urwid widgets bound to a form, driven as an operator would (canvas text at 80x24)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from ovirt_node.ui.page import Entry, Item, KeyValue, Label, Page, PageContext, Password, Row, Table
from ovirt_node.ui.testing import FakeUI, PageHarness
from tests.ui.pages import BrokenPage, EverythingPage, RemoteLogPage


def below(lines: list[str], marker: str) -> str:
    """The line right after the first one containing `marker`."""
    index = next(i for i, line in enumerate(lines) if marker in line)
    return lines[index + 1]


def test_every_item_type_renders_at_80x24(page_ctx: PageContext) -> None:
    h = PageHarness(EverythingPage, page_ctx)
    lines = h.lines()
    assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
    text = h.text()
    for expected in ("Everything", "Every item type.", "SSH port:", "22", "Secret:", "Confirm:", "[ ] A flag",
                     "Colour:", "( ) Red", "( ) Blue", "Device MAC", "( ) eth0", "[ ] eth1",
                     "none0", "(no carrier)", "< Say hello >", "CPUs", "< Save >", "< Reset >"):
        assert expected in text, expected
    assert "CPUs               4" in text  # the KeyValue's worker has answered


def test_inline_error_appears_and_goes_as_you_type(page_ctx: PageContext) -> None:
    h = PageHarness(RemoteLogPage, page_ctx)
    assert h.keys("end", "backspace", "backspace") == []  # the SSH port field has the first focus
    assert h.value("ssh.port") == ""
    assert "must be a port number" in below(h.lines(), "SSH port:")
    assert h.keys("9", "9", "9", "9", "9") == []
    assert below(h.lines(), "SSH port:").strip() == "must be a port number from 1 to 65535"
    h.keys("backspace")
    assert h.error("SSH port") == "" and "[ ] Password logins" in below(h.lines(), "SSH port:")


def test_save_is_disabled_while_unchanged_or_invalid_and_ignores_presses(page_ctx: PageContext) -> None:
    h = PageHarness(RemoteLogPage, page_ctx)
    assert not h.save_enabled and "No changes to save" in h.text()
    h.save()
    assert h.ui.transactions == []
    h.type("SSH port", "0")
    assert not h.save_enabled and "Fix the marked fields to save" in h.text()
    h.save()
    assert h.ui.transactions == []
    h.type("SSH port", "2222")
    assert h.save_enabled and "No changes" not in h.text() and "Fix the marked" not in h.text()
    h.save()
    assert h.planned is not None
    assert [s.title for s in h.planned.steps][:2] == ["Update the node settings file", "Configure the SSH daemon"]


def test_disabled_field_is_grey_keeps_its_value_and_comes_back(page_ctx: PageContext) -> None:
    h = PageHarness(RemoteLogPage, page_ctx)
    assert not h.enabled("Syslog port") and not h.enabled("Protocol")
    h.type("Syslog server", "log.example.com")
    assert h.enabled("Syslog port")
    h.type("Syslog port", "1514")
    h.choose("Protocol", "tcp")
    h.type("Syslog server", "")
    assert not h.enabled("Syslog port")
    assert "1514" in h.text()  # still shown, greyed
    assert h.changes() == {}
    h.type("Syslog server", "log.example.com")
    assert h.changes() == {
        "logging.rsyslog.server": "log.example.com", "logging.rsyslog.port": "1514", "logging.rsyslog.protocol": "tcp"
    }


def test_disabled_field_takes_no_focus(page_ctx: PageContext) -> None:
    h = PageHarness(RemoteLogPage, page_ctx)
    # SSH port -> Password logins -> Syslog server -> (port and protocol are disabled) -> Save
    h.keys("down", "down", "down")
    h.keys("x")
    assert h.value("Syslog server") == ""
    assert h.value("Syslog port") == "514"


def test_save_applies_only_the_changed_values_then_reloads(page_ctx: PageContext, node_root: Path) -> None:
    ui = FakeUI(page_ctx, apply=True)
    h = PageHarness(RemoteLogPage, page_ctx, ui=ui)
    h.type("SSH port", "2222")
    h.toggle("Password logins")
    assert h.changes() == {"ssh.port": "2222", "ssh.pwauth": "yes"}
    h.save()
    assert ui.results == [True]
    sshd = (node_root / "etc/ssh/sshd_config").read_text()
    assert "Port 2222" in sshd and "PasswordAuthentication yes" in sshd
    assert not (node_root / "etc/rsyslog.d/ovirt-node-remote.conf").exists()  # logging untouched
    assert h.changes() == {} and not h.save_enabled  # reloaded from the system
    assert h.value("ssh.port") == "2222"


def test_reset_restores_the_values_from_the_system(page_ctx: PageContext) -> None:
    h = PageHarness(RemoteLogPage, page_ctx)
    h.type("SSH port", "2222")
    h.type("Syslog server", "log.example.com")
    h.press("Reset")
    assert h.value("SSH port") == "22" and h.value("Syslog server") == ""
    assert "2222" not in h.text() and not h.save_enabled


def test_checkbox_and_choice(page_ctx: PageContext) -> None:
    h = PageHarness(EverythingPage, page_ctx)
    h.toggle("A flag")
    assert "[X] A flag" in h.text() and h.changes() == {"local.flag": "yes"}
    h.toggle("A flag")
    assert h.changes() == {}
    h.choose("Colour", "blue")
    assert "(\u2022) Blue" in h.text() and h.changes() == {"local.color": "blue"}


def test_password_is_masked_confirmed_and_hinted(page_ctx: PageContext) -> None:
    h = PageHarness(EverythingPage, page_ctx)
    h.type("Secret", "abc", confirm=False)
    assert "abc" not in h.text() and "***" in h.text()
    assert h.error("Secret") == "must be text of at least 6 characters"
    assert h.confirm_error("Secret") == "must match the password above"
    assert h.hint("Secret").startswith("Strength: weak")
    h.type("Secret", "Correct-Horse-7")
    assert h.error("Secret") == "" and h.confirm_error("Secret") == ""
    assert h.hint("Secret").startswith("Strength:") and "weak" not in h.hint("Secret")
    assert h.save_enabled and h.changes() == {"local.secret": "Correct-Horse-7"}
    h.type("Secret", "")
    assert h.hint("Secret") == ""


def test_table_single_and_multi_select_skip_disabled_rows(page_ctx: PageContext) -> None:
    h = PageHarness(EverythingPage, page_ctx)
    h.choose("NIC", "eth1")
    assert h.changes() == {"local.nic": "eth1"}
    h.choose("NIC", "eth0")
    assert h.changes() == {"local.nic": "eth0"}
    h.choose("NICs", "eth1")
    h.choose("NICs", "eth0")
    assert h.changes()["local.nics"] == "eth0,eth1"  # in row order
    h.choose("NICs", "eth1")
    assert h.changes()["local.nics"] == "eth0"
    with pytest.raises(KeyError):
        h.choose("NIC", "none0")
    assert "[X] eth0" in h.text() and "--- none0" in h.text()


def _many_rows(ctx: PageContext) -> Sequence[Row]:
    return [Row(f"disk{i}", (f"disk{i}", f"{i} GB")) for i in range(12)]


class ManyRows(Page):
    name = "many"
    title = "Many rows"

    def layout(self) -> Sequence[Item]:
        return [Table("local.disk", "Disk:", columns=("Name", "Size"), rows=_many_rows, height=4)]


def test_table_scrolls_within_its_height(page_ctx: PageContext) -> None:
    h = PageHarness(ManyRows, page_ctx)
    text = h.text()
    assert "disk0" in text and "disk3" in text and "disk4" not in text
    h.keys(*["down"] * 8)
    text = h.text()
    assert "disk8" in text and "disk0" not in text
    h.keys("enter")
    assert h.changes() == {"local.disk": "disk8"}


def _disk_lines(h: PageHarness) -> list[str]:
    return [line for line in h.lines() if "disk" in line or "Name" in line]


@pytest.mark.parametrize(("mode", "up", "down", "thumb"), [("color", "\u25b2", "\u25bc", "\u2588"),
                                                          ("basic", "^", "v", "#")])
def test_table_shows_a_scroll_bar_only_when_rows_are_hidden(page_ctx: PageContext, mode: str, up: str,
                                                            down: str, thumb: str) -> None:
    h = PageHarness(ManyRows, page_ctx, mode=mode)
    rows = [line for line in _disk_lines(h) if "GB" in line]
    assert len(rows) == 4 and rows[0].endswith(up) and rows[-1].endswith(down)
    assert rows[1].endswith(thumb) and not rows[2].endswith(thumb), "thumb at the top: 4 of 12 rows shown"
    h.keys(*["down"] * 11)
    rows = [line for line in _disk_lines(h) if "GB" in line]
    assert "disk11" in rows[-1] and rows[2].endswith(thumb) and not rows[1].endswith(thumb)
    few = PageHarness(EverythingPage, page_ctx, mode=mode)
    assert not any(line.rstrip().endswith((up, down, thumb)) for line in few.lines()), "nothing hidden, no bar"


class Deferred(FakeUI):
    """Workers wait until `finish()`: what the page shows meanwhile."""

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx)
        self.pending: list[Callable[[], None]] = []

    def run_in_worker(self, work: Callable[[], object], done: Callable[[object], None]) -> None:
        self.pending.append(lambda: FakeUI.run_in_worker(self, work, done))

    def finish(self) -> None:
        while self.pending:
            self.pending.pop(0)()


class Slow(Page):
    name = "slow"
    title = "Slow"
    editable = False

    def layout(self) -> Sequence[Item]:
        return [
            KeyValue("Uptime", lambda ctx: "3 days"),
            KeyValue("Broken", lambda ctx: str(1 / 0)),
            Table("local.t", "Things:", columns=("A",), rows=lambda ctx: [Row("a", ("alpha",))]),
        ]


def test_slow_values_show_an_ellipsis_until_the_worker_answers(page_ctx: PageContext) -> None:
    ui = Deferred(page_ctx)
    h = PageHarness(Slow, page_ctx, ui=ui)
    text = h.text()
    assert "Uptime             \u2026" in text and "\u2026 loading" in text
    assert "< Save >" not in text  # not editable: no Save/Reset
    ui.finish()
    text = h.text()
    assert "Uptime             3 days" in text and "alpha" in text
    assert "unavailable (division by zero)" in text and "ZeroDivisionError" not in text


def test_buttons_reach_the_ui_and_a_failing_handler_is_reported(page_ctx: PageContext) -> None:
    h = PageHarness(EverythingPage, page_ctx)
    h.press("Say hello")
    assert [(d.kind, d.title) for d in h.ui.dialogs] == [("info", "Hello")]

    class Boom(Page):
        name = "boom"
        title = "Boom"

        def layout(self) -> Sequence[Item]:
            from ovirt_node.ui.page import Button

            return [Button("Explode", lambda ui: [][1])]

    b = PageHarness(Boom, page_ctx)
    b.press("Explode")
    assert b.ui.dialogs[0].title == "Error"
    assert b.ui.dialogs[0].text.startswith("Explode did not work: list index out of range.\nTry again")


def test_broken_layout_gives_a_notice(page_ctx: PageContext) -> None:
    h = PageHarness(BrokenPage, page_ctx)
    assert h.broken
    text = h.text()
    assert "This page could not be shown." in text and "RuntimeError: layout exploded" in text


class Fancy(Page):
    name = "fancy"
    title = "Fancy \u2192 page"

    def layout(self) -> Sequence[Item]:
        return [
            Label("Caf\u00e9 \u2014 \u201cquoted\u201d \u2026 \u2713 \u4e2d"),
            Entry("ssh.port", "Port \u2192"),
            Password("local.pw", "Secret", validator=None),
            Table("local.t", "Rows", columns=("\u00c9",), rows=lambda ctx: [Row("x", ("na\u00efve",))]),
            KeyValue("Value", lambda ctx: "\u2264 5"),
        ]


def test_basic_mode_draws_only_ascii(page_ctx: PageContext) -> None:
    for page in (Fancy, EverythingPage, RemoteLogPage, BrokenPage, Slow):
        h = PageHarness(page, page_ctx, mode="basic")
        h.keys("down")
        text = h.text()
        assert text.isascii(), [line for line in h.lines() if not line.isascii()]
    h = PageHarness(Fancy, page_ctx, mode="basic")
    assert "Fancy -> page" in h.text() and 'Cafe -- "quoted" ... x ?' in h.text()
    h = PageHarness(EverythingPage, page_ctx, mode="basic")
    h.choose("Colour", "red")
    assert "(*) Red" in h.text()


def test_basic_mode_refuses_non_ascii_input(page_ctx: PageContext) -> None:
    h = PageHarness(RemoteLogPage, page_ctx, mode="basic")
    h.keys("end", "\u00e9", "1")
    assert h.value("ssh.port") == "221"


def test_every_widget_renders_consistently_at_any_width(page_ctx: PageContext) -> None:
    """urwid's own sizing checks: rows() agrees with render(), at widths 0, 1 and 80."""
    from urwid.testing import check_box_sizing, check_flow_sizing

    for mode in ("color", "basic"):
        h = PageHarness(EverythingPage, page_ctx, mode=mode)  # type: ignore[arg-type]
        h.type("Secret", "abc", confirm=False)  # hint and error lines present
        for widget in h.page_view.items:
            check_flow_sizing(widget)
        check_box_sizing(h.view)
    check_box_sizing(PageHarness(BrokenPage, page_ctx).view)


def _port_in_file(ctx: PageContext) -> str:
    match = re.search(r"^Port (\d+)", ctx.root("/etc/ssh/sshd_config").read_text(), re.MULTILINE)
    return match.group(1) if match else "(none)"


class PortNow(Page):
    name = "portnow"
    title = "Port now"
    keys = ("ssh.port",)

    def layout(self) -> Sequence[Item]:
        return [Entry("ssh.port", "SSH port:"), KeyValue("In sshd_config", _port_in_file)]


def test_save_and_reset_recompute_the_worker_values(page_ctx: PageContext, node_root: Path) -> None:
    h = PageHarness(PortNow, page_ctx, ui=FakeUI(page_ctx, apply=True))
    assert "In sshd_config     (none)" in h.text()
    h.type("SSH port", "2200")
    h.save()
    assert "In sshd_config     2200" in h.text()
    sshd = node_root / "etc/ssh/sshd_config"
    sshd.write_text(sshd.read_text().replace("Port 2200", "Port 2300"))
    h.press("Reset")
    assert "In sshd_config     2300" in h.text() and h.value("SSH port") == "2300"


def test_the_focused_fields_help_is_shown_above_save(page_ctx: PageContext) -> None:
    h = PageHarness(RemoteLogPage, page_ctx)
    assert h.lines()[-3] == "TCP port sshd listens on"  # the engine key's help
    h.keys("down")
    assert h.lines()[-3] == "Allow SSH logins with a password"

    class Helped(Page):
        name = "helped"
        title = "Helped"

        def layout(self) -> Sequence[Item]:
            return [Entry("ssh.port", "Port", help="the page's own words \u2192 here")]

    assert PageHarness(Helped, page_ctx, mode="basic").lines()[-3] == "The page's own words -> here"


def test_page_context_helper_for_page_authors(node_root: Path) -> None:
    from ovirt_node.ui.testing import page_context

    ctx = page_context(node_root)
    assert ctx.machine.name == "demo" and "ssh.port" in ctx.engine.keys and ctx.demo
    h = PageHarness(RemoteLogPage, ctx)
    h.type("SSH port", "2022")
    assert h.changes() == {"ssh.port": "2022"} and h.plan().steps


@pytest.mark.parametrize("mode", ["color", "mono", "basic"])
def test_disabled_save_looks_different_in_every_mode(page_ctx: PageContext, mode: str) -> None:
    from urwid.testing import render_runs, resolve_runs

    from ovirt_node.ui.palette import style_for

    style = style_for(mode)  # type: ignore[arg-type]
    h = PageHarness(RemoteLogPage, page_ctx, mode=mode)  # type: ignore[arg-type]

    def save_attr() -> object:
        runs = resolve_runs(render_runs(h.view, (80, 24)), style.palette(), colors=style.colors)
        return next(attr for attr, text in runs[-1] if "Save" in text)

    disabled = save_attr()
    h.type("SSH port", "2222")
    assert save_attr() != disabled


class LateAnswers(FakeUI):
    """Work runs when asked; the answers are delivered when the test says, in any order."""

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx)
        self.answers: list[Callable[[], None]] = []

    def run_in_worker(self, work: Callable[[], object], done: Callable[[object], None]) -> None:
        result = work()
        self.answers.append(lambda: done(result))


class Moving(Page):
    name = "moving"
    title = "Moving"
    editable = False
    now = "old"

    def layout(self) -> Sequence[Item]:
        return [KeyValue("Value", lambda ctx: Moving.now),
                Table("local.t", "Rows:", columns=("A",), rows=lambda ctx: [Row(Moving.now, (Moving.now + "-row",))])]


def test_an_older_worker_answer_never_replaces_a_newer_one(page_ctx: PageContext) -> None:
    ui = LateAnswers(page_ctx)
    Moving.now = "old"
    h = PageHarness(Moving, page_ctx, ui=ui)
    old = list(ui.answers)
    ui.answers.clear()
    Moving.now = "new"
    h.page_view.reset()
    for deliver in ui.answers + old:  # the newer answers arrive first, the older ones late
        deliver()
    text = h.text()
    assert "Value              new" in text and "new-row" in text and "old" not in text
