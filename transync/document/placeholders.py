"""Protected spans inside a segment, and the XML that translation engines see.

A segment's Markdown is split into *pieces*: plain text, protected spans
(inline code, inline math, URLs and autolinks, citations like ``[1]``,
Liquid, inline HTML, escapes, images) and paired markup (emphasis, strong,
strikethrough, link text). For an engine the segment becomes XML:

- a protected span is ``<x id="N"/>``: engines are told to ignore ``x`` and
  never see its content;
- paired markup is ``<b id="N">…</b>`` (strong), ``<i id="N">…</i>``
  (emphasis), ``<s id="N">…</s>`` (strikethrough) or ``<a id="N">…</a>``
  (link text, whose target stays protected): the engine may move them with
  the words they wrap;
- text is XML-escaped, so a source that already contains something that
  looks like a tag stays text.

:func:`from_xml` checks what comes back (every placeholder exactly once, tags
balanced and known, nothing invented) and :func:`Template.render` puts the
original Markdown of each placeholder back, byte for byte.
:func:`check_translation` applies the same rule to a translation written in
Markdown (translation memory, PO files from translators).

In an MDX segment (``syntax="mdx"``) JSX tags (``<Since v="4.2" />``,
``<strong>``) and expressions (``{frontmatter.title}``) are protected spans
too, found by :class:`transync.document.mdx.Scanner`; Liquid is not MDX.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from transync.errors import TransyncError
from transync.document.mdx import MD, MDX, Scanner
from transync.document.patterns import CITATION, URL_START, Urls


class PlaceholderError(TransyncError):
    """A translation came back with placeholders missing, duplicated, invented or broken."""


# --------------------------------------------------------------------------- pieces


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Keep:
    """A protected span, kept verbatim."""

    source: str
    kind: str  # code, math, url, citation, liquid, html, escape, image, jsx, expression


@dataclass(frozen=True, slots=True)
class Open:
    tag: str  # b, i, s, a
    source: str  # the opening markup, e.g. "**" or "["


@dataclass(frozen=True, slots=True)
class Close:
    tag: str
    source: str  # the closing markup, e.g. "**" or "](https://example.com)"


Piece = Text | Keep | Open | Close

_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+)>")
_HTML = re.compile(
    r"<(?:/[A-Za-z][A-Za-z0-9-]*\s*|[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*\s*/?"
    r"|!--(?:.|\n)*?--|\?(?:.|\n)*?\?|![A-Za-z][^>]*|!\[CDATA\[(?:.|\n)*?\]\])>"
)
_ESCAPABLE = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_DELIMS = ("**", "__", "~~", "*", "_")
#: Where a piece other than plain text may start; text between these is copied in bulk.
_SPECIAL = re.compile(r"[\\`$<{!\[\]*_~［]|" + URL_START.pattern)
_TICKS = re.compile(r"`+")
_BACKSLASH = re.compile(r"\\")
_BACKSLASH_OR_TICK = re.compile(r"[\\`]")
# Where a scan over brackets (over parentheses; to a blank line) may not just go on to the next position.
_BRACKET_MARKS = re.compile(r"[\\`\[\]]")
_PAREN_MARKS = re.compile(r"[\\()]")
_BLANK_MARKS = re.compile(r"\\|(?=\n\n)")
_TAG_OF = {"**": "b", "__": "b", "*": "i", "_": "i", "~~": "s"}


class _Scan:
    """Lookups over one segment's text, each built on first use in one pass.

    Finding a link's closing bracket, a code span's closing backticks, the
    ``$`` that closes inline math or the ``)`` that ends a link destination
    by scanning forward from every candidate is quadratic on hostile input
    (16,000 x ``a[b `` took 80 s). Here each answer comes from a table built
    right to left, so :func:`split` stays linear; the answers are those of
    the forward scans they replace (a property test compares them).
    """

    __slots__ = ("text", "_code", "_bracket_steps", "_bracket_up", "_paren_steps", "_paren_up", "_blank", "_dollar", "_tails", "_found")

    def __init__(self, text: str) -> None:
        self.text = text
        # Built on first use: most segments need none of them.
        self._code: list[int | None] | None = None
        self._bracket_up: list[int | None] | None = None
        self._paren_up: list[int | None] | None = None
        self._dollar: list[int] | None = None
        self._tails: dict[int, int | None] | None = None
        self._found: dict[str, tuple[int, int]] | None = None

    def find(self, needle: str, pos: int) -> int:
        """``text.find(needle, pos)``, amortized linear over calls with growing ``pos``."""
        if self._found is None:
            self._found = {}
        last, found = self._found.get(needle, (-1, -2))
        if last <= pos and (found == -1 or pos <= found):
            return found
        found = self.text.find(needle, pos)
        self._found[needle] = (pos, found)
        return found

    # ------------------------------------------------------------------ code spans

    def code_span(self, pos: int) -> int | None:
        """End of the code span opening at ``pos`` (a backtick, maybe inside a run):
        the end of the next run of exactly as many backticks as follow ``pos``."""
        if self._code is None:
            code: list[int | None] = [None] * (len(self.text) + 1)
            next_run: dict[int, int] = {}  # run length -> end of the nearest such run to the right
            for run in reversed(list(_TICKS.finditer(self.text))):
                start, end = run.span()
                for p in range(start, end):
                    code[p] = next_run.get(end - p)
                next_run[end - start] = end
            self._code = code
        return self._code[pos]

    def _steps(self, spans: bool) -> list[int]:
        """Where a forward scan goes from each position (and stays at the end): over an
        escaped character, and (``spans``) over a code span; else to the next position."""
        text = self.text
        n = len(text)
        steps = list(range(1, n + 2))
        steps[n] = n
        # Only a backslash or a backtick steps further than the next position.
        for m in (_BACKSLASH_OR_TICK if spans else _BACKSLASH).finditer(text):
            i = m.start()
            if text[i] == "\\":
                steps[i] = min(i + 2, n)
            elif (end := self.code_span(i)) is not None:
                steps[i] = end
        return steps

    @staticmethod
    def _first_rise(steps: list[int], delta: dict[int, int], marks: list[int]) -> list[int | None]:
        """For every position x, the first position y on the scan path from x
        where the count of closers minus openers seen since x (x included,
        y excluded) reaches 1.

        The scans from different positions share their paths (each position
        has one next step), so one pass from the right answers all of them:
        from x with next step s, a closer at x gives s, plain text gives the
        answer of s, and an opener needs two rises from s. ``delta``: +1 at an
        opener, -1 at a closer; ``marks``: in order, every position that is an
        opener or a closer or steps further than the next one. Between marks a
        position is plain and answers as the next one: runs are filled at once.
        """
        n = len(steps) - 1
        up: list[int | None] = [None] * (n + 1)
        above = n  # every position above ``above`` is answered
        for x in reversed(marks):
            if x + 1 < above:
                up[x + 1 : above] = [up[above]] * (above - x - 1)
            s = steps[x]
            d = delta.get(x, 0)
            if d < 0:
                up[x] = s
            elif d == 0:
                up[x] = up[s]
            else:
                first = up[s]
                up[x] = up[first] if first is not None else None
            above = x
        if above:
            up[:above] = [up[above]] * above
        return up

    def _blanks(self, steps: list[int]) -> list[int]:
        """For every position, the first blank line (its "\\n\\n") on the scan path from it, or the end."""
        text = self.text
        n = len(text)
        blank = [n] * (n + 1)
        above = n  # as in _first_rise: between marks a position answers as the next one
        for m in reversed(list(_BLANK_MARKS.finditer(text))):
            x = m.start()
            if x + 1 < above:
                blank[x + 1 : above] = [blank[above]] * (above - x - 1)
            blank[x] = x if text.startswith("\n\n", x) else blank[steps[x]]
            above = x
        if above:
            blank[:above] = [blank[above]] * above
        return blank

    def matching_bracket(self, pos: int) -> int | None:
        """The ``]`` that closes the ``[`` at ``pos``, skipping escapes and code spans."""
        if self._bracket_up is None:
            steps = self._steps(True)
            marks = [m.start() for m in _BRACKET_MARKS.finditer(self.text)]
            delta = {x: 1 if self.text[x] == "[" else -1 for x in marks if self.text[x] in "[]"}
            self._bracket_steps = steps
            self._bracket_up = self._first_rise(steps, delta, marks)
        after = self._bracket_up[self._bracket_steps[pos]]
        return None if after is None else after - 1

    def link_tail(self, pos: int) -> int | None:
        """End of ``](dest "title")`` or ``][label]`` starting at ``pos`` (which holds ``]``), else None.

        A destination ends at the ``)`` that balances the parentheses in it
        (escapes skipped) and never crosses a blank line.
        """
        if self._tails is None:
            self._tails = {}
        elif pos in self._tails:
            return self._tails[pos]
        text = self.text
        tail = None
        if text.startswith("](", pos):
            if self._paren_up is None:
                steps = self._steps(False)
                marks = [m.start() for m in _PAREN_MARKS.finditer(text)]
                delta = {x: 1 if text[x] == "(" else -1 for x in marks if text[x] in "()"}
                self._paren_steps, self._blank = steps, self._blanks(steps)
                self._paren_up = self._first_rise(steps, delta, marks)
            after = self._paren_up[pos + 2] if pos + 2 <= len(text) else None
            if after is not None and self._blank[pos + 2] > after - 1:
                tail = after
        elif text.startswith("][", pos):
            end = text.find("]", pos + 2)
            if end != -1 and "[" not in text[pos + 2 : end]:
                tail = end + 1
        self._tails[pos] = tail
        return tail

    # ------------------------------------------------------------------ math, Liquid, HTML

    def inline_math(self, pos: int) -> int | None:
        # The dollarmath rules: no space after the opening $, none before the closing
        # one, and the closing $ is not followed by a digit ("$5 and $10" is money).
        text = self.text
        if text.startswith("$$", pos) or pos + 1 >= len(text) or text[pos + 1].isspace():
            return None
        if self._dollar is None:
            n = len(text)
            dollar = [-1] * (n + 1)  # the first "$" at or after each position not after a backslash
            for x in range(n - 1, -1, -1):
                dollar[x] = x if text[x] == "$" and (x == 0 or text[x - 1] != "\\") else dollar[x + 1]
            self._dollar = dollar
        j = self._dollar[pos + 1]
        if j == -1 or text[j - 1].isspace() or (j + 1 < len(text) and text[j + 1].isdigit()):
            return None
        return j + 1

    def liquid(self, pos: int) -> int | None:
        """End of the Liquid tag at ``pos``: the first ``}}`` (``%}``) after ``{{`` (``{%``)."""
        closer = {"{{": "}}", "{%": "%}"}.get(self.text[pos : pos + 2])
        if closer is None:
            return None
        end = self.find(closer, pos + 2)
        return None if end == -1 else end + 2

    def html(self, pos: int):
        """The inline HTML match at ``pos`` (a ``<``), or None.

        Comments, processing instructions and CDATA are only tried when their
        closer is still ahead, and anything only when a ``>`` is: otherwise
        the expression would scan to the end from every ``<``.
        """
        if self.find(">", pos) == -1:
            return None
        for opener, closer in (("<!--", "-->"), ("<?", "?>"), ("<![CDATA[", "]]>")):
            if self.text.startswith(opener, pos) and self.find(closer, pos + len(opener)) == -1:
                return None
        return _HTML.match(self.text, pos)


def matching_bracket(text: str, pos: int) -> int | None:
    """The ``]`` that closes the ``[`` at ``pos`` (escapes and code spans skipped), or None."""
    return _Scan(text).matching_bracket(pos)


def split(text: str, syntax: str = MD) -> list[Piece]:
    """Split a segment's Markdown (MDX when ``syntax`` is ``"mdx"``) into pieces;
    ``"".join(source of pieces) == text``."""
    if _SPECIAL.search(text) is None:  # plain text, as the loop below would find it (many segments are)
        return [Text(text)] if text else []
    pieces: list[Piece] = []
    buf: list[str] = []
    links: list[int] = []  # indexes in pieces of open "[" not yet closed
    scan = _Scan(text)
    urls = Urls(text)
    jsx = Scanner(text) if syntax == MDX else None

    def flush() -> None:
        if buf:
            pieces.append(Text("".join(buf)))
            buf.clear()

    def keep(source: str, kind: str) -> None:
        flush()
        pieces.append(Keep(source, kind))

    i, n = 0, len(text)
    while i < n:
        m = _SPECIAL.search(text, i)
        if m is None:
            buf.append(text[i:])
            break
        if m.start() > i:
            buf.append(text[i : m.start()])
            i = m.start()
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in _ESCAPABLE:
            keep(text[i : i + 2], "escape")
            i += 2
            continue
        if ch == "`":
            end = scan.code_span(i)
            if end is not None:
                keep(text[i:end], "code")
                i = end
                continue
            run = 1
            while i + run < n and text[i + run] == "`":
                run += 1
            buf.append(text[i : i + run])
            i += run
            continue
        if ch == "$":
            end = scan.inline_math(i)
            if end is not None:
                keep(text[i:end], "math")
                i = end
                continue
        if jsx is not None and ch in "{<":
            end = jsx.expression(i) if ch == "{" else jsx.tag(i)
            if end is not None:
                keep(text[i:end], "expression" if ch == "{" else "jsx")
                i = end
                continue
        elif ch == "{" and (end := scan.liquid(i)) is not None:
            keep(text[i:end], "liquid")
            i = end
            continue
        if ch == "<":
            m = _AUTOLINK.match(text, i) or scan.html(i)
            if m:
                keep(m.group(), "url" if m.re is _AUTOLINK else "html")
                i = m.end()
                continue
        if ch == "!" and text.startswith("![", i):
            close = scan.matching_bracket(i + 1)
            if close is not None and (end := scan.link_tail(close)) is not None:
                keep(text[i:end], "image")
                i = end
                continue
        if ch in "[［" and (m := CITATION.match(text, i)):
            keep(m.group(), "citation")
            i = m.end()
            continue
        if ch == "[":
            close = scan.matching_bracket(i)
            if close is not None and scan.link_tail(close) is not None:
                flush()
                links.append(len(pieces))
                pieces.append(Open("a", "["))
                i += 1
                continue
        if ch == "]" and links:
            end = scan.link_tail(i)
            if end is not None:
                flush()
                pieces.append(Close("a", text[i:end]))
                links.pop()
                i = end
                continue
        if ch in "hfw" and (end := urls.end(i)) is not None:
            keep(text[i:end], "url")
            i = end
            continue
        if ch in "*_~":
            delim = next((d for d in _DELIMS if text.startswith(d, i)), None)
            if delim is not None:
                flush()
                pieces.append(_Delim(delim, i, text))  # a candidate: _pair_emphasis decides
                i += len(delim)
                continue
            # a lone "~" is text
        buf.append(ch)
        i += 1
    flush()
    # A "[" whose "]" was taken by a later piece (an escape or a URL seen
    # differently by the bracket scan) was never closed: it is text.
    for index in links:
        pieces[index] = Text("[")
    return _merge_text(_pair_emphasis(pieces))


class _Delim:
    """An emphasis delimiter run that may open, close, or be plain text."""

    __slots__ = ("markup", "can_open", "can_close")

    def __init__(self, markup: str, pos: int, text: str) -> None:
        before = text[pos - 1] if pos > 0 else " "
        end = pos + len(markup)
        after = text[end] if end < len(text) else " "
        left = not after.isspace() and not (_punct(after) and not (before.isspace() or _punct(before)))
        right = not before.isspace() and not (_punct(before) and not (after.isspace() or _punct(after)))
        if markup[0] == "_":
            # Intraword underscores (snake_case) are never emphasis.
            self.can_open = left and (not right or _punct(before))
            self.can_close = right and (not left or _punct(after))
        else:
            self.can_open, self.can_close = left, right
        self.markup = markup


def _punct(ch: str) -> bool:
    return not ch.isalnum() and not ch.isspace()


def _pair_emphasis(pieces: list) -> list[Piece]:
    """Match delimiter runs into Open/Close pairs; unmatched ones become text.

    Links are barriers: emphasis opened inside link text closes inside it, and
    a pair never crosses a link boundary, so the tags always nest.

    A closer pairs with the nearest opener of the same markup above the last
    link opener. Openers are kept per markup (``by_markup``, positions in
    ``stack``) so that finding it is one look, not a walk down the stack:
    ``*a `` x 20,000 then `` a_`` x 20,000 would otherwise be quadratic.
    """
    if not any(isinstance(p, _Delim) for p in pieces):
        return pieces
    out: list = list(pieces)
    stack: list[int] = []  # indexes of openers (delims and link opens)
    by_markup: dict[str, list[int]] = {d: [] for d in _DELIMS}  # positions in stack, per markup
    links: list[int] = []  # positions in stack of link opens

    def truncate(size: int) -> None:
        del stack[size:]
        for positions in (*by_markup.values(), links):
            while positions and positions[-1] >= size:
                positions.pop()

    def push(idx: int) -> None:
        markup = out[idx].markup if isinstance(out[idx], _Delim) else None
        (by_markup[markup] if markup else links).append(len(stack))
        stack.append(idx)

    for idx, piece in enumerate(out):
        if isinstance(piece, Open):  # a link
            push(idx)
        elif isinstance(piece, Close):
            if links:
                truncate(links[-1])  # the link's opener and everything above it
            else:
                truncate(0)
        elif isinstance(piece, _Delim):
            if piece.can_close:
                positions = by_markup[piece.markup]
                barrier = links[-1] if links else -1
                if positions and positions[-1] > barrier:
                    j = positions[-1]
                    opener = stack[j]
                    tag = _TAG_OF[piece.markup]
                    out[opener] = Open(tag, out[opener].markup)
                    out[idx] = Close(tag, piece.markup)
                    truncate(j)
                elif piece.can_open:
                    push(idx)
                continue
            if piece.can_open:
                push(idx)
    return [Text(p.markup) if isinstance(p, _Delim) else p for p in out]


def _merge_text(pieces: list[Piece]) -> list[Piece]:
    if len(pieces) < 2:
        return pieces
    merged: list[Piece] = []
    run: list[str] = []  # texts joined once: repeated concatenation is quadratic
    for piece in pieces:
        if isinstance(piece, Text):
            run.append(piece.text)
            continue
        if run:
            merged.append(Text("".join(run)))
            run.clear()
        merged.append(piece)
    if run:
        merged.append(Text("".join(run)))
    return merged


def source_of(pieces: list[Piece]) -> str:
    return "".join(p.text if isinstance(p, Text) else p.source for p in pieces)


def protected_spans(text: str, syntax: str = MD) -> Counter[str]:
    """The protected spans of a segment's Markdown (code, math, URLs, citations,
    Liquid, HTML, escapes, images, and link targets ``](...)``; JSX and
    expressions in MDX), with how often each occurs: what an engine only ever
    sees as a placeholder."""
    return Counter(p.source for p in split(text, syntax) if isinstance(p, Keep) or (isinstance(p, Close) and p.tag == "a"))


def check_translation(source_markdown: str, translation_markdown: str, syntax: str = MD) -> str | None:
    """None when a Markdown translation (a memory entry, a translator's PO entry)
    keeps the source's protected spans intact, else a one-line reason.

    This is the rule :func:`from_xml` applies to an engine's reply, stated on
    Markdown: every protected span of the source exactly once, byte for byte,
    and none added (a URL, a ``<script>``, a Liquid tag). Text, and the
    emphasis and link text that wrap it, may change and move freely.
    """
    source, translation = protected_spans(source_markdown, syntax), protected_spans(translation_markdown, syntax)
    missing, added = source - translation, translation - source
    if not missing and not added:
        return None
    what = ", ".join([f"missing {s!r}" for s in missing] + [f"added {s!r}" for s in added])
    return f"protected text changed ({what})"


# --------------------------------------------------------------------------- XML


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class Template:
    """A segment ready for an engine: XML text plus what each placeholder stands for."""

    xml: str
    keeps: dict[str, str]  # id -> protected source
    pairs: dict[str, tuple[str, str, str]]  # id -> (tag, opening source, closing source)

    @property
    def chars(self) -> int:
        """Characters an engine bills for this segment: its text, not its tags."""
        return billable_chars(self.xml)

    @property
    def has_text(self) -> bool:
        """Whether anything is left to translate once placeholders are taken out."""
        bare = re.sub(r"<[^>]+>", "", self.xml)
        bare = bare.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
        return any(ch.isalpha() for ch in bare)

    def render(self, xml: str) -> str:
        """Markdown for a translated XML string; raises PlaceholderError when it is broken."""
        return source_of(from_xml(xml, self))


_TAG = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);")


def billable_chars(xml: str) -> int:
    """Characters of placeholder XML once tags are removed and entities count as one."""
    return len(_ENTITY.sub("_", _TAG.sub("", xml)))


def to_xml(text: str, syntax: str = MD) -> Template:
    pieces = split(text, syntax)
    out: list[str] = []
    keeps: dict[str, str] = {}
    pairs: dict[str, tuple[str, str, str]] = {}
    open_ids: list[str] = []
    counter = 0
    for piece in pieces:
        if isinstance(piece, Text):
            out.append(_escape(piece.text))
            continue
        if isinstance(piece, Close):
            ident = open_ids.pop()
            tag, opening, _ = pairs[ident]
            pairs[ident] = (tag, opening, piece.source)
            out.append(f"</{tag}>")
            continue
        counter += 1
        ident = str(counter)
        if isinstance(piece, Keep):
            keeps[ident] = piece.source
            out.append(f'<x id="{ident}"/>')
        else:
            pairs[ident] = (piece.tag, piece.source, "")
            open_ids.append(ident)
            out.append(f'<{piece.tag} id="{ident}">')
    return Template("".join(out), keeps, pairs)


_XML_TOKEN = re.compile(
    r'<x id="(?P<x>\d+)"\s*/>|<(?P<open>[bisa]) id="(?P<oid>\d+)">|</(?P<close>[bisa])>'
    r"|&(?P<ent>amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);|(?P<bad>[<>&])"
)


def from_xml(xml: str, template: Template) -> list[Piece]:
    """Parse an engine's XML back into pieces, checking it against the template."""
    pieces: list[Piece] = []
    seen: set[str] = set()
    stack: list[str] = []
    pos = 0
    text: list[str] = []

    def flush() -> None:
        if text:
            pieces.append(Text("".join(text)))
            text.clear()

    for m in _XML_TOKEN.finditer(xml):
        text.append(xml[pos : m.start()])
        pos = m.end()
        if m.group("bad"):
            raise PlaceholderError(f"broken tag near {xml[max(0, m.start() - 10) : m.start() + 10]!r}")
        if ent := m.group("ent"):
            text.append(_unescape_entity(ent))
            continue
        flush()
        if ident := m.group("x"):
            if ident not in template.keeps:
                raise PlaceholderError(f"invented placeholder <x id=\"{ident}\"/>")
            if ident in seen:
                raise PlaceholderError(f"placeholder <x id=\"{ident}\"/> appears twice")
            seen.add(ident)
            pieces.append(Keep(template.keeps[ident], "kept"))
        elif tag := m.group("open"):
            ident = m.group("oid")
            if ident not in template.pairs or template.pairs[ident][0] != tag:
                raise PlaceholderError(f"invented tag <{tag} id=\"{ident}\">")
            if ident in seen:
                raise PlaceholderError(f"tag <{tag} id=\"{ident}\"> appears twice")
            seen.add(ident)
            stack.append(ident)
            pieces.append(Open(tag, template.pairs[ident][1]))
        else:
            tag = m.group("close")
            if not stack or template.pairs[stack[-1]][0] != tag:
                raise PlaceholderError(f"unbalanced closing tag </{tag}>")
            pieces.append(Close(tag, template.pairs[stack.pop()][2]))
    text.append(xml[pos:])
    flush()
    if stack:
        raise PlaceholderError(f"tag <{template.pairs[stack[-1]][0]} id=\"{stack[-1]}\"> is not closed")
    missing = sorted((set(template.keeps) | set(template.pairs)) - seen, key=int)
    if missing:
        raise PlaceholderError(f"placeholder{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing from the translation")
    return pieces


def _unescape_entity(ent: str) -> str:
    if ent.startswith("#x"):
        return chr(int(ent[2:], 16))
    if ent.startswith("#"):
        return chr(int(ent[1:]))
    return {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}[ent]
