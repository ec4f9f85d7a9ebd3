"""Autograder output as HTML that is safe to put in a page, whatever the autograder wrote.

One function per output format Gradescope defines (gradescope/autograder_samples,
docs/specs.md, "Output String Formatting"), all returning escaped, well-formed HTML:

- `text`: the text as it is, in `<pre>`; no markup, Markdown or ANSI is rendered.
- `ansi`: the same, with ANSI SGR colours and styles as `<span>`s of a fixed set of classes
  (`ansi.py`); every other escape sequence is dropped.
- `md`: a conservative Markdown (`markdown.py`): headings, emphasis, code, lists, rules,
  paragraphs, and links to http(s) only. Raw HTML in it is shown as text.
- `html`: HTML kept only as far as an allowlist of tags and attributes (`sanitize.py`).
- `simple_format`: Gradescope's default for the top-level output, after Rails' helper of that
  name: sanitised HTML in which a newline is a line break and a blank line ends a paragraph.

Every text is escaped and every tag or attribute written is one the allowlist names, so no
output holds a script, an event handler, a style or a link to anything but http(s).
"""

from __future__ import annotations

from grading.gradescope import OutputFormat
from grading.richtext.ansi import ansi_html
from grading.richtext.markdown import markdown_html
from grading.richtext.sanitize import plain, sanitized_html


def to_html(text: str, fmt: OutputFormat) -> str:
    """`text` written in `fmt` as safe HTML."""
    if fmt == "ansi":
        return ansi_html(text)
    if fmt == "md":
        return markdown_html(text)
    if fmt == "html":
        return sanitized_html(text)
    if fmt == "simple_format":
        return sanitized_html(text, line_breaks=True)
    return f"<pre>{plain(text)}</pre>"
