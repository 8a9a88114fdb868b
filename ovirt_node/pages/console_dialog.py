"""The Status page's "Console path" (3.x's action of that name): the kernel console(s) the node
boots with, changed through the engine's `boot.console` (ovirt_node/areas/bootconsole.py),
shown beside the consoles of this boot (/proc/cmdline). The change is one transaction shown by
the progress dialog like any save, and takes effect at the next boot."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from ovirt_node.areas.bootconsole import KEY, ConsoleList, console_words
from ovirt_node.core.engine import InvalidChanges
from ovirt_node.ui.page import DialogUI, Entry, FormSpec, Label, PageContext, PageUI, Values

TITLE = "Console path"
TEXT = ("The device the kernel and the boot messages use from the next boot on: ttyS0,115200n8 "
        "(a serial port, its speed), tty0 (the screen), hvc0 (a hypervisor's console). "
        "Several: separated by spaces, the last one is /dev/console. Empty: no console= "
        "argument.")


def running_consoles(ctx: PageContext) -> str:
    """The console= arguments of this boot, as the dialog shows them."""
    from ovirt_node.core import cmdline

    try:
        args = cmdline.read(ctx.root)
    except OSError:
        return "unknown (no /proc/cmdline)"
    found = [arg.value or "" for arg in args if arg.name == "console"]
    return " ".join(found) if found else "none (the kernel's default)"


def open_console(ctx: PageContext, ui: PageUI) -> None:
    dialogs = cast(DialogUI, ui)
    current = ctx.engine.values([KEY.partition(".")[0]])

    def check(values: Values) -> Mapping[str, str]:
        # The device must exist: said as it is typed, once the value reads as consoles.
        wanted = values.get(KEY, "")
        if ConsoleList().check(wanted) is not None:
            return {}
        return ctx.engine.cross_check({KEY: " ".join(console_words(wanted))}, current)

    def ok(values: Values) -> Mapping[str, str]:
        try:
            tx = ctx.engine.plan({KEY: values.get(KEY, "")}, "Set the console path")
        except InvalidChanges as exc:
            return dict(exc.errors)  # the dialog stays open with the reason; nothing was written
        if not tx.steps:
            return {}

        def done(applied: bool) -> None:
            if applied:
                now = ctx.engine.values([KEY.partition(".")[0]])[KEY] or "none"
                ui.info(TITLE, f"The console path is now {now}. It takes effect at the next boot.")
            ui.reload()

        ui.run_transaction(tx, done)
        return {}

    items = [Label(TEXT),
             Label(f"This boot: {running_consoles(ctx)}"),
             Entry(KEY, "Console path:", validator=ConsoleList())]
    dialogs.open_form(FormSpec(TITLE, items, {KEY: current.get(KEY, "")}, ok, check=check, ok_label="Save"))
