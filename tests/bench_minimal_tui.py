"""The reference of the console budget: a minimal urwid app that draws one list of the
Status page's size (a header, 18 rows, a footer) and waits for `q`."""

from __future__ import annotations

import urwid


def main() -> None:
    rows = [urwid.Text(f"Item {n:2d}: value {n}") for n in range(1, 19)]
    body = urwid.ListBox(urwid.SimpleFocusListWalker(rows))
    frame = urwid.Frame(body, header=urwid.Text("Minimal list"), footer=urwid.Text("q quit  list-drawn"))

    def quit_on_q(key: str) -> None:
        if key == "q":
            raise urwid.ExitMainLoop

    urwid.MainLoop(frame, unhandled_input=quit_on_q).run()


if __name__ == "__main__":
    main()
