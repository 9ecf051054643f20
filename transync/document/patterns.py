"""URLs written out in prose, citation numbers and code fences: what they are, in one place.

:mod:`transync.document.placeholders` protects them (an engine never sees a URL or a
``[1]``), :mod:`transync.checks` compares them between a source and its
translation, and :mod:`transync.checks.termcheck` knows a reference entry by its
URL. All three ask here, so that what is protected is exactly what is
checked: a URL that protection cut short, or a citation it did not know,
would be sent to the engine, come back changed, and pass the check.

- A URL starts with ``http://``, ``https://``, ``ftp://`` or ``www.``, not
  inside an ASCII word, and ends at white space, quotes, angle or square
  brackets, and at non-ASCII punctuation: Japanese runs on without a space
  (``https://example.com/a、次``, ``…/a（参照）``, ``…/a〜``). Non-ASCII
  letters belong to it only when URL syntax (``/?#=&``) follows them
  (``…/FiiO-KA15ポータブル/dp/B0D…``, but ``…/aを参照``). Trailing sentence
  punctuation and emphasis (``.,;:!?*_~``) are not part of it, nor a closing
  parenthesis it did not open. A link whose address holds non-ASCII
  punctuation is written as ``<…>`` or ``[text](…)``, whose target is kept
  whole.
- A citation is ``[1]``, ``[1, 2]``, ``[1-3]``, ``[1〜3]``, ``[1、2]``, in
  ASCII or full-width forms (``［１］``); ``[1][2]`` is two.

Code fences are here too, for the readers that go line by line without the
Markdown parser (:func:`transync.document.mdx.structure`,
:mod:`transync.checks.suppress`): what they skip as code is one rule.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from typing import Iterator

#: Where a URL may start (a scheme or "www."); :class:`Urls` says whether one does.
URL_START = re.compile(r"(?:https?|ftp)://|www\.")
# What a URL can hold at most; the rest of the rules trim it.
_URL_RUN = re.compile(r"[^\s<>\"'`\[\]]+")
_URL_SYNTAX = re.compile(r"[/?#=&]")
_URL_TRAILING = ".,;:!?*_~(}"
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

# Citation numbers are listed with commas and ranged with dashes or waves, ASCII or full-width.
_LIST = ",，、"
_RANGE = r"\-－–—~～〜"
#: A citation; group 1 is what is inside the brackets.
CITATION = re.compile(rf"[\[［](\d{{1,4}}(?:\s*[{_LIST}{_RANGE}]\s*\d{{1,4}})*)[\]］]")
_CITATION_PART = re.compile(rf"(\d+)(?:\s*[{_RANGE}]\s*(\d+))?")

#: A line that opens a code fence, after blanks and any block-quote and list markers (inside which
#: a fence is still one); group 1 is the fence (three or more backticks or tildes).
FENCE_OPEN = re.compile(r"[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)*(`{3,}|~{3,})")


def closes_fence(line: str, fence: str) -> bool:
    """Whether ``line`` closes the code fence that ``fence`` opened: as many of its
    character or more, after blanks and block-quote markers, and nothing else."""
    stripped = line.lstrip(" \t>")
    return stripped.startswith(fence) and not stripped.rstrip().strip(fence[0])


class Urls:
    """The URLs written out in one text.

    :meth:`end` answers in time proportional to the URL, not to the text
    after it: what it learns of a run of URL characters (where its non-ASCII
    characters and URL syntax are) serves every start in that run, so a
    hostile ``https://、`` x 20,000 stays linear.
    """

    __slots__ = ("text", "_start", "_end", "_stops", "_letters", "_syntax")

    def __init__(self, text: str) -> None:
        self.text = text
        self._start = self._end = 0  # the run described by the three lists below
        self._stops: list[int] = []  # non-ASCII punctuation, symbols and spaces: a URL ends there
        self._letters: list[int] = []  # other non-ASCII characters
        self._syntax: list[int] = []  # "/?#=&"

    def end(self, start: int) -> int | None:
        """The end of the URL written out at ``start``, or None when none starts there."""
        text = self.text
        if start > 0 and text[start - 1].isascii() and text[start - 1].isalnum():
            return None  # inside a word: "xhttp://" is not a link ("詳細はhttps://" is one)
        head = URL_START.match(text, start)
        if head is None:
            return None
        self._describe_run(start)
        stops, letters, syntax = self._stops, self._letters, self._syntax
        k = bisect_left(stops, start)
        cut = stops[k] if k < len(stops) else self._end
        k = bisect_left(letters, start)
        if k < len(letters) and letters[k] < cut:
            first = letters[k]
            j = bisect_left(syntax, cut) - 1
            last = syntax[j] if j >= 0 and syntax[j] >= start else -1
            if last < first:
                cut = first
            else:
                k = bisect_left(letters, last)
                cut = min(letters[k], cut) if k < len(letters) else cut
        # Trailing punctuation is the sentence's, and so is a closing parenthesis
        # the URL did not open: "(see https://x.org/a_(b))".
        opened = text.count("(", start, cut) - text.count(")", start, cut)
        while cut > head.end() and (text[cut - 1] in _URL_TRAILING or (text[cut - 1] == ")" and opened < 0)):
            opened += {"(": -1, ")": 1}.get(text[cut - 1], 0)
            cut -= 1
        return cut if cut > head.end() else None  # not a scheme alone

    def _describe_run(self, start: int) -> None:
        if self._start <= start < self._end:
            return
        text = self.text
        end = _URL_RUN.match(text, start).end()  # type: ignore[union-attr]  # URL_START matched here
        self._start, self._end = start, end
        self._stops, self._letters = [], []
        for m in _NON_ASCII.finditer(text, start, end):
            (self._stops if unicodedata.category(m.group())[0] in "PSZ" else self._letters).append(m.start())
        self._syntax = [m.start() for m in _URL_SYNTAX.finditer(text, start, end)]

    def all(self) -> Iterator[tuple[int, str]]:
        """``(offset, url)`` of every URL in the text."""
        # Where URL_START matches next, found with str.find for each of its alternatives
        # ("https://" is "http" and "s://": "http://" does not find it): the expression,
        # with no literal to look for first, is tried at every position of a paragraph.
        # Each alternative's next place is looked for again only once passed: linear.
        text = self.text
        nexts = [text.find(head) for head in _URL_HEADS]
        pos = 0
        while True:
            for k, at in enumerate(nexts):
                if 0 <= at < pos:
                    nexts[k] = text.find(_URL_HEADS[k], pos)
            start = min((at for at in nexts if at >= 0), default=-1)
            if start < 0:
                return
            end = self.end(start)
            if end is None:
                pos = start + 1
                continue
            yield start, text[start:end]
            pos = end


_URL_HEADS = ("http://", "https://", "ftp://", "www.")


def bare_urls(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, url)`` of every URL written out in ``text``."""
    return Urls(text).all()


def citation_list(inside: str) -> list[int]:
    """The numbers a citation names: ``1, 3-5`` -> 1, 3, 4, 5 (a range only when it is short and ascending)."""
    numbers: list[int] = []
    for part in _CITATION_PART.finditer(inside):
        first = int(part.group(1))
        last = int(part.group(2)) if part.group(2) else first
        if first < last <= first + 50:
            numbers.extend(range(first, last + 1))
        else:
            numbers.append(first)
            if part.group(2):
                numbers.append(last)
    return numbers


def citations(text: str) -> Iterator[tuple[int, list[int]]]:
    """``(offset, numbers)`` of every citation in ``text``."""
    # CITATION.finditer, tried only where a bracket opens: the expression starts
    # with one, and trying it at every position of a paragraph cost more than the rest.
    if "[" in text:
        starts = list(_positions(text, "["))
        if "［" in text:
            starts = sorted(starts + list(_positions(text, "［")))
    elif "［" in text:
        starts = list(_positions(text, "［"))
    else:
        return
    end = 0
    for at in starts:
        if at < end:
            continue
        match = CITATION.match(text, at)
        if match is not None:
            end = match.end()
            yield at, citation_list(match.group(1))


def _positions(text: str, char: str) -> Iterator[int]:
    at = text.find(char)
    while at >= 0:
        yield at
        at = text.find(char, at + 1)


def citation_numbers(text: str) -> list[int]:
    """The citation numbers in a piece of prose: ``[1][2]`` and ``［1］、[2-3]`` -> 1, 2(, 3)."""
    return [n for _, numbers in citations(text) for n in numbers]
