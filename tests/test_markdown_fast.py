"""The fast block parse gives markdown-it-py's tokens, block for block, on literal, generated and real bodies."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, SHARED, requires_corpus, requires_shared
from transync import document
from transync.document import markdown
from transync.document.mdx import syntax_of
from transync.document.outline import _markdown, outline
from transync.document.segments import _parser, segment

PARSERS = {
    "segmenter md": lambda: _parser("md"),
    "segmenter mdx": lambda: _parser("mdx"),
    "outline md": lambda: _markdown("md"),
    "outline mdx": lambda: _markdown("mdx"),
}


def view(tokens) -> list[tuple]:
    """What transync reads of a token."""
    return [(t.type, t.tag, t.nesting, tuple(t.map) if t.map else None, t.content, t.markup, t.info) for t in tokens]


def both(md, body: str):
    """markdown-it's tokens and the fast parse's (or the error each raised)."""
    results = []
    for parse in (lambda: md.parse(body, {}), lambda: markdown.parse(md, body, {})):
        try:
            results.append(view(parse()))
        except Exception as exc:
            results.append((type(exc), str(exc)))
    return results


def assert_same(body: str) -> None:
    for name, make in PARSERS.items():
        slow, fast = both(make(), body)
        assert fast == slow, (name, body)


@pytest.fixture
def no_rule_chain(monkeypatch):
    """markdown-it's block state cannot be made: a parse that needs its rules fails."""

    class Refused:
        def __init__(self, *args, **kwargs):
            raise AssertionError("markdown-it's rules were used")

    import markdown_it.rules_block

    monkeypatch.setattr(markdown_it.rules_block, "StateBlock", Refused)


REVIEW = """\
## Overview

The Soranik MEMS-3 is a hybrid IEM [1]. It costs 1,600 USD
and needs an external energizer [2][3].

## Scientific Validity

$$ \\Large \\text{0.5} $$

**Note:** measurements are missing; see https://example.com/a.
2025.11.11 was the review date.

[1] Author, "Title," https://example.com/1, accessed 2025.

- first point
- second point

* star item

1. Soranik, "MEMS Technology," https://www.soranik.com/m-e-m-s/
2. In-ear Gems, "Review MEMS-3," https://iegems.nk-tran.com/

3) another list

---

```python
print("$$ not math $$")
```

(2025.11.11)
"""


def test_a_review_is_built_without_markdown_its_rules_and_reads_the_same(no_rule_chain):
    tokens = markdown.parse(_markdown("md"), REVIEW, {})
    kinds = [t.type for t in tokens if t.nesting >= 0 and t.type != "inline"]
    assert kinds == [
        "heading_open", "paragraph_open", "heading_open", "math_block", "paragraph_open", "paragraph_open",
        "bullet_list_open", "list_item_open", "paragraph_open", "list_item_open", "paragraph_open",
        "bullet_list_open", "list_item_open", "paragraph_open",
        "ordered_list_open", "list_item_open", "paragraph_open", "list_item_open", "paragraph_open",
        "ordered_list_open", "list_item_open", "paragraph_open", "hr", "fence", "paragraph_open",
    ]
    inline = [(t.map, t.content) for t in tokens if t.type == "inline"]
    assert inline[1] == ([2, 4], "The Soranik MEMS-3 is a hybrid IEM [1]. It costs 1,600 USD\nand needs an external energizer [2][3].")
    assert inline[3] == ([9, 11], "**Note:** measurements are missing; see https://example.com/a.\n2025.11.11 was the review date.")
    assert [t.content for t in tokens if t.type == "math_block"] == [" \\Large \\text{0.5} "]
    assert [(t.info, t.content) for t in tokens if t.type == "fence"] == [("python", 'print("$$ not math $$")\n')]


def test_a_review_gives_markdown_its_tokens_segments_and_outline():
    assert_same(REVIEW)
    found = outline(REVIEW)
    assert [n.value for n in found.citations] == [1, 2, 3, 1]
    assert [s.kind for s in segment(REVIEW).segments][:4] == ["heading", "paragraph", "heading", "paragraph"]


@pytest.mark.parametrize(
    "body",
    [
        # Something interrupts or continues a block: markdown-it's rules decide, from the block's first line.
        "A paragraph\n- a list that interrupts it\n",
        "A paragraph\n# a heading that interrupts it\n",
        "A paragraph\n===\n",
        "A paragraph\n---\n",
        "- item\nlazy continuation\n",
        "- item\n\n  indented continuation\n",
        "- item\n-\n- after an empty item\n",
        "- item\n\n-     code in an item\n",
        "1. one\n1) two\n",
        "- dash\n* star\n",
        "a | b\n--|--\n1 | 2\n",
        "## a | b\n|---|---|\n",
        "[ref]: https://example.com\n\n[ref]\n",
        "[1] not a definition\n[2]: https://example.com a definition after it\n",
        "$$\nx^2\n$$\n",
        "$$ x $$ (label)\n",
        "$$$\n",
        "> quoted\ntext\n",
        "```\nunclosed fence\n",
        "```\ncode\n   ```   \nafter\n",
        "````\n```\n````\n",
        "~~~ info `ticks` allowed\n~~~\n",
        "``` info `no`\n```\n",
        "```\n    ```\nstill code\n```\n",
        "\tindented with a tab\n",
        "    indented code\n",
        "<div>\nhtml\n</div>\n",
        "# Title #\n## Closed ##   \n### #\n#### ####\n####### seven\n#hashtag\n",
        "***\n* * *\n_ _ _\n- - -\n__init__ is plain\n",
        "paragraph\r\nwith CRLF\rand CR\n",
        "NUL \x00 in text\n",
        "last line without newline",
        "text\n  \t",
        "text\n\n   \n",
        "",
        "\n\n",
        "1234567890. ten digits\n",
        "+ plus\n+ items\n",
        "- [ ] task\n",
        "- item | with bar\n- --|--\n",
        "  - indented list\n",
        "text\u00a0\n\u3000ideographic\n",
    ],
)
def test_every_kind_of_line_gives_markdown_its_tokens(body):
    assert_same(body)


MDX_PAGE = """\
import { Tabs, TabItem } from '@astrojs/starlight/components';

# Welcome

Some text with {frontmatter.title} and <kbd>Ctrl</kbd>.

<Tabs>
  <TabItem label="npm">
    ```sh
    npm install
    ```
  </TabItem>
</Tabs>

:::tip[A custom title]
Aside text.
:::

export const x = 1;

{/* a comment */}

- list item
- another
"""


def test_an_mdx_page_gives_markdown_its_tokens():
    assert_same(MDX_PAGE)


LINES = st.sampled_from(
    [
        "", " ", "\t", "Plain text", "plain *em* and **strong**", "[1] A citation", "[x]: /url", "[x]", "# H", "## H ##", "#NoSpace",
        "$$ a $$", "$$", "$$ a", "$$ a $$ (eq)", "- item", "-item", "* item", "+ item", "1. one", "2) two", "10. ten", "-", "1.",
        "-     five spaces", "  - nested", "    code", "\tcode", "> quote", "```", "```js", "~~~", "```` ", "   ```", "---", "***",
        "___", "===", "--", "| a | b |", "|---|---|", "a | b", "--|--", ":---|", "<div>", "</div>", "<Tabs>", "{x}", "{/* c */}",
        "import x from 'y';", "export const a = 1;", ":::note", ":::tip[Title]", ":::", "&amp; entity", "\\# escaped", "2025.11.11",
        "__init__", "**Type:** `string`", "Text with | bar", "a\u00a0", "\u3000", "- [1] cite", "1. $$ x $$", "- # h", "- > q",
        "* * *", "- ```", "```\t", "~~~~", "  ~~~", "    ~~~", "\t```", "[a]b", "[a]:", "[a\\]b] c", "$$x$$", "$$ $$", "$$$$",
        "#\ttab", "# ", "#", "- - x", "1.  two spaces", "1.    four", "1.     five", "-\tx", "*\tx", "+", "=a", "==",
    ]
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(LINES, min_size=1, max_size=14), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_generated_bodies_give_markdown_its_tokens(lines, newline, final_newline):
    body = newline.join(lines) + (newline if final_newline else "")
    assert_same(body)


# --------------------------------------------------------------------------- real data


def _files(root: Path) -> list[Path]:
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        found.extend(Path(folder) / n for n in names if n.endswith((".md", ".mdx")))
    return sorted(found)


def _body(path: Path, data: bytes) -> str:
    try:
        return document.parse(data, syntax=syntax_of(path)).body
    except document.DocumentError:
        return data.decode("utf-8", errors="replace")


@requires_corpus()
def test_every_file_of_the_real_site_gives_markdown_its_tokens():
    files = _files(CORPUS)
    assert len(files) > 7000
    differ = []
    for path in files:
        body = _body(path, path.read_bytes())
        md = _markdown(syntax_of(path))
        slow, fast = both(md, body)
        if slow != fast:
            differ.append(str(path))
    assert differ == []


ASTRO_BUNDLE = SHARED / "corpus" / "astro-docs-history.bundle"


@requires_shared(ASTRO_BUNDLE)
def test_every_astro_docs_page_gives_markdown_its_tokens(tmp_path):
    from test_mdx import _pages_at_head

    pages = _pages_at_head(ASTRO_BUNDLE, tmp_path)
    assert len(pages) == 2569
    differ = []
    for path, data in pages.items():
        body = _body(Path(path), data)
        for md in (_parser(syntax_of(path)), _markdown(syntax_of(path))):
            slow, fast = both(md, body)
            if slow != fast:
                differ.append(path)
    assert differ == []


def test_a_parser_with_other_rules_is_parsed_by_markdown_it_alone(monkeypatch):
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")  # no tables, no dollar math: not a rule set the fast path knows
    calls = []
    original = md.parse
    monkeypatch.setattr(md, "parse", lambda src, env=None: calls.append(src) or original(src, env))
    tokens = markdown.parse(md, "# Title\n\nText.\n", {})
    assert calls == ["# Title\n\nText.\n"]
    assert [t.type for t in tokens] == ["heading_open", "inline", "heading_close", "paragraph_open", "inline", "paragraph_close"]
