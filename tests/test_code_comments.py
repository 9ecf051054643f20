"""The code check compares code without the comments translators translate (``[check.code] translated_comments``)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from transync.checks.codecomments import language_of, without_comments
from transync.cli import app


@pytest.mark.parametrize(
    ("info", "source", "translation"),
    [
        ("js", "// Register your font\nconst a = 1; // the first\n", "// 注册你的字体\nconst a = 1; // 第一个\n"),
        ('js title="astro.config.mjs"', "/* Set up\n   the site */\nexport default {};\n", "/* サイトの\n   設定 */\nexport default {};\n"),
        ("ts", "const url = 'https://example.com'; // a URL\n", "const url = 'https://example.com'; // URL です\n"),
        ("css", "/* colours */\na { color: red; }\n", "/* 色 */\na { color: red; }\n"),
        ("shell", "# Upgrade Astro\nnpx @astrojs/upgrade\n", "# Astro를 업그레이드합니다\nnpx @astrojs/upgrade\n"),
        ("yaml", "key: value # why\nurl: http://x/#frag\n", "key: value # pourquoi\nurl: http://x/#frag\n"),
        ("html", "<!-- the page -->\n<p>x</p>\n", "<!-- la page -->\n<p>x</p>\n"),
        ("astro", "---\n// props\nconst { a } = Astro.props;\n---\n<!-- markup -->\n<p>{a}</p>\n",
         "---\n// プロパティ\nconst { a } = Astro.props;\n---\n<!-- マークアップ -->\n<p>{a}</p>\n"),
        ("sql", "-- all rows\nSELECT * FROM t;\n", "-- toutes les lignes\nSELECT * FROM t;\n"),
        ("js", "// one line\nf();\n", "// two\n// lines\n\nf();\n"),  # a comment may take more lines, or fewer
    ],
)
def test_comments_translated_leave_the_same_code(info, source, translation):
    assert without_comments(info, source) == without_comments(info, translation)


@pytest.mark.parametrize(
    ("info", "source", "translation"),
    [
        ("js", "const a = 1; // x\n", "const a = 2; // x\n"),
        ("js", 'const s = "// not a comment";\n', 'const s = "// kein Kommentar";\n'),  # inside a string
        ("shell", "echo a#b\n", "echo a#c\n"),  # # inside a word
        ("css", "a { b: url(//cdn/x.png); }\n", "a { b: url(//cdn/y.png); }\n"),  # // is no comment in CSS
        ("yaml", 'key: "a # b"\n', 'key: "a # c"\n'),
        ("astro", '<a href="http://x.org/a">x</a>\n', '<a href="http://x.org/b">x</a>\n'),
    ],
)
def test_code_outside_comments_still_differs(info, source, translation):
    assert without_comments(info, source) != without_comments(info, translation)


def test_a_language_transync_does_not_know_is_compared_whole():
    assert without_comments("brainfuck", "+++ # x\n") is None
    assert without_comments("", "x = 1 # y\n") is None
    assert [language_of(i) for i in ('js title="x.js"', "{.python}", "TS", "")] == ["js", "python", "ts", ""]


SOURCE = """---
ref: setup
lang: en
date: 2025-01-01
title: Setup
---
Install it.

```js
// Register your font
export default { font: "Inter" };
```
"""


def _site(make_site, translation_code: str):
    ja = SOURCE.replace("lang: en", "lang: ja").replace("Install it.", "インストールします。").replace(
        '// Register your font\nexport default { font: "Inter" };', translation_code
    )
    return make_site({"_products/en/setup.md": SOURCE, "_products/ja/setup.md": ja})


def _code_findings(root) -> list[str]:
    result = CliRunner().invoke(app, ["check", "--root", str(root), "--check", "code", "--format", "json", "--no-git"])
    assert result.exit_code in (0, 1), result.output
    return [f["message"] for f in json.loads(result.stdout)["findings"]]


def test_check_accepts_a_translated_comment_unless_the_site_keeps_comments(make_site):
    root = _site(make_site, '// フォントを登録します\nexport default { font: "Inter" };')
    assert _code_findings(root) == []
    (root / "transync.toml").write_text("[check.code]\ntranslated_comments = false\n", encoding="utf-8")
    [message] = _code_findings(root)
    assert message.startswith("code block differs from the source's")


def test_check_still_finds_changed_code_beside_a_translated_comment(make_site):
    root = _site(make_site, '// フォントを登録します\nexport default { font: "Roboto" };')
    [message] = _code_findings(root)
    assert message.startswith("code block differs from the source's (line 9): js '// フォントを登録します export default { font: \"Roboto\" };'")


def test_a_bad_value_is_one_line_naming_the_key(make_site):
    root = _site(make_site, '// x\nexport default { font: "Inter" };')
    (root / "transync.toml").write_text('[check.code]\ntranslated_comments = "yes"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--root", str(root), "--format", "json", "--no-git"])
    assert result.exit_code == 2
    assert "'check.code.translated_comments' must be true or false" in result.output
