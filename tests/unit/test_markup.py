"""Text from outside written into Markdown is data (issue 24): whatever a PubMed title holds, the
Markdown shows exactly its characters, never a link, an image or raw HTML."""

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewflow.core.markup import markdown_code, markdown_text
from reviewflow.report.pages import markdown_html

HOSTILE = (
    "Relapse [click here](https://evil.example/phish) ![pixel](https://evil.example/p.png) "
    "<script>alert(1)</script></table><h1>owned</h1> a|b &amp; *em* _u_ `code` ~~s~~ $x$"
)


def rendered(markdown: str) -> str:
    """The HTML of one paragraph, without its <p> tags."""
    out = markdown_html(markdown).strip()
    assert out.startswith("<p>") and out.endswith("</p>"), out
    return out[3:-4]


def test_a_hostile_title_shows_as_its_characters():
    text = markdown_text(HOSTILE)
    assert "<script>" not in text and "[click here](" not in text
    assert rendered(text) == html.escape(HOSTILE)
    cell = markdown_html(f"| title |\n|---|\n| {text} |\n")
    assert "<a " not in cell and "<img" not in cell and cell.count("<td>") == 1


def test_line_starts_and_words_stay_readable():
    assert markdown_text("# 1. heading\nsecond line") == "\\# 1. heading second line"
    assert markdown_text("12. x") == "12\\. x"
    assert markdown_text("- item") == "\\- item"
    assert markdown_text("sex_male (cases!F2) IgG4-related") == "sex_male (cases!F2) IgG4-related"


def test_code_spans_hold_any_identifier():
    assert markdown_code("v1:pubmed:123") == "`v1:pubmed:123`"
    assert markdown_code("a`b") == "``a`b``"
    assert rendered(markdown_code("`x`")) == "<code>`x`</code>"


TITLE_CHARACTERS = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"), include_characters="\n\t"
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=TITLE_CHARACTERS, max_size=80))
def test_any_text_renders_as_exactly_its_characters(value):
    shown = " ".join(value.split())
    if not shown:
        return
    assert rendered(markdown_text(value)) == html.escape(shown).replace("&#x27;", "'")
