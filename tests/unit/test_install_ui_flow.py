"""The installer's flow and its three front doors: the screens driven by keys, an answers
file, and the kernel arguments of an auto-install all produce the same plan for the same
choices. Also: Esc is Back, Quit asks, answers skip screens, and the Progress screen."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from ovirt_node.core import cmdline
from ovirt_node.core.transaction import Step, StepRun, Transaction
from ovirt_node.installer.plan import autoinstall
from ovirt_node.installer.plan.sizes import Sizes
from ovirt_node.installer.screens import answers
from ovirt_node.installer.screens.choices import Choices, kernel_words
from ovirt_node.installer.screens.flow import SCREEN_NAMES, answer_all
from ovirt_node.installer.screens.progress import ProgressView
from ovirt_node.installer.screens.state import Installer
from ovirt_node.system.accounts import crypt
from tests.install_ui_helpers import app, installer, press, shadow_root

VDA = "/dev/disk/by-id/virtio-DEMO-VDA-0001"
HASH = crypt("first-login-1", "$6$doorsalt$")
ANSWERS = f"""
mode = "install"
keyboard = "de-latin1"
boot_disk = "{VDA}"
confirm = true
[sizes]
swap = 2048
data = 20480
[password]
admin_hash = "{HASH}"
"""


def kernel_door(inst: Installer, text: str) -> list[str]:
    args = cmdline.parse(text)
    plan = autoinstall.build(inst.session, inst.machine, args, inst.image, autoinstall.read_request(args),
                             inst.installed)
    return inst.plan_lines(plan)


def answers_door(inst: Installer, text: str) -> list[str]:
    given = answers.parse(text, "answers.toml", SCREEN_NAMES)
    return inst.plan_lines(inst.plan(answer_all(inst, given.choices)))


def tui_door(inst: Installer, text: str, *keys: str, interactive: set[str] | None = None) -> list[str]:
    given = answers.parse(text, "answers.toml", SCREEN_NAMES)
    application, dispatcher = app(inst, given.choices if interactive is not None else None, interactive)
    press(application, dispatcher, *keys)
    view = application.view
    assert isinstance(view, ProgressView), application.text()
    return inst.plan_lines(view.plan)


def test_three_doors_one_plan() -> None:
    inst = installer("demo")
    by_kernel = kernel_door(inst, f"install storage_init={VDA} storage_vol=2048,Swap:20480,Data "
                                  f"keyboard=de-latin1 adminpw={HASH}")
    by_answers = answers_door(inst, ANSWERS)
    # Every screen asked but the password, whose hash only an answers file can give.
    by_keys = tui_door(inst, ANSWERS.replace("confirm = true", ""),
                       "tab", "enter",                          # Welcome: Install
                       "=de-latin1", "enter", "tab", "enter",   # Keyboard: search, pick
                       "tab", "enter", "tab", "enter",          # Boot device, Data devices
                       "tab", "enter",                          # Storage sizes: as answered
                       "=ERASE", "tab", "enter",                # Confirm
                       interactive={"welcome", "keyboard", "boot", "data", "sizes", "confirm"})
    assert by_kernel == by_answers == by_keys
    assert any("storage_init" in line or "sgdisk" in line for line in by_kernel)
    assert any("Apply the node's settings (adminpw, install, keyboard" in line for line in by_kernel)


def test_typed_password_and_answered_password_plan_alike() -> None:
    inst = installer("demo")
    text = ANSWERS.replace(f'admin_hash = "{HASH}"', 'admin = "typed-secret-1"')
    by_answers = answers_door(inst, text)
    by_keys = tui_door(inst, text, "tab", "enter", "tab", "enter", "tab", "enter", "tab", "enter",
                       "=2048", "down", "down", "down", " ", "down", "=20480", "tab", "enter",
                       "=typed-secret-1", "down", "=typed-secret-1", "tab", "enter",
                       "=ERASE", "tab", "enter")
    assert by_answers == by_keys
    settings_line = next(line for line in by_keys if "Apply the node's settings" in line)
    assert "security.admin_password" in settings_line and "typed-secret-1" not in "\n".join(by_keys)


def test_uninstall_and_upgrade_doors_agree(tmp_path: Path) -> None:
    inst = installer("hazards", shadow_root(tmp_path, "old-secret"), installed="4.4.0-1")
    assert kernel_door(inst, "uninstall") == answers_door(inst, 'mode = "uninstall"\nconfirm = true')
    upgrade = 'mode = "upgrade"\n[password]\ncurrent = "old-secret"'
    assert kernel_door(inst, "upgrade") == answers_door(inst, upgrade)
    # A new password on the upgrade: the same plan through the screens and the answers file.
    with_new = upgrade + '\nadmin = "new-secret-2"'
    by_keys = tui_door(inst, with_new, "tab", "enter", "tab", "enter",  # Welcome (Upgrade), Keyboard
                       "=old-secret", "down", "=new-secret-2", "down", "=new-secret-2", "tab", "enter",
                       "tab", "enter")  # Confirm: nothing to type
    assert by_keys == answers_door(inst, with_new)
    assert any("Put the node's persisted files in place" in line for line in by_keys)
    with pytest.raises(ValueError, match="Password: the current admin password is not correct"):
        answers_door(inst, upgrade.replace("old-secret", "guess"))


def test_choices_say_what_the_kernel_would_be_told() -> None:
    choices = Choices(mode="reinstall", keymap="fr", disks=("/dev/sda", "/dev/sdb"),
                      sizes=Sizes(swap=0, logging=4096, data=0), wipe_fakeraid=True, password="never-shown")
    assert kernel_words(choices) == ["reinstall", "storage_init=/dev/sda,/dev/sdb",
                                     "storage_vol=0,Swap:4096,Logging:0,Data", "wipe_fakeraid", "keyboard=fr"]
    assert kernel_words(Choices(mode="downgrade", keymap="fr")) == ["upgrade"]


def test_answers_without_the_confirmation_refuse_to_erase() -> None:
    with pytest.raises(ValueError, match="Confirm: type ERASE to go ahead"):
        answers_door(installer("demo"), ANSWERS.replace("confirm = true", ""))


def test_esc_goes_back_and_quit_asks() -> None:
    application, dispatcher = app(installer("demo"))
    screen = press(application, dispatcher, "tab", "enter")
    assert "Keymap:" in screen
    screen = press(application, dispatcher, "esc")
    assert "What to do:" in screen
    screen = press(application, dispatcher, "esc")  # Esc on the first screen: quit?
    assert "Leave the installer? Nothing has been installed." in screen
    press(application, dispatcher, "enter")  # Cancel has the focus
    assert not application.dialogs and not application.done
    press(application, dispatcher, "esc", "left", "enter")  # Exit
    assert application.done


def test_quit_reboots_a_real_run(tmp_path: Path) -> None:
    reboots: list[str] = []
    application, dispatcher = app(installer("demo", shadow_root(tmp_path, "x"), dry_run=False),
                                  reboot=lambda: reboots.append("reboot"))
    screen = press(application, dispatcher, "esc")
    assert "< Reboot >  < Exit >  < Cancel >" in screen and "DRY RUN" not in screen
    press(application, dispatcher, "left", "left", "enter")
    assert reboots == ["reboot"] and application.done


def test_esc_on_the_finished_progress_screen_does_not_go_back_to_confirm() -> None:
    given = answers.parse(ANSWERS.replace("confirm = true", ""), "a", SCREEN_NAMES)
    application, dispatcher = app(installer("demo"), given.choices, {"confirm"})
    screen = press(application, dispatcher, "=ERASE", "tab", "enter")
    assert "Dry run: every step and command planned" in screen
    screen = press(application, dispatcher, "esc")
    assert "Dry run: every step and command planned" in screen and "Type ERASE:" not in screen
    assert isinstance(application.view, ProgressView)


def test_answers_skip_screens_and_ask_the_rest() -> None:
    given = answers.parse(ANSWERS.replace("confirm = true", ""), "a", SCREEN_NAMES)
    application, _ = app(installer("demo"), given.choices, {"confirm"})
    assert "Type ERASE:" in application.text()
    assert "Swap        2048 MiB" in "\n".join(application.view.screen.plan.layout.describe().splitlines())  # type: ignore[union-attr]


def test_answers_a_screen_refuses_is_asked_with_the_reason() -> None:
    given = answers.parse('mode = "install"\nboot_disk = "/dev/sdb"\nkeyboard = "us"', "a", SCREEN_NAMES)
    application, dispatcher = app(installer("demo"), given.choices, set())
    screen = press(application, dispatcher)
    assert "Answers file" in screen and "Boot device:" in screen and "boot media" in screen


class Copy(Step):
    title = "Copy the image onto the slot"

    def apply(self, ctx: object, run: StepRun) -> None:
        run.report("copying", 0.5)


class Boom(Step):
    title = "Install grub"

    def apply(self, ctx: object, run: StepRun) -> None:
        raise RuntimeError("no space left on the ESP")


def test_progress_runs_the_transaction_and_shows_the_failure(tmp_path: Path) -> None:
    inst = installer("demo", shadow_root(tmp_path, "x"), dry_run=False)  # the transaction locks under the root
    inst.log_path = tmp_path / "installer.log"
    inst.log_path.write_text("line one of the log\n")
    events: list[str] = []
    from ovirt_node.ui.palette import style_for
    from ovirt_node.ui.worker import Manual

    dispatcher = Manual()
    view = ProgressView(inst, autoinstall.Plan(Transaction("Install test", [Copy(), Boom()])), style_for("color"),
                        dispatcher, {"Back": lambda: events.append("back")})
    view.start()
    while view.ok is None:
        dispatcher.run_pending(1)
    text = "\n".join(line.rstrip() for line in view.render((80, 20)).decoded_text)
    assert "(1/2) Copy the image onto the slot:" in text
    assert "Failed at: Install grub" in text and "no space left on the ESP" in text
    assert f"The log is kept at {inst.log_path}" in view.result.text
    assert list(view.buttons) == ["View log", "Shell", "Back"]
    assert view.log_text() == "line one of the log\n"
    view.buttons["Back"].keypress((10,), "enter")
    assert events == ["back"]


def test_progress_success_offers_reboot(tmp_path: Path) -> None:
    inst = installer("demo", shadow_root(tmp_path, "x"), dry_run=False)
    from ovirt_node.ui.palette import style_for
    from ovirt_node.ui.worker import Manual

    dispatcher = Manual()
    halfway = threading.Event()

    class SlowCopy(Copy):
        def apply(self, ctx: object, run: StepRun) -> None:
            run.report("copying", 0.5)
            halfway.wait(10)

    view = ProgressView(inst, autoinstall.Plan(Transaction("Install test", [SlowCopy()])), style_for("basic"),
                        dispatcher, {})

    def screen() -> str:
        return "\n".join(line.rstrip() for line in view.render((80, 20)).decoded_text)

    view.start()
    while "50 %" not in screen():
        assert dispatcher.run_pending(5), screen()
    assert "Copy the image onto the slot: copying" in screen()
    halfway.set()
    while view.ok is None:
        dispatcher.run_pending(1)
    assert view.ok and list(view.buttons) == ["Reboot", "View log"]
    assert "50 %" not in screen()  # the bar goes once the copy is done


def test_a_real_install_keeps_the_media_boot_arguments(tmp_path: Path) -> None:
    """A node installed from the screens on a serial console keeps that console (and the other
    boot arguments an auto-install would carry); the media's own, the config engine's settings
    and secrets stay off the node's boot line. A dry run plans without them."""
    from tests.install_ui_helpers import installer

    live = tmp_path / "live"
    (live / "proc").mkdir(parents=True)
    (live / "proc/cmdline").write_text("BOOT_IMAGE=/vmlinuz root=live:CDLABEL=OVIRT_NODE rd.live.image "
                                       "console=tty0 console=ttyS0,115200n8 ssh_pwauth=1 adminpw=$6$x$y quiet\n")
    real = installer(root=live, dry_run=False)
    assert real.boot_words() == ["console=tty0", "console=ttyS0,115200n8", "quiet"]
    assert installer(root=live).boot_words() == []
