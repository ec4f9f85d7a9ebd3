"""Autograder output as safe HTML: each Gradescope format rendered, nothing executable kept."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.gradescope import OutputFormat
from grading.richtext import to_html
from grading.richtext.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

REL = 'rel="noopener noreferrer nofollow"'


@pytest.mark.parametrize(
    ("text", "fmt", "html"),
    [
        pytest.param("a < b & c\n", "text", "<pre>a &lt; b &amp; c\n</pre>", id="text-escaped"),
        pytest.param(
            "**no** <b>", "text", "<pre>**no** &lt;b&gt;</pre>", id="text-renders-nothing"
        ),
        pytest.param("bell\x07\r\nnul\x00", "text", "<pre>bell\nnul</pre>", id="text-controls"),
        pytest.param(
            "\x1b[1;31mFAIL\x1b[0m ok",
            "ansi",
            '<pre><span class="ansi-bold ansi-red">FAIL</span> ok</pre>',
            id="ansi-bold-red-then-reset",
        ),
        pytest.param(
            "\x1b[92;44mx\x1b[39my\x1b[49mz",
            "ansi",
            '<pre><span class="ansi-bright-green ansi-bg-blue">x</span>'
            '<span class="ansi-bg-blue">y</span>z</pre>',
            id="ansi-colours-undone-one-by-one",
        ),
        pytest.param(
            "\x1b[38;5;196mred\x1b[38;2;1;2;3;4mu\x1b[m.",
            "ansi",
            '<pre>red<span class="ansi-underline">u</span>.</pre>',
            id="ansi-extended-colours-skipped",
        ),
        pytest.param(
            "\x1b]8;;javascript:alert(1)\x07link\x1b]8;;\x07\x1b[2J\x1b[Hx",
            "ansi",
            "<pre>linkx</pre>",
            id="ansi-other-sequences-dropped",
        ),
        pytest.param("<i>\x1b[4m", "ansi", "<pre>&lt;i&gt;</pre>", id="ansi-text-escaped"),
        pytest.param(
            "# Results\n\nYou got **8/10**, see *below*.",
            "md",
            "<h1>Results</h1>\n<p>You got <strong>8/10</strong>, see <em>below</em>.</p>",
            id="md-heading-paragraph-emphasis",
        ),
        pytest.param(
            "- `f(1)` <b>\n- snake_case_name\n\n2. two\n3. three",
            "md",
            "<ul><li><code>f(1)</code> &lt;b&gt;</li><li>snake_case_name</li></ul>\n"
            '<ol start="2"><li>two</li><li>three</li></ol>',
            id="md-lists-code-raw-html",
        ),
        pytest.param(
            "```python\nif a < b:\n    print('**')\n```\n---",
            "md",
            "<pre><code>if a &lt; b:\n    print(&#x27;**&#x27;)</code></pre>\n<hr>",
            id="md-fenced-code-and-rule",
        ),
        pytest.param(
            "[docs](https://docs.python.org/3/?a=1&b=2) [x](javascript:alert) [y](/relative)",
            "md",
            f'<p><a href="https://docs.python.org/3/?a=1&amp;b=2" {REL}>docs</a> x y</p>',
            id="md-links-http-only",
        ),
        pytest.param(
            '<p class="x" onclick="steal()">Hi <a href="https://a.org" target=_top>a</a></p>',
            "html",
            f'<p>Hi <a href="https://a.org" {REL}>a</a></p>',
            id="html-attributes-allowlisted",
        ),
        pytest.param(
            "<script>alert(1)</script><style>p{}</style><svg onload=x><a>in</a></svg>ok",
            "html",
            "ok",
            id="html-code-dropped-with-content",
        ),
        pytest.param(
            '<a href="java&#x09;script:alert(1)">a</a><a href=" javascript:x">b</a>',
            "html",
            f"<a {REL}>a</a><a {REL}>b</a>",
            id="html-javascript-urls-dropped",
        ),
        pytest.param(
            "<img src=x onerror=alert(1)><iframe src=//e></iframe><!-- c --><b>bold",
            "html",
            "<b>bold</b>",
            id="html-unknown-tags-and-comments-dropped-open-tags-closed",
        ),
        pytest.param(
            "<table><tr><td colspan=2 style=x>1</td></tr></table><ol start=5><li>x</ol>",
            "html",
            '<table><tr><td colspan="2">1</td></tr></table><ol start="5"><li>x</li></ol>',
            id="html-tables-and-lists",
        ),
        pytest.param(
            "Total: 8\nLate: -1\n\n<b>Well done</b>\n<pre>a\nb</pre>",
            "simple_format",
            "<p>Total: 8<br>\nLate: -1</p>\n<p><b>Well done</b><br>\n<pre>a\nb</pre></p>",
            id="simple-format-breaks-and-paragraphs",
        ),
        pytest.param(
            "<b>a\n\nb</b>",
            "simple_format",
            "<p><b>a<br>\n<br>\nb</b></p>",
            id="simple-format-blank-line-inside-a-tag",
        ),
    ],
)
def test_each_format_renders_as_gradescope_describes_it(
    text: str, fmt: OutputFormat, html: str
) -> None:
    assert to_html(text, fmt) == html


class _Tags(HTMLParser):
    """The tags and attributes an HTML document holds, as a browser's tokenizer reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


HOSTILE = [
    "<script>", "</script>", "<SCRIPT SRC=//x>", "<scr<script>ipt>", "<a href=", '"', "'", ">",
    "<", "javascript:alert(1)", "java\tscript:", "&#106;avascript:", "JaVaScRiPt:", " onload=",
    " onerror=alert(1)", "<img src=x", "<svg/onload=x>", "<iframe>", "<style>", "style=",
    "<!--", "-->", "<![CDATA[", "]]>", "[x](", ")", "](javascript:x)", "https://a.b/",
    "**", "*", "_", "`", "```\n", "# ", "- ", "\n", "\n\n", "\x1b[31m", "\x1b]8;;", "\x07",
    "\x00", "<a", "<b>", "</b>", "<pre>", "<p>", "<math>", "<textarea>", "<noscript>", "&",
]  # fmt: skip
FRAGMENTS = st.lists(st.sampled_from(HOSTILE) | st.text(max_size=4), max_size=30).map("".join)
FORMATS = st.sampled_from(get_args(OutputFormat))


@given(FRAGMENTS, FORMATS)
def test_no_output_holds_a_script_a_handler_a_style_or_a_javascript_url(
    text: str, fmt: OutputFormat
) -> None:
    html = to_html(text, fmt)
    assert "<script" not in html.lower()
    parsed = _Tags()
    parsed.feed(html)
    parsed.close()
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, frozenset()) | {"rel", "class"}
            assert not name.startswith("on")
            assert "javascript:" not in (value or "").lower()
            if name == "href":
                assert (value or "").startswith(("http://", "https://"))


@given(FRAGMENTS, FORMATS)
def test_no_tag_in_any_output_has_an_on_attribute_even_as_written(
    text: str, fmt: OutputFormat
) -> None:
    html = to_html(text, fmt)
    assert " on" not in "".join(part.split(">")[0] for part in html.split("<")[1:])
