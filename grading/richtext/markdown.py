"""A conservative Markdown for autograder output, written as escaped HTML.

What it reads, after CommonMark where it reads anything: ATX headings (`# ` to `###### `),
fenced code blocks (three or more backticks or tildes), flat lists (`-`, `*`, `+`, or `1.`),
thematic breaks (`---`, `***`, `___`), paragraphs separated by blank lines, and inline
`code`, **strong**, *emphasis* (or underscores), and links `[text](https://...)`. A link to
anything but http(s) keeps only its text; a link gets `rel="noopener noreferrer nofollow"`.
Raw HTML is not rendered but shown as the text it is; what it does not read stays text.
"""

from __future__ import annotations

import re
from html import escape

from grading.richtext.sanitize import LINK_REL, plain

_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_BULLET = re.compile(r" {0,3}[-*+][ \t]+(.*)")
_ORDERED = re.compile(r" {0,3}(\d{1,9})[.)][ \t]+(.*)")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_LINK = re.compile(r"\[([^\[\]]*)\]\(([^()\s]*)\)")
_WEB_URL = re.compile(r"https?://[^\s\"'<>`\\]+", re.IGNORECASE)
# On escaped text, so no capture can hold a tag's `<`: emphasis nests only inside strong.
_STRONG = re.compile(r"\*\*([^*<]+?)\*\*|__([^_<]+?)__")
_EMPHASIS = re.compile(r"\*([^*<]+?)\*|(?<![\w])_([^_<]+?)_(?![\w])")


def markdown_html(text: str) -> str:
    """`text` read as conservative Markdown, as escaped HTML."""
    lines = text.replace("\r\n", "\n").split("\n")
    blocks: list[str] = []
    while lines:
        blocks.append(_block(lines))
    return "\n".join(block for block in blocks if block)


def _block(lines: list[str]) -> str:
    """The block at the start of `lines`, consumed from them."""
    line = lines.pop(0)
    if not line.strip():
        return ""
    if fence := _FENCE.fullmatch(line.rstrip()) or _FENCE.match(line):
        return _code_block(fence.group(1), lines)
    if heading := _HEADING.fullmatch(line):
        level = len(heading.group(1))
        return f"<h{level}>{inline(heading.group(2) or '')}</h{level}>"
    if _RULE.fullmatch(line):
        return "<hr>"
    if _BULLET.fullmatch(line) or _ORDERED.fullmatch(line):
        return _list(line, lines)
    return _paragraph(line, lines)


def _code_block(fence: str, lines: list[str]) -> str:
    """A fenced code block up to its closing fence (or the end), escaped."""
    body: list[str] = []
    while lines:
        line = lines.pop(0)
        if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
            break
        body.append(line)
    return "<pre><code>" + plain("\n".join(body)) + "</code></pre>"


def _list(first: str, lines: list[str]) -> str:
    """A flat list of the items of one kind that follow each other."""
    pattern = _BULLET if _BULLET.fullmatch(first) else _ORDERED
    items = [first]
    while lines and pattern.fullmatch(lines[0]) and not _RULE.fullmatch(lines[0]):
        items.append(lines.pop(0))
    matches = [match for match in map(pattern.fullmatch, items) if match]
    body = "".join(f"<li>{inline(match.group(match.lastindex or 1))}</li>" for match in matches)
    if pattern is _BULLET:
        return f"<ul>{body}</ul>"
    start = int(matches[0].group(1))
    return f'<ol start="{start}">{body}</ol>' if start != 1 else f"<ol>{body}</ol>"


def _paragraph(first: str, lines: list[str]) -> str:
    """Lines up to a blank line or the start of another block."""
    body = [first]
    while lines and lines[0].strip() and not _starts_block(lines[0]):
        body.append(lines.pop(0))
    return "<p>" + inline("\n".join(line.strip() for line in body)) + "</p>"


def _starts_block(line: str) -> bool:
    return any(pattern.fullmatch(line) for pattern in (_HEADING, _RULE, _BULLET, _ORDERED)) or bool(
        _FENCE.match(line)
    )


def inline(text: str) -> str:
    """Inline Markdown as escaped HTML: code spans first, then links, then emphasis."""
    pieces: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        pieces.append(_links(text[position : match.start()]))
        pieces.append(f"<code>{plain(match.group(2).strip())}</code>")
        position = match.end()
    pieces.append(_links(text[position:]))
    return "".join(pieces)


def _links(text: str) -> str:
    pieces: list[str] = []
    position = 0
    for match in _LINK.finditer(text):
        pieces.append(_emphasised(text[position : match.start()]))
        pieces.append(_link(match.group(1), match.group(2)))
        position = match.end()
    pieces.append(_emphasised(text[position:]))
    return "".join(pieces)


def _link(label: str, url: str) -> str:
    """A link to an http(s) URL; any other kind of target keeps only the label."""
    if not _WEB_URL.fullmatch(url):
        return _emphasised(label)
    return f'<a href="{escape(url)}" rel="{LINK_REL}">{_emphasised(label)}</a>'


def _emphasised(text: str) -> str:
    escaped = plain(text)
    escaped = _STRONG.sub(lambda m: f"<strong>{m.group(1) or m.group(2)}</strong>", escaped)
    return _EMPHASIS.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", escaped)
