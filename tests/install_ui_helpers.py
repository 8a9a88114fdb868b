"""Drive the installer's screens without a terminal: an `Installer` on a machine profile (dry
run unless told), one screen in a `ScreenView` with a FakeUI, and the whole app with a
manual dispatcher."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import urwid

from ovirt_node.core.context import Context
from ovirt_node.core.platform import load
from ovirt_node.core.root import Root
from ovirt_node.core.run import Runner
from ovirt_node.installer.devices import LvmDevices
from ovirt_node.installer.image import UNKNOWN, ImageVersion, NodeImage
from ovirt_node.installer.screens.choices import Choices
from ovirt_node.installer.screens.flow import InstallerApp, page_context
from ovirt_node.installer.screens.screen import Screen, ScreenView
from ovirt_node.installer.screens.state import Installer
from ovirt_node.installer.session import InstalledNode, Session
from ovirt_node.installer.steps.bootloader import Slot
from ovirt_node.installer.steps.storage import Target
from ovirt_node.system.accounts import crypt
from ovirt_node.system.machine.profile import load_profile, profile_path
from ovirt_node.ui.table import TableWidget
from ovirt_node.ui.testing import FakeUI, canvas_text
from ovirt_node.ui.widgets import FieldWidget, PasswordWidget
from ovirt_node.ui.worker import Manual
from tests.node_fixtures import DEMO_ROOT

SIZE = (80, 24)


def version(text: str) -> ImageVersion:
    number, _, release = text.partition("-")
    return ImageVersion("oVirt Node", number, release or "1")


def installer(machine: str = "demo", root: Path = DEMO_ROOT, *, media: str | None = "4.5.0-1",
              installed: str | None = None, dry_run: bool = True) -> Installer:
    """An Installer as `ovirt-node-installer --dry-run --machine NAME` builds one; `installed`
    gives the node on the HostVG a version (a real run would read it from the slots)."""
    profile = load_profile(profile_path(machine))
    live = Root.at(root)
    session = Session(ctx=Context(root=live, runner=Runner(dry_run=True), dry_run=True),
                            platform=load("el"), devices=LvmDevices(), target=Target(Path("/run/ovirt-node/test")),
                            uefi=profile.firmware == "uefi", live=live)
    image = NodeImage(Path("/run/initramfs/live"), version(media) if media else
                      ImageVersion("oVirt Node", UNKNOWN, UNKNOWN), {})
    node = None
    if any(vg.name == "HostVG" for vg in profile.volume_groups):
        active = version(installed) if installed else ImageVersion("installed node", UNKNOWN, UNKNOWN)
        node = InstalledNode("<the HostVG disk's EFI partition>", Slot("Root", active), None)
    return Installer(profile, session, image, node, dry_run, live=live)


def shadow_root(tmp_path: Path, password: str) -> Path:
    """A node tree whose admin has `password` (SHA-512 crypt)."""
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n")
    hashed = crypt(password, "$6$testsalt$")
    (root / "etc/shadow").write_text(f"root:!:20000::::::\nadmin:{hashed}:20000:0:99999:7:::\n")
    return root


class ScreenHarness:
    """One screen in its view, as the app shows it; workers run at once (FakeUI)."""

    def __init__(self, cls: type[Screen], inst: Installer, choices: Choices | None = None) -> None:
        self.ui = FakeUI()
        self.continued: list[Choices] = []
        self.backs = 0
        self.screen = cls(page_context(inst), inst, choices or Choices())
        self.view = ScreenView(self.screen, self.ui, _style(), self._back, self._continue, lambda: None)

    def _back(self) -> None:
        self.backs += 1

    def _continue(self, screen: Screen, values: object) -> None:
        self.continued.append(screen.commit(self.view.values))

    def text(self) -> str:
        return "\n".join(canvas_text(self.view, SIZE))

    def field(self, key: str) -> FieldWidget:
        return next(w for w in self.view.page.items if isinstance(w, FieldWidget) and w.key == key)

    def focused_key(self) -> str | None:
        self.text()  # the first draw places the focus
        widget = self.view.page.walker.get_focus()[0]
        if self.view.pile.focus_position != 0:
            return None
        return widget.key if isinstance(widget, FieldWidget) else None

    def type(self, key: str, text: str, confirm: str | None = None) -> None:
        widget = self.field(key)
        edit = getattr(widget, "edit", None)
        assert isinstance(edit, urwid.Edit), f"{key} takes no text"
        edit.set_edit_text(text)
        if isinstance(widget, PasswordWidget) and widget.confirm is not None:
            widget.confirm.set_edit_text(text if confirm is None else confirm)

    def choose(self, key: str, value: str) -> None:
        widget = self.field(key)
        assert isinstance(widget, TableWidget)
        row = next((r for r in widget.row_widgets if r.row.value == value), None)
        if row is None:
            raise KeyError(f"{key}: no selectable row {value!r}")
        row.keypress((40,), "enter")

    def rows(self, key: str) -> dict[str, tuple[bool, str]]:
        widget = self.field(key)
        assert isinstance(widget, TableWidget)
        return {r.value: (r.enabled, r.reason) for r in widget.table_rows}

    def set(self, key: str, value: str) -> None:
        assert self.view.form is not None
        self.view.form.set(key, value)

    @property
    def can_continue(self) -> bool:
        return self.view.next.enabled

    @property
    def reason(self) -> str:
        return self.view.reason()

    def press_continue(self) -> Choices | None:
        before = len(self.continued)
        self.view.next.keypress((20,), "enter")
        return self.continued[-1] if len(self.continued) > before else None


def _style():  # type: ignore[no-untyped-def]
    from ovirt_node.ui.palette import style_for

    return style_for("color")


def app(inst: Installer, choices: Choices | None = None, interactive: set[str] | None = None,
        mode: str = "color", reboot: Callable[[], None] | None = None) -> tuple[InstallerApp, Manual]:
    dispatcher = Manual()
    application = InstallerApp(inst, choices, interactive=interactive, mode=mode,  # type: ignore[arg-type]
                               screen=urwid.display.raw.Screen(), dispatcher=dispatcher, reboot=reboot)
    while dispatcher.run_pending(0.1):
        pass
    return application, dispatcher


def press(application: InstallerApp, dispatcher: Manual, *keys: str) -> str:
    """Feed keys (a leading '=' types the rest), let the workers report, return the screen."""
    for key in keys:
        application.keys(*(list(key[1:]) if key.startswith("=") and len(key) > 1 else [key]))
        while dispatcher.run_pending(0.05):
            pass
    return application.text()
