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
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transync.errors import TransyncError


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
    kind: str  # code, math, url, citation, liquid, html, escape, image


@dataclass(frozen=True, slots=True)
class Open:
    tag: str  # b, i, s, a
    source: str  # the opening markup, e.g. "**" or "["


@dataclass(frozen=True, slots=True)
class Close:
    tag: str
    source: str  # the closing markup, e.g. "**" or "](https://example.com)"


Piece = Text | Keep | Open | Close

_CITATION = re.compile(r"\[\d{1,4}(?:\s*[-–,]\s*\d{1,4})*\]")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'`\[\]]*[^\s<>\"'`\[\].,;:!?()}*_~]")
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+)>")
_HTML = re.compile(
    r"<(?:/[A-Za-z][A-Za-z0-9-]*\s*|[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*\s*/?"
    r"|!--(?:.|\n)*?--|\?(?:.|\n)*?\?|![A-Za-z][^>]*|!\[CDATA\[(?:.|\n)*?\]\])>"
)
_LIQUID = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_ESCAPABLE = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_DELIMS = ("**", "__", "~~", "*", "_")
#: Where a piece other than plain text may start; text between these is copied in bulk.
_SPECIAL = re.compile(r"[\\`$<{!\[\]*_~]|https?://|www\.")
_TAG_OF = {"**": "b", "__": "b", "*": "i", "_": "i", "~~": "s"}


def _link_tail(text: str, pos: int) -> int | None:
    """End of ``](dest "title")`` or ``][label]`` starting at ``pos`` (which holds ``]``), else None."""
    if text.startswith("](", pos):
        depth, i = 0, pos + 2
        while i < len(text):
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "(":
                depth += 1
            elif ch == ")":
                if depth == 0:
                    return i + 1
                depth -= 1
            elif ch == "\n" and text.startswith("\n\n", i):
                return None
            i += 1
        return None
    if text.startswith("][", pos):
        end = text.find("]", pos + 2)
        if end != -1 and "[" not in text[pos + 2 : end]:
            return end + 1
    return None


def _code_span(text: str, pos: int) -> int | None:
    """End of the code span opening at ``pos``: the next backtick run of the same length."""
    run = 0
    while pos + run < len(text) and text[pos + run] == "`":
        run += 1
    i = pos + run
    while True:
        j = text.find("`" * run, i)
        if j == -1:
            return None
        k = j
        while k < len(text) and text[k] == "`":
            k += 1
        if k - j == run:
            return k
        i = k


def _inline_math(text: str, pos: int) -> int | None:
    # The dollarmath rules: no space after the opening $, none before the closing
    # one, and the closing $ is not followed by a digit ("$5 and $10" is money).
    if text.startswith("$$", pos) or pos + 1 >= len(text) or text[pos + 1].isspace():
        return None
    i = pos + 1
    while True:
        j = text.find("$", i)
        if j == -1:
            return None
        if text[j - 1] == "\\":
            i = j + 1
            continue
        if text[j - 1].isspace() or (j + 1 < len(text) and text[j + 1].isdigit()):
            return None
        return j + 1


def split(text: str) -> list[Piece]:
    """Split a segment's Markdown into pieces; ``"".join(source of pieces) == text``."""
    pieces: list[Piece] = []
    buf: list[str] = []
    links: list[int] = []  # indexes in pieces of open "[" not yet closed

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
            end = _code_span(text, i)
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
            end = _inline_math(text, i)
            if end is not None:
                keep(text[i:end], "math")
                i = end
                continue
        if ch == "{" and (m := _LIQUID.match(text, i)):
            keep(m.group(), "liquid")
            i = m.end()
            continue
        if ch == "<":
            m = _AUTOLINK.match(text, i) or _HTML.match(text, i)
            if m:
                keep(m.group(), "url" if m.re is _AUTOLINK else "html")
                i = m.end()
                continue
        if ch == "!" and text.startswith("![", i):
            close = _matching_bracket(text, i + 1)
            if close is not None and (end := _link_tail(text, close)) is not None:
                keep(text[i:end], "image")
                i = end
                continue
        if ch == "[":
            m = _CITATION.match(text, i)
            if m:
                keep(m.group(), "citation")
                i = m.end()
                continue
            close = _matching_bracket(text, i)
            if close is not None and _link_tail(text, close) is not None:
                flush()
                links.append(len(pieces))
                pieces.append(Open("a", "["))
                i += 1
                continue
        if ch == "]" and links:
            end = _link_tail(text, i)
            if end is not None:
                flush()
                pieces.append(Close("a", text[i:end]))
                links.pop()
                i = end
                continue
        if ch in "hw" and (i == 0 or not text[i - 1].isalnum()) and (m := _URL.match(text, i)):
            end = m.end()
            # A closing parenthesis belongs to the URL when it balances one inside it.
            while end < n and text[end] == ")" and text.count("(", i, end) > text.count(")", i, end):
                end += 1
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
    return _merge_text(_pair_emphasis(pieces))


def _matching_bracket(text: str, pos: int) -> int | None:
    depth, i = 0, pos
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            end = _code_span(text, i)
            if end is not None:
                i = end
                continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


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
    """
    out: list = list(pieces)
    stack: list[int] = []  # indexes of openers (delims and link opens)
    for idx, piece in enumerate(out):
        if isinstance(piece, Open):  # a link
            stack.append(idx)
        elif isinstance(piece, Close):
            while stack and not isinstance(out[stack[-1]], Open):
                stack.pop()
            if stack:
                stack.pop()
        elif isinstance(piece, _Delim):
            if piece.can_close:
                j = len(stack) - 1
                while j >= 0 and isinstance(out[stack[j]], _Delim):
                    if out[stack[j]].markup == piece.markup:
                        opener = stack[j]
                        tag = _TAG_OF[piece.markup]
                        out[opener] = Open(tag, out[opener].markup)
                        out[idx] = Close(tag, piece.markup)
                        del stack[j:]
                        break
                    j -= 1
                else:
                    if piece.can_open:
                        stack.append(idx)
                continue
            if piece.can_open:
                stack.append(idx)
    return [Text(p.markup) if isinstance(p, _Delim) else p for p in out]


def _merge_text(pieces: list[Piece]) -> list[Piece]:
    merged: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + piece.text)
        else:
            merged.append(piece)
    return merged


def source_of(pieces: list[Piece]) -> str:
    return "".join(p.text if isinstance(p, Text) else p.source for p in pieces)


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


def to_xml(text: str) -> Template:
    pieces = split(text)
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
