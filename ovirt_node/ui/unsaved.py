"""Unsaved changes: leaving a page or quitting with typed values not saved asks first, naming
the changed fields, with Save / Discard / Stay (Stay focused: Enter on a dialog that appeared
unexpectedly must not throw typing away)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ovirt_node.ui.dialoghost import DialogHost
from ovirt_node.ui.pageview import PageView

SAVE, DISCARD, STAY = "Save", "Discard", "Stay"


@dataclass(frozen=True)
class Unsaved:
    """One page with changes: its title, its view and the changed fields' labels."""

    name: str
    title: str
    view: PageView
    fields: Sequence[str]


def unsaved_pages(views: Mapping[str, Any], titles: Mapping[str, str]) -> list[Unsaved]:
    """The pages whose form holds values not saved yet, in menu order (`titles`' order)."""
    found = []
    for name, title in titles.items():
        view = views.get(name)
        if isinstance(view, PageView) and view.page.editable:
            fields = view.changed_labels()
            if fields:
                found.append(Unsaved(name, title, view, fields))
    return found


def describe(changed: Sequence[Unsaved]) -> str:
    return "\n".join(f"  {item.title}: {', '.join(item.fields)}" for item in changed)


def ask(host: DialogHost, title: str, question: str, changed: Sequence[Unsaved],
        on_save: Callable[[], None], on_discard: Callable[[], None], on_stay: Callable[[], None]) -> None:
    """The Save / Discard / Stay dialog; each button closes it, then does what it says."""
    from ovirt_node.ui.dialogs import MessageDialog
    from ovirt_node.ui.widgets import PushButton

    dialog: MessageDialog

    def pick(action: Callable[[], None]) -> Callable[[], None]:
        def press() -> None:
            host.close_dialog(dialog)
            action()
        return press

    text = f"{question}\n\nNot saved:\n{describe(changed)}\n\nSave saves them first; Discard drops them."
    buttons = [PushButton(SAVE, pick(on_save)), PushButton(DISCARD, pick(on_discard)),
               PushButton(STAY, pick(on_stay))]
    dialog = MessageDialog(title, text, buttons, host.style, host.close_dialog)
    dialog.focus_button(STAY)
    host.open_dialog(dialog)


def save_all(changed: Sequence[Unsaved], done: Callable[[bool], None],
             refused: Callable[[Unsaved], None]) -> None:
    """Save each page in turn; `done(True)` after the last, `done(False)` at the first that
    fails; `refused(page)` (and no save) when a page's values are invalid."""
    if not changed:
        done(True)
        return
    first, rest = changed[0], changed[1:]
    form = first.view.form
    if form is None or not form.can_save:
        refused(first)
        return

    def next_one(ok: bool) -> None:
        if ok:
            save_all(rest, done, refused)
        else:
            done(False)

    first.view.save(then=next_one)
