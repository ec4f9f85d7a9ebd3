"""HTML kept to an allowlist: the tags and attributes below, every text escaped.

The input is read by the standard library's tokenizer and written anew from its tokens, so the
page only ever receives tags this module wrote, with double-quoted, escaped attribute values,
and escaped text between them: whatever a browser would have made of the original (comments,
`<!DOCTYPE>`, unclosed tags, odd quoting) never reaches it. A tag not allowed is dropped and
its text kept, except for the elements whose content is code or hidden (`script`, `style`,
`svg`, ...), dropped whole. Only `href`s to http(s) survive (after the whitespace and control
characters browsers ignore), and each link gets `rel="noopener noreferrer nofollow"`. No
`style`, `class`, `id` or `on*` attribute is ever written: an autograder's output cannot
restyle or imitate the page around it. End tags close what is open, and what is left open is
closed at the end, so the result is well-formed.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
        "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "ol", "p",
        "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": frozenset({"href", "title"}),
    "abbr": frozenset({"title"}),
    "ol": frozenset({"start"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan"}),
}
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "iframe", "object", "embed", "noscript", "noembed",
        "noframes", "textarea", "title", "xmp", "svg", "math", "select", "head", "frameset",
    }
)  # fmt: skip
LINK_REL = "noopener noreferrer nofollow"
_VOID = frozenset({"br", "hr"})
_NUMBER = re.compile(r"\d{1,4}")
_WEB_URL = re.compile(r"https?://[^\s\"'<>`\\]+", re.IGNORECASE)
# Browsers drop leading and trailing C0 controls and spaces and every tab and newline in a URL
# (WHATWG URL, "basic URL parser"), which is how `java\tscript:` runs; such URLs are refused.
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PARAGRAPH = re.compile(r"\n{2,}")


def plain(text: str) -> str:
    """Text escaped for HTML, with its control characters but tab and newline removed."""
    return escape(_CONTROLS.sub("", text.replace("\r\n", "\n")))


def sanitized_html(text: str, line_breaks: bool = False) -> str:
    """`text` as HTML kept to the allowlist; `line_breaks` makes newlines outside `<pre>`
    line breaks and blank lines paragraph ends (Gradescope's `simple_format`)."""
    writer = _Writer(line_breaks)
    writer.feed(text)
    writer.close()
    return writer.html()


class _Writer(HTMLParser):
    """Writes allowed tokens as they are read; see the module's docstring."""

    def __init__(self, line_breaks: bool) -> None:
        super().__init__(convert_charrefs=True)
        self._line_breaks = line_breaks
        self._out: list[str] = ["<p>"] if line_breaks else []
        self._open: list[str] = []
        self._dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self._dropping += 1
        elif not self._dropping and tag in ALLOWED_TAGS:
            self._out.append(f"<{tag}{_attributes(tag, attrs)}>")
            if tag not in _VOID:
                self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID and not self._dropping:
            self._out.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self._dropping = max(self._dropping - 1, 0)
        elif not self._dropping and tag in self._open:
            while self._open:
                closed = self._open.pop()
                self._out.append(f"</{closed}>")
                if closed == tag:
                    break

    def handle_data(self, data: str) -> None:
        if self._dropping:
            return
        text = plain(data)
        if self._line_breaks and "pre" not in self._open:
            text = _broken(text, paragraphs=not self._open)
        self._out.append(text)

    def html(self) -> str:
        """What was written, every open tag closed."""
        closing = [f"</{tag}>" for tag in reversed(self._open)]
        ending = ["</p>"] if self._line_breaks else []
        return "".join(self._out + closing + ending)


def _attributes(tag: str, attrs: list[tuple[str, str | None]]) -> str:
    """The allowed attributes of `tag`, escaped and double-quoted, and a link's `rel`."""
    allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset())
    kept = {
        name: value
        for name, value in attrs
        if name in allowed and value is not None and _acceptable(name, value)
    }
    if tag == "a":
        kept["rel"] = LINK_REL
    return "".join(f' {name}="{escape(value)}"' for name, value in kept.items())


def _acceptable(name: str, value: str) -> bool:
    if name == "href":
        return _WEB_URL.fullmatch(value) is not None and not _URL_JUNK.search(value)
    if name in ("start", "colspan", "rowspan"):
        return _NUMBER.fullmatch(value) is not None
    return True


def _broken(text: str, paragraphs: bool) -> str:
    """Escaped text with newlines as `<br>`, and blank lines as paragraph ends when allowed."""
    between = "</p>\n<p>" if paragraphs else "<br>\n<br>\n"
    return between.join(part.replace("\n", "<br>\n") for part in _PARAGRAPH.split(text))
