"""A tiny terminal-screen model for tests: what a terminal would show after some output.

It knows what the progress display writes and nothing more: printable text, ``\\r`` (to the
start of the row), ``\\n`` (to the start of the next row: a terminal's line feed keeps the
column, but a tty in its usual mode sends the program's ``\\n`` as ``\\r\\n``, and so does this
model unless ``onlcr=False``), and ``\\x1b[K`` (erase to the end of the row).
Text wraps at ``columns`` like xterm: the last column fills, and the next character goes to a
new row. Any other control character or escape sequence is an error: the display must not
write it.
"""

from __future__ import annotations

import re

__all__ = ["Screen", "UnexpectedControl"]

_ESCAPE = re.compile(r"\x1b\[(\d*)([A-Za-z])")


class UnexpectedControl(ValueError):
    """The output has a control character or escape sequence the display must not use."""


class Screen:
    """Rows of text, a cursor, and the history of what each redrawn row showed."""

    def __init__(self, columns: int, *, onlcr: bool = True) -> None:
        if columns < 1:
            raise ValueError("columns must be at least 1")
        self.columns = columns
        self.onlcr = onlcr
        self.rows: list[list[str]] = [[]]
        self.row = 0
        self.col = 0
        self._pending_wrap = False
        self._partial = ""
        self.wrapped_rows: set[int] = set()
        """Rows that hold the continuation of a line too long for the width."""
        self.shown: list[str] = []
        """The text of the cursor's row each time a ``\\r`` came to redraw or clear it."""

    # Feeding --------------------------------------------------------------------------------

    def feed(self, text: str) -> None:
        """Apply output (in any chunks: an escape sequence may be split between two)."""
        text = self._partial + text
        self._partial = ""
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "\x1b":
                match = _ESCAPE.match(text, i)
                if match is None:
                    if len(text) - i < 8 and re.fullmatch(r"\x1b(\[\d*)?", text[i:]):
                        self._partial = text[i:]  # the rest comes with the next chunk
                        return
                    raise UnexpectedControl(f"unexpected escape {text[i : i + 8]!r}")
                if match.group(2) != "K" or match.group(1) not in ("", "0"):
                    raise UnexpectedControl(f"unexpected escape {match.group(0)!r}")
                self._erase_to_end()
                i = match.end()
                continue
            if ch == "\r":
                self.shown.append(self.text(self.row))
                self.col = 0
                self._pending_wrap = False
            elif ch == "\n":
                if self.onlcr:
                    self.col = 0
                self.row += 1
                self._pending_wrap = False
                self._ensure(self.row)
            elif ch < " " or ch == "\x7f":
                raise UnexpectedControl(f"unexpected control character {ch!r}")
            else:
                self._put(ch)
            i += 1

    def _put(self, ch: str) -> None:
        if self._pending_wrap:
            self.row += 1
            self.col = 0
            self._pending_wrap = False
            self._ensure(self.row)
            self.wrapped_rows.add(self.row)
        cells = self.rows[self.row]
        while len(cells) <= self.col:
            cells.append(" ")
        cells[self.col] = ch
        if self.col == self.columns - 1:
            self._pending_wrap = True
        else:
            self.col += 1

    def _erase_to_end(self) -> None:
        del self.rows[self.row][self.col :]

    def _ensure(self, row: int) -> None:
        while len(self.rows) <= row:
            self.rows.append([])

    # Reading --------------------------------------------------------------------------------

    def text(self, row: int) -> str:
        """One row's text, without trailing blanks."""
        return "".join(self.rows[row]).rstrip()

    def lines(self) -> list[str]:
        """Every row's text, without the empty rows at the bottom."""
        lines = [self.text(r) for r in range(len(self.rows))]
        while lines and not lines[-1]:
            lines.pop()
        return lines

    def ever_shown(self) -> list[str]:
        """Everything rows showed: the redrawn states, then the final screen."""
        return [*self.shown, *self.lines()]
