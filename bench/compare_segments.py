"""Equality of the fast block parse with markdown-it-py's on whole corpora: tokens, segments, outlines, MDX structure.

For every ``.md`` and ``.mdx`` file under the folders given (``.git`` left
out), the body (after the front matter; the whole file when that cannot be
parsed) is read four ways, each as transync reads it:

- the block tokens of both of transync's parsers (the segmenter's and the
  outline's), from :func:`transync.document.markdown.parse` and from
  ``md.parse`` (type, tag, nesting, line map, content, markup, info);
- :func:`~transync.document.segments.segment_with_blocks` (every segment's
  id, kind, line, spans, text; the math and code blocks; or the error and its line);
- :func:`~transync.document.outline.outline` (everything the checks compare);
- :func:`~transync.document.mdx.structure` for ``.mdx`` files.

The tokens are compared in one run. The rest can be written out with
``--dump FILE`` (one digest per file and reading) and compared with the
dump of another version of transync (``--against FILE``), or with the same
code made to use ``md.parse`` only (``--slow``)::

    python bench/compare_segments.py ../shared/corpus/audioreview /tmp/astro-docs
    python bench/compare_segments.py --slow --dump /tmp/slow.json ROOTS...
    python bench/compare_segments.py --against /tmp/slow.json ROOTS...

It prints the counts and the first differences, and exits 1 when there is one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time


def files_under(roots: list[str]) -> list[str]:
    found = []
    for root in roots:
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != ".git")
            found.extend(os.path.join(folder, n) for n in sorted(names) if n.endswith((".md", ".mdx")))
    return found


def body_of(path: str) -> tuple[str, str]:
    from transync.document import DocumentError, parse
    from transync.document.mdx import syntax_of

    data = open(path, "rb").read()
    syntax = syntax_of(path)
    try:
        return parse(data, syntax=syntax).body, syntax
    except DocumentError:
        return data.decode("utf-8", errors="replace"), syntax


def readings(body: str, syntax: str) -> dict[str, str]:
    """Each reading of one body as a string (repr of the result, or of the error)."""
    from transync.document.mdx import structure
    from transync.document.outline import outline
    from transync.document.segments import segment_with_blocks

    out = {}
    for name, read in (
        ("segments", lambda: segment_with_blocks(body, syntax)),
        ("outline", lambda: outline(body, 1, syntax)),
        ("structure", lambda: structure(body) if syntax == "mdx" else None),
    ):
        try:
            result = read()
        except Exception as exc:  # the error is part of the reading
            result = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)} (line {getattr(exc, 'line', None)})"
        if name == "segments" and not isinstance(result, str):
            segmented, blocks = result
            result = (
                [(s.id, s.kind, s.line, s.spans, s.text, s.syntax) for s in segmented.segments],
                blocks,
                segmented.reassemble() == body,
            )
        out[name] = repr(result)
    return out


def token_view(tokens) -> list[tuple]:
    return [(t.type, t.tag, t.nesting, tuple(t.map) if t.map else None, t.content, t.markup, t.info) for t in tokens]


def compare_tokens(body: str, syntax: str) -> str | None:
    """The first token where the fast parse and markdown-it's differ, for either parser, or None."""
    from transync.document import markdown
    from transync.document.outline import _markdown
    from transync.document.segments import _parser

    for which, md in (("segmenter", _parser(syntax)), ("outline", _markdown(syntax))):
        results = []
        for parse in (lambda: md.parse(body, {}), lambda: markdown.parse(md, body, {})):
            try:
                results.append(token_view(parse()))
            except Exception as exc:
                results.append(f"{type(exc).__name__}: {exc}")
        slow, fast = results
        if slow != fast:
            if isinstance(slow, list) and isinstance(fast, list):
                at = next((k for k, (a, b) in enumerate(zip(slow, fast)) if a != b), min(len(slow), len(fast)))
                return f"{which} token {at}: markdown-it {slow[at] if at < len(slow) else None}, fast {fast[at] if at < len(fast) else None}"
            return f"{which}: markdown-it {slow if isinstance(slow, str) else 'tokens'}, fast {fast if isinstance(fast, str) else 'tokens'}"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("roots", nargs="+")
    parser.add_argument("--dump", help="write each file's readings (digests) to this JSON file")
    parser.add_argument("--against", help="compare the readings with this dump")
    parser.add_argument("--slow", action="store_true", help="read with markdown-it's md.parse only (no fast path)")
    parser.add_argument("--no-tokens", action="store_true", help="skip the token comparison")
    args = parser.parse_args()

    fast_available = True
    try:
        from transync.document import markdown
    except ImportError:  # a version of transync before the fast path
        fast_available = False
    if args.slow and fast_available:
        markdown._kind = lambda md: None  # type: ignore[assignment]  # no parser known: md.parse for all

    paths = files_under(args.roots)
    started = time.perf_counter()
    token_diffs: list[tuple[str, str]] = []
    digests: dict[str, dict[str, str]] = {}
    for path in paths:
        body, syntax = body_of(path)
        if fast_available and not args.slow and not args.no_tokens:
            diff = compare_tokens(body, syntax)
            if diff:
                token_diffs.append((path, diff))
        digests[path] = {k: hashlib.sha256(v.encode()).hexdigest()[:20] for k, v in readings(body, syntax).items()}
    print(f"{len(paths)} files read in {time.perf_counter() - started:.1f} s")
    failed = False
    if fast_available and not args.slow and not args.no_tokens:
        print(f"tokens: {len(token_diffs)} files where the fast parse differs from markdown-it's (both parsers)")
        for path, diff in token_diffs[:10]:
            print(f"  {path}: {diff}")
        failed |= bool(token_diffs)
    if args.dump:
        with open(args.dump, "w") as fh:
            json.dump(digests, fh, indent=0, sort_keys=True)
    if args.against:
        with open(args.against) as fh:
            other = json.load(fh)
        missing = sorted(set(other) ^ set(digests))
        differ = [(p, k) for p in sorted(set(other) & set(digests)) for k in digests[p] if digests[p][k] != other[p].get(k)]
        kinds = {k: sum(1 for _, kk in differ if kk == k) for k in ("segments", "outline", "structure")}
        print(f"readings against {args.against}: {len(differ)} differ {kinds}, {len(missing)} files in one run only")
        for path, kind in differ[:10]:
            print(f"  {path}: {kind}")
        failed |= bool(differ or missing)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
