"""Text from outside written into Markdown as data, never as markup: titles, authors, journals,
abstracts and identifiers of records come from PubMed and the databases' exports, and a title
holding `[click](https://...)`, `![x](https://.../pixel.png)`, `<script>` or `</table><h1>` must
show as those characters in every .md file, in the HTML pages made from them and in the pull
request text `reviewflow update` prints. One owner for that escaping (HTML tables escape their
cells with `html.escape` in reviewflow.report.pages)."""

from __future__ import annotations

import re

# CommonMark's backslash-escapable punctuation that starts markup inside a line: links and images
# ([ ]; the ! of an image needs its [, so `cases!F2` stays as it is), raw HTML and autolinks
# (< >), entities (&), code (`), emphasis (*, and _ unless inside a word, where it is no markup:
# `sex_male` stays readable), strikethrough (~), table cells (|), math on GitHub ($), and the
# backslash itself.
INLINE_SPECIAL = re.compile(r"([\\`*\[\]<>&|~$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
# What starts a block at the beginning of a line: a heading, quote, list item, rule.
LINE_START_SPECIAL = re.compile(r"^(\s*\d*)([#>+\-=.)])")


def markdown_text(value: object) -> str:
    """`value` as Markdown inline text that renders exactly as written: whitespace runs (line
    breaks included) become one space and markup characters are backslash-escaped."""
    text = " ".join(str(value).split())
    text = INLINE_SPECIAL.sub(r"\\\1", text)
    start = LINE_START_SPECIAL.match(text)
    if start and (start.group(2) in ".)") == bool(start.group(1).strip()):
        text = f"{start.group(1)}\\{text[start.end(1) :]}"
    return text


def markdown_code(value: object) -> str:
    """`value` as a Markdown code span (an identifier): fenced by more backticks than it holds."""
    text = " ".join(str(value).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}" if text else ""
