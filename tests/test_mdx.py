"""MDX bodies: ESM, JSX and expressions kept, the prose inside components and asides translated."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SHARED, requires_shared
from transync import document
from transync.document import provenance
from transync.document.mdx import structure, syntax_of
from transync.document.outline import outline
from transync.document.placeholders import check_translation
from transync.document.segments import SegmentError, segment
from transync.translate.body import translate_body
from transync.translate.engines.pseudo import PseudoEngine


def texts(body: str) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in segment(body, "mdx").segments]


def pseudo(body: str) -> str:
    out = translate_body(segment(body, "mdx"), PseudoEngine(), source_lang="en", target_lang="de")
    assert not out.rejected
    assert out.text is not None
    return out.text


PAGE = """\
import { Tabs, TabItem } from '@astrojs/starlight/components';
import {
  Card,
  CardGrid,
} from '@astrojs/starlight/components';
export const components = {
  em: (props) => <i {...props} />,

  strong: 'b',
};

# Welcome to {frontmatter.title}

{/* A comment: never translated */}

<Tabs>
  <TabItem label="npm">
  Install it with npm.
  </TabItem>
  <TabItem label="pnpm">
    Install it with **pnpm**.
  </TabItem>
</Tabs>

<Card
  title="Read the docs"
  icon="open-book"
/>

Astro 4.2 added <Since v="4.2.0" /> the `--host` flag, see {props.link}.

:::tip[Did you know?]
Asides take **Markdown**.
:::

1. First step.

   :::caution
   Careful with this one.
   :::
"""


def test_a_starlight_page_is_segmented_around_its_structure():
    assert texts(PAGE) == [
        ("heading", "Welcome to {frontmatter.title}"),
        ("paragraph", "Install it with npm."),
        ("paragraph", "Install it with **pnpm**."),
        ("paragraph", 'Astro 4.2 added <Since v="4.2.0" /> the `--host` flag, see {props.link}.'),
        ("aside_title", "Did you know?"),
        ("paragraph", "Asides take **Markdown**."),
        ("list_item", "First step."),
        ("list_item", "Careful with this one."),
    ]
    segmented = segment(PAGE, "mdx")
    assert segmented.reassemble() == PAGE
    assert [s.id for s in segmented.segments] == [f"s{n}" for n in range(1, 9)]
    assert [s.line for s in segmented.segments] == [12, 18, 21, 30, 32, 33, 36, 39]


def test_inline_jsx_and_expressions_are_placeholders():
    segmented = segment(PAGE, "mdx")
    assert segmented.segments[0].template.xml == 'Welcome to <x id="1"/>'
    template = segmented.segments[3].template
    assert template.xml == 'Astro 4.2 added <x id="1"/> the <x id="2"/> flag, see <x id="3"/>.'
    assert template.keeps == {"1": '<Since v="4.2.0" />', "2": "`--host`", "3": "{props.link}"}


def test_pseudo_translation_of_a_starlight_page():
    assert pseudo(PAGE) == """\
import { Tabs, TabItem } from '@astrojs/starlight/components';
import {
  Card,
  CardGrid,
} from '@astrojs/starlight/components';
export const components = {
  em: (props) => <i {...props} />,

  strong: 'b',
};

# ⟦Ŵéļçömé ţö {frontmatter.title} ···⟧

{/* A comment: never translated */}

<Tabs>
  <TabItem label="npm">
  ⟦Îñšţåļļ îţ ŵîţĥ ñpm.·····⟧
  </TabItem>
  <TabItem label="pnpm">
    ⟦Îñšţåļļ îţ ŵîţĥ **pñpm**.·····⟧
  </TabItem>
</Tabs>

<Card
  title="Read the docs"
  icon="open-book"
/>

⟦Åšţŕö 4.2 åđđéđ <Since v="4.2.0" /> ţĥé `--host` fļåĝ, šéé {props.link}. ······⟧

:::tip[⟦Ðîđ ýöû ķñöŵ?···⟧]
⟦Åšîđéš ţåķé **Måŕķđöŵñ**.·····⟧
:::

1. ⟦Fîŕšţ šţép.···⟧

   :::caution
   ⟦Çåŕéfûļ ŵîţĥ ţĥîš öñé.·····⟧
   :::
"""
    assert structure(pseudo(PAGE)) == structure(PAGE)


def test_the_same_text_as_markdown_is_read_as_before():
    # A .md body knows no ESM, JSX or asides: the import is a paragraph, the
    # tags an HTML block, "{...}" plain text.
    body = "import A from 'a';\n\n<Tabs>\n  Text.\n</Tabs>\n\n:::note\nAside.\n:::\n\nSee {x}.\n"
    assert [(s.kind, s.text) for s in segment(body).segments] == [
        ("paragraph", "import A from 'a';"),
        ("paragraph", ":::note\nAside.\n:::"),
        ("paragraph", "See {x}."),
    ]
    assert segment(body).segments[2].template.xml == "See {x}."
    assert texts(body) == [("paragraph", "Text."), ("paragraph", "Aside."), ("paragraph", "See {x}.")]
    assert segment(body, "mdx").segments[2].template.xml == 'See <x id="1"/>.'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # An export whose JavaScript spans a blank line ends where it is complete.
        ("export function f() {\n\n  return '}';\n}\n\nText.\n", [("paragraph", "Text.")]),
        ("export const meta = { title: `a ${b} c` };\nText on the next line is still the statement.\n\nProse.\n", [("paragraph", "Prose.")]),
        ("import './styles.css';\n\nProse.\n", [("paragraph", "Prose.")]),
        # ESM only at the top level: in a list item it is prose (MDX reads it so).
        ("- import the module first.\n", [("list_item", "import the module first.")]),
        ("Importing is done with\nimport statements.\n", [("paragraph", "Importing is done with\nimport statements.")]),
        # Tags alone on their lines, attributes spanning lines, expressions and fragments.
        ('<Card\n  title="x"\n  icon={"open book"}\n>\nBody text.\n</Card>\n', [("paragraph", "Body text.")]),
        ("<><b>Bold</b></>\n", [("paragraph", "<><b>Bold</b></>")]),
        ("<br />\n<Tabs><TabItem label='a'>\n", []),
        ('<FileTree>\n- src/\n  - pages/ the routes\n</FileTree>\n', [("list_item", "src/"), ("list_item", "pages/ the routes")]),
        ("{/*\n  a comment\n  over lines\n*/}\n\nText.\n", [("paragraph", "Text.")]),
        ("Text then\n<Tag />\nmore text.\n", [("paragraph", "Text then"), ("paragraph", "more text.")]),
        # A tag followed by text on its line starts a paragraph; the tags are placeholders.
        ('<p>Some *text*</p>\n', [("paragraph", "<p>Some *text*</p>")]),
        # Indentation is nesting, never code.
        ("<Steps>\n1. Run it.\n\n        Indented prose.\n\n    ```sh\n    npm i\n    ```\n</Steps>\n", [("list_item", "Run it."), ("list_item", "Indented prose.")]),
        ("<Fragment>\n\t\tTabbed prose.\n</Fragment>\n", [("paragraph", "Tabbed prose.")]),
        # Asides: titles with brackets inside, attributes, nesting, a bare closer.
        (":::note[See [the guide](/guide/)]\nBody.\n:::\n", [("aside_title", "See [the guide](/guide/)"), ("paragraph", "Body.")]),
        (":::danger{.big}\nBody.\n:::\n", [("paragraph", "Body.")]),
        ("::::note\nOuter.\n:::tip\nInner.\n:::\n::::\n", [("paragraph", "Outer."), ("paragraph", "Inner.")]),
        (":::[Not a directive]\nText.\n:::\n", [("paragraph", ":::[Not a directive]\nText.")]),
        ("> :::note\n> Quoted aside.\n> :::\n", [("blockquote", "Quoted aside.")]),
    ],
)
def test_segments_of_mdx(body, expected):
    assert texts(body) == expected
    assert segment(body, "mdx").reassemble() == body


@pytest.mark.parametrize(
    ("body", "reason", "line"),
    [
        ("Text.\n\nexport const x = {\n  a: 1,\n\nMore.\n", "this import or export never ends (a string, comment or bracket is not closed)", 3),
        ("Text.\n\nSee {props.link and more.\n", "this expression '{' is not closed (MDX)", 3),
        ("Text.\n\nFirst line\nthen <Card title=\"x\n", "this JSX tag '<Card' is not closed (MDX)", 4),
        ("```js\nimport x from 'y';\n", "code fence is not closed", 1),
    ],
)
def test_unsafe_mdx_is_refused_with_the_line(body, reason, line):
    with pytest.raises(SegmentError) as caught:
        segment(body, "mdx")
    assert (caught.value.reason, caught.value.line) == (reason, line)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        # Each would read the rest of the body once per line or brace if
        # scanning started over: thousands of them stay fast (and are refused).
        ("{\n" * 4000, "this expression '{' is not closed (MDX)"),
        ('<A b="\n' * 4000, "this JSX tag '<A' is not closed (MDX)"),
        ("a { " * 8000, "this expression '{' is not closed (MDX)"),
        ("<A b={ " * 8000, "this JSX tag '<A' is not closed (MDX)"),
        ("export const x = {\n\n" * 2000, "this import or export never ends (a string, comment or bracket is not closed)"),
    ],
)
def test_hostile_mdx_is_refused(body, reason):
    with pytest.raises(SegmentError) as caught:
        segment(body, "mdx")
    assert caught.value.reason == reason


def test_structure_lists_what_must_survive():
    body = (
        "import A from 'a';\n\n"
        "<Tabs>\n  <TabItem label=\"x\">\n  Say {name} `{not this}` \\{nor this}.\n  </TabItem>\n</Tabs>\n\n"
        ":::tip[Title]\nText.\n:::\n\n"
        "```jsx\n<Ignored />\n```\n"
    )
    assert structure(body) == [
        "import A from 'a';",
        ":::tip",
        ":::",
        "<Tabs>",
        '<TabItem label="x">',
        "{name}",
        "</TabItem>",
        "</Tabs>",
    ]


def test_a_translation_that_changes_an_expression_is_caught():
    source = "See {props.link} and <Since v=\"4\" />."
    assert check_translation(source, "Voir {props.link} et <Since v=\"4\" />.", "mdx") is None
    assert check_translation(source, "Voir {props.lien} et <Since v=\"4\" />.", "mdx") == (
        "protected text changed (missing '{props.link}', added '{props.lien}')"
    )


def test_syntax_comes_from_the_suffix(tmp_path):
    assert [syntax_of(p) for p in ("a/b.mdx", "a/b.MDX", "a/b.md", "a/b.markdown")] == ["mdx", "mdx", "md", "md"]
    path = tmp_path / "page.mdx"
    path.write_text("---\ntitle: Page\n---\nimport A from 'a';\n\nText.\n", encoding="utf-8")
    doc = document.load(path)
    assert (doc.syntax, doc.meta) == ("mdx", {"title": "Page"})
    assert [(s.kind, s.text) for s in segment(doc.body, doc.syntax).segments] == [("paragraph", "Text.")]
    assert document.parse(path.read_bytes()).syntax == "md"


def test_aside_titles_have_a_provenance_code():
    segments = segment(":::tip[Title]\nBody.\n:::\n", "mdx").segments
    codes = provenance.decode(provenance.encode(segments))
    assert codes is not None and [provenance.kind(c) for c in codes] == ["aside_title", "paragraph"]
    assert provenance.structure_matches(codes, segments) is None


def test_outline_reads_component_text_as_prose():
    body = '<Tabs>\n  <TabItem label="x">\n      Text at https://a.org [1].\n  </TabItem>\n</Tabs>\n\n<Card href="https://b.org" />\n'
    assert outline(body).citations == ()  # CommonMark: one HTML block
    mdx = outline(body, syntax="mdx")
    assert (mdx.code, [c.value for c in mdx.citations]) == ((), [1])
    assert [u.value for u in mdx.urls] == ["https://a.org", "https://b.org"]


@pytest.mark.parametrize(
    ("esm", "complete"),
    [
        ("import a from 'b'", True),
        ("export const a = { b: '}' }", True),
        ("export const a = `${ {b: 1}.b }\n\n`", True),
        ("export const a = { // }\n}", True),
        ("export const a = {", False),
        ("import a from 'b", False),
        ("export const a = /* } */ {", False),
    ],
)
def test_a_statement_ends_where_its_javascript_is_complete(esm, complete):
    body = f"{esm}\n\nText.\n"
    if complete:
        assert texts(body) == [("paragraph", "Text.")]
    else:
        with pytest.raises(SegmentError, match="never ends"):
            segment(body, "mdx")


# --------------------------------------------------------------------------- properties

_words = st.sampled_from(["Install", "the", "package", "with", "npm", "Astro", "docs", "日本語", "テキスト", "é"])
_inline = st.one_of(
    _words,
    st.sampled_from(["**bold**", "*em*", "`code {x}`", "[link](/a/)", "{frontmatter.title}", "{/* note */}", '<Since v="4.2" />', "<kbd>Ctrl</kbd>", "\\{", "a < b", "https://astro.build"]),
)
_line = st.lists(_inline, min_size=1, max_size=6).map(" ".join)
_indent = st.sampled_from(["", "  ", "    ", "\t"])


@st.composite
def _block(draw) -> str:
    kind = draw(st.sampled_from(["para", "heading", "list", "quote", "component", "aside", "flow", "fence", "esm"]))
    lines = draw(st.lists(_line, min_size=1, max_size=3))
    indent = draw(_indent)
    if kind == "para":
        return "\n".join(indent + line for line in lines)
    if kind == "heading":
        return "#" * draw(st.integers(1, 3)) + " " + lines[0]
    if kind == "list":
        return "\n".join(f"{draw(st.sampled_from(['-', '*', '1.']))} {line}" for line in lines)
    if kind == "quote":
        return "\n".join("> " + line for line in lines)
    if kind == "component":
        name = draw(st.sampled_from(["Tabs", "TabItem", "Steps", "Card", "Fragment"]))
        attrs = draw(st.sampled_from(["", ' label="npm"', " title={`a ${b}`}", '\n  title="x"\n  icon="y"\n']))
        inner = "\n".join(indent + line for line in lines)
        return f"<{name}{attrs}>\n{inner}\n</{name}>"
    if kind == "aside":
        title = draw(st.sampled_from(["", "[Title]", "[A *custom* title]"]))
        name = draw(st.sampled_from(["note", "tip", "caution", "danger"]))
        return f":::{name}{title}\n" + "\n".join(lines) + "\n:::"
    if kind == "flow":
        return draw(st.sampled_from(["{/* a comment */}", "<Card title='x' />", "<br/>", "{\n  items.map((i) => <li>{i}</li>)\n}"]))
    if kind == "fence":
        return f"{indent}```js\n{indent}import x from 'y';\n{indent}<Tag />\n{indent}```"
    return draw(st.sampled_from(["import A from 'a';", "import {\n  B,\n} from 'b';", "export const c = {\n\n  d: 1,\n};"]))


@st.composite
def mdx_bodies(draw) -> str:
    blocks = draw(st.lists(_block(), min_size=1, max_size=8))
    gaps = draw(st.lists(st.sampled_from(["\n\n", "\n\n\n", "\r\n\r\n"]), min_size=len(blocks), max_size=len(blocks)))
    body = "".join(b + g for b, g in zip(blocks, gaps))
    return body if not draw(st.booleans()) else body.replace("\r\n", "\n").replace("\n", "\r\n")


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(mdx_bodies())
def test_generated_mdx_round_trips_and_pseudo_keeps_its_structure(body):
    try:
        segmented = segment(body, "mdx")
    except SegmentError:
        return  # refused with a reason: nothing is written
    assert segmented.reassemble() == body
    out = translate_body(segmented, PseudoEngine(), source_lang="en", target_lang="de")
    assert out.text is not None
    assert structure(out.text) == structure(body)
    for seg in segmented.translatable():
        assert "{" not in seg.template.xml  # every expression is a placeholder


@given(st.text(alphabet="<>{}/`'\"=:[]\\ \naT-*#", max_size=80))
def test_arbitrary_mdx_text_round_trips_or_is_refused(body):
    try:
        segmented = segment(body, "mdx")
    except SegmentError:
        return
    assert segmented.reassemble() == body


# --------------------------------------------------------------------------- the Astro docs

#: The Astro documentation's history (MIT licence): 14 locales of .mdx pages under src/content/docs/.
ASTRO_BUNDLE = SHARED / "corpus" / "astro-docs-history.bundle"

#: Translations whose last code fence never closes (the rest of the page renders as code): refused.
UNCLOSED_FENCES = {
    "src/content/docs/es/guides/deploy/github.mdx": 157,
    "src/content/docs/ja/reference/astro-syntax.mdx": 293,
    "src/content/docs/ko/guides/fonts.mdx": 365,
    "src/content/docs/zh-cn/reference/errors/endpoint-did-not-return-aresponse.mdx": 8,
}


def _pages_at_head(bundle: Path, where: Path) -> dict[str, bytes]:
    """Every .md and .mdx file at the bundle's HEAD, read with one ``git cat-file --batch``."""
    git = where / "docs.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(bundle), str(git)], check=True)
    listing = subprocess.run(["git", "-C", str(git), "ls-tree", "-r", "-z", "HEAD"], check=True, capture_output=True).stdout
    wanted = []  # (blob id, path): two paths may hold the same blob
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, path = entry.split(b"\t", 1)
        if meta.split()[1] == b"blob" and path.lower().endswith((b".md", b".mdx")):
            wanted.append((meta.split()[2].decode(), path.decode()))
    batch = subprocess.run(
        ["git", "-C", str(git), "cat-file", "--batch"], input="".join(f"{oid}\n" for oid, _ in wanted).encode(), check=True, capture_output=True
    ).stdout
    pages, pos = {}, 0
    for oid, path in wanted:
        header_end = batch.index(b"\n", pos)
        found, kind, size = batch[pos:header_end].split()
        assert (found.decode(), kind) == (oid, b"blob")
        pages[path] = batch[header_end + 1 : header_end + 1 + int(size)]
        pos = header_end + 1 + int(size) + 1
    return pages


@requires_shared(ASTRO_BUNDLE)
def test_every_astro_docs_page_round_trips_and_pseudo_keeps_its_structure(tmp_path):
    pages = _pages_at_head(ASTRO_BUNDLE, tmp_path)
    assert len(pages) == 2569
    assert len({path.split("/")[3] for path in pages}) == 14  # src/content/docs/<locale>/...
    refused = {}
    segments = 0
    engine = PseudoEngine()
    for path, data in pages.items():
        doc = document.parse(data, syntax=syntax_of(path))
        try:
            segmented = segment(doc.body, doc.syntax)
        except SegmentError as exc:
            refused[path] = exc.line
            assert exc.reason == "code fence is not closed", path
            continue
        assert segmented.reassemble() == doc.body, path
        segments += len(segmented.segments)
        out = translate_body(segmented, engine, source_lang="en", target_lang="de")
        assert out.text is not None, path
        assert structure(out.text) == structure(doc.body), path
    assert refused == UNCLOSED_FENCES
    assert segments > 80_000
