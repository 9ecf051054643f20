"""The code of a code block without its comments, for comparing a translation's code with its source's.

Documentation translators translate the comments of code examples (``// 注册你的字体``
for ``// Register your font``): the code check compares what runs, not what
explains it (``[check.code] translated_comments``, on by default). Comments are
found by the block's language (its info string's first word): ``//`` and
``/* */`` for the C family and JavaScript, ``#`` for shells, Python, YAML and
TOML, ``<!-- -->`` for markup, ``--`` for SQL and Lua; ``.astro``, ``.vue`` and
``.svelte`` files have both script and markup comments. String literals are
skipped (a ``//`` in ``"https://..."`` is not a comment). A block of another
language, or of none, is compared whole.
"""

from __future__ import annotations

_C = frozenset({
    "js", "javascript", "jsx", "mjs", "cjs", "ts", "typescript", "tsx", "mts", "cts", "json5", "jsonc", "c", "h", "cpp",
    "c++", "cc", "cs", "csharp", "java", "kotlin", "kt", "go", "rust", "rs", "swift", "scala", "php", "dart", "groovy",
    "scss", "less", "sass", "zig", "proto",
})
_BLOCK_ONLY = frozenset({"css"})  # /* */ only: // is not a comment in CSS
_HASH = frozenset({
    "sh", "bash", "shell", "zsh", "fish", "python", "py", "yaml", "yml", "toml", "ruby", "rb", "dockerfile", "docker",
    "make", "makefile", "r", "perl", "pl", "powershell", "ps1", "ps", "nginx", "conf", "env", "dotenv", "ini", "properties",
    "gitignore", "elixir", "ex", "nix", "tcl", "cmake",
})
_MARKUP = frozenset({"html", "xml", "svg", "md", "markdown", "xhtml"})
_MIXED = frozenset({"astro", "vue", "svelte", "mdx"})  # script comments and markup comments
_DASH = frozenset({"sql", "lua", "haskell", "hs", "elm"})


def language_of(info: str) -> str:
    """The language an info string names (``js title="x.js"`` -> ``js``; ``{.python}`` -> ``python``)."""
    word = info.strip().split(None, 1)[0] if info.strip() else ""
    return word.strip("{}.").split(":", 1)[0].split(",", 1)[0].lower()


def without_comments(info: str, code: str) -> str | None:
    """``code`` without its comments and blank lines, each line's trailing white space dropped;
    None when the language's comments are not known (compare the block whole)."""
    lang = language_of(info)
    if lang in _C:
        kept = _strip(code, line="//", block=("/*", "*/"), hash_=False)
    elif lang in _BLOCK_ONLY:
        kept = _strip(code, line=None, block=("/*", "*/"), hash_=False)
    elif lang in _HASH:
        kept = _strip(code, line=None, block=None, hash_=True)
    elif lang in _MARKUP:
        kept = _strip(code, line=None, block=("<!--", "-->"), hash_=False, strings=False)
    elif lang in _MIXED:
        kept = _strip(code, line=None, block=("<!--", "-->"), hash_=False, strings=False)
        kept = _strip(kept, line="//", block=("/*", "*/"), hash_=False, strings=True, after_space=True)
        if lang == "mdx":
            kept = kept.replace("{}", "")
    elif lang in _DASH:
        kept = _strip(code, line="--", block=None, hash_=False)
    else:
        return None
    return "\n".join(line for line in (ln.rstrip() for ln in kept.split("\n")) if line)


def _strip(
    code: str, *, line: str | None, block: tuple[str, str] | None, hash_: bool, strings: bool = True, after_space: bool = False,
) -> str:
    """``code`` with its comments removed, string literals (``'`` ``"`` `````) left whole.

    ``hash_``: ``#`` starts a comment at a line's start or after white space (``a#b`` and
    ``${#x}`` in a shell are not comments). ``after_space``: ``//`` counts only at a line's
    start or after white space (markup files, where ``http://`` sits in attribute text).
    """
    out: list[str] = []
    i, n = 0, len(code)
    while i < n:
        ch = code[i]
        if strings and ch in "'\"`":
            end = _string_end(code, i)
            out.append(code[i:end])
            i = end
            continue
        if block is not None and code.startswith(block[0], i):
            end = code.find(block[1], i + len(block[0]))
            if end < 0:
                return "".join(out)  # an unclosed comment runs to the end
            # A comment spanning lines keeps the line breaks: lines stay where they were.
            out.append("\n" * code.count("\n", i, end))
            i = end + len(block[1])
            continue
        starts_line = i == 0 or code[i - 1] in " \t\n"
        if (line is not None and code.startswith(line, i) and (starts_line or not after_space)) or (hash_ and ch == "#" and starts_line):
            end = code.find("\n", i)
            i = n if end < 0 else end
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _string_end(code: str, start: int) -> int:
    """Where the string literal opened at ``start`` ends (after its closing quote); a quote left
    open ends at the line's end (an apostrophe in plain text), a template string may span lines."""
    quote = code[start]
    i = start + 1
    while i < len(code):
        ch = code[i]
        if ch == "\\":
            i += 2
            continue
        if ch == quote:
            return i + 1
        if ch == "\n" and quote != "`":
            return i
        i += 1
    return len(code)
