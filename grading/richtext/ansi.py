"""Terminal output with ANSI colours as HTML: SGR styles become `<span>`s of fixed classes.

Only Select Graphic Rendition (`ESC [ ... m`, ECMA-48 8.3.117) is read: reset, bold, dim,
italic, underline, the 8 colours and their bright forms, foreground and background, and the
codes that undo each. The 256-colour and RGB forms (`38;5;n`, `38;2;r;g;b`) are skipped whole.
Every other escape sequence (cursor moves, OSC titles and hyperlinks) is dropped, so nothing a
terminal would interpret reaches the page. The classes are the page's to style:
`ansi-bold`, `ansi-dim`, `ansi-italic`, `ansi-underline`, `ansi-red`, `ansi-bright-red`,
`ansi-bg-red`, `ansi-bg-bright-red`, ... (colours: `COLOURS`).
"""

from __future__ import annotations

import re

from grading.richtext.sanitize import plain

COLOURS = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
_STYLES = {1: "bold", 2: "dim", 3: "italic", 4: "underline"}
_UNDO = {22: ("bold", "dim"), 23: ("italic",), 24: ("underline",)}
# CSI (parameters, intermediates, final byte), OSC up to BEL or ST, or any other ESC pair.
_ESCAPE = re.compile(r"\x1b(?:\[([0-?]*)[ -/]*([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_]?)")


def ansi_html(text: str) -> str:
    """`text` in `<pre>`, its SGR styles as spans and every other escape sequence dropped."""
    pieces: list[str] = []
    style = _Style()
    position = 0
    for match in _ESCAPE.finditer(text):
        pieces.append(style.span(text[position : match.start()]))
        if match.group(2) == "m":
            style.apply(match.group(1))
        position = match.end()
    pieces.append(style.span(text[position:]))
    return "<pre>" + "".join(pieces) + "</pre>"


class _Style:
    """The styles and colours in force, changed by SGR parameters."""

    def __init__(self) -> None:
        self.styles: set[str] = set()
        self.foreground: str | None = None
        self.background: str | None = None

    def reset(self) -> None:
        """Back to no style and the default colours (SGR 0)."""
        self.styles.clear()
        self.foreground = self.background = None

    def span(self, text: str) -> str:
        """`text` escaped, in a span of the classes in force when there are any."""
        if not text:
            return ""
        classes = [f"ansi-{name}" for name in sorted(self.styles)]
        classes += [f"ansi-{c}" for c in (self.foreground,) if c] + [
            f"ansi-bg-{c}" for c in (self.background,) if c
        ]
        if not classes:
            return plain(text)
        return f'<span class="{" ".join(classes)}">{plain(text)}</span>'

    def apply(self, parameters: str) -> None:
        """Apply `1;31` and the like; an empty list resets, as `0` does."""
        codes = [int(code) if code.isdigit() else 0 for code in parameters.split(";")]
        while codes:
            code = codes.pop(0)
            if code in (38, 48):
                del codes[: _extended_length(codes)]
            else:
                self._apply(code)

    def _apply(self, code: int) -> None:
        if code == 0:
            self.reset()
        elif code in _STYLES:
            self.styles.add(_STYLES[code])
        elif code in _UNDO:
            self.styles.difference_update(_UNDO[code])
        elif 30 <= code <= 37 or 90 <= code <= 97:
            self.foreground = _colour(code % 10, bright=code >= 90)
        elif 40 <= code <= 47 or 100 <= code <= 107:
            self.background = _colour(code % 10, bright=code >= 100)
        elif code == 39:
            self.foreground = None
        elif code == 49:
            self.background = None


def _colour(index: int, bright: bool) -> str:
    return f"bright-{COLOURS[index]}" if bright else COLOURS[index]


def _extended_length(codes: list[int]) -> int:
    """How many parameters follow 38 or 48: `5;n` or `2;r;g;b`."""
    if codes and codes[0] == 5:
        return 2
    if codes and codes[0] == 2:
        return 4
    return 1 if codes else 0
