"""XLIFF 2.0 files for CAT tools: the texts of a memory export as units, and the units read back.

One ``<file>`` holds a ``<unit>`` per text with one ``<segment>``: the source, and the
target once translated. A text's protected spans (inline code, math, URLs, citations,
Liquid...) become ``<ph>`` placeholders and its paired markup (emphasis, strong, link
text) ``<pc>`` codes, both pointing at their Markdown in the unit's ``<originalData>``,
so a CAT tool shows them as tags the translator moves but cannot edit; reading a unit
puts the Markdown back byte for byte. The segmentation into spans is
:func:`transync.document.placeholders.split`, the one engines see.

A unit's ``name`` is the text's context in the memory (``fm:summary`` for a front-matter
field), its notes say where the text is (``location``), what it was before a change
(``previous``) or that a machine translation waits for review (``review``). A target
prefilled for adaptation (the old translation of a changed text) has
``state="initial" subState="transync:fuzzy"``: it is skipped on import until the tool
marks the segment translated, as a PO file's fuzzy flag is.

Written and read with the standard library's ElementTree, not translate-toolkit: the
subset above is small, translate-toolkit is a large dependency (lxml among others) whose
XLIFF 2.0 store is young (Weblate, built on it, calls its XLIFF 2.0 support "under
development"), and transync's own parser is what enforces that placeholders come back
intact.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from transync.document import placeholders as ph
from transync.errors import TransyncError

NS = "urn:oasis:names:tc:xliff:document:2.0"
FUZZY = "transync:fuzzy"
_Q = f"{{{NS}}}"
SUFFIXES = (".xlf", ".xliff")


class XliffError(TransyncError):
    """An XLIFF file that cannot be read."""


@dataclass
class Unit:
    """One text: its Markdown source, its Markdown translation ("" when there is none)."""

    source: str
    target: str = ""
    context: str | None = None
    locations: list[str] = field(default_factory=list)
    previous: str | None = None  # the source text as it was translated, for a changed one
    review: str | None = None  # why a prefilled target needs a look (a machine translation)
    fuzzy: bool = False  # the target is a suggestion to adapt, not a translation yet
    ident: str | None = None  # the unit's id in the file it was read from


def is_xliff(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


# --------------------------------------------------------------------------- writing


def write(units: list[Unit], source_lang: str, target_lang: str, *, comment: str = "") -> str:
    """An XLIFF 2.0 document for ``units``, in their order."""
    ET.register_namespace("", NS)
    root = ET.Element(_Q + "xliff", {"version": "2.0", "srcLang": source_lang, "trgLang": target_lang})
    file = ET.SubElement(root, _Q + "file", {"id": "transync", "original": f"transync {source_lang}-{target_lang}"})
    if comment:
        notes = ET.SubElement(file, _Q + "notes")
        ET.SubElement(notes, _Q + "note", {"category": "transync"}).text = comment
    for n, unit in enumerate(units, 1):
        _write_unit(file, unit, f"u{n}")
    _indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _indent(element: ET.Element, level: int = 0) -> None:
    """Indent the structure, never the inside of a <source>, <target>, <note> or <data>, whose
    whitespace is text (ElementTree's own indent() would change a space between two codes)."""
    if _local(element.tag) in ("source", "target", "note", "data") or not len(element):
        return
    inner = "\n" + "  " * (level + 1)
    element.text = inner
    for child in element:
        _indent(child, level + 1)
        child.tail = inner
    child.tail = "\n" + "  " * level


def _write_unit(parent: ET.Element, unit: Unit, ident: str) -> None:
    attrs = {"id": ident} | ({"name": unit.context} if unit.context else {})
    element = ET.SubElement(parent, _Q + "unit", attrs)
    notes = [("location", where) for where in unit.locations]
    notes += [("previous", unit.previous)] if unit.previous is not None else []
    notes += [("review", unit.review)] if unit.review else []
    if notes:
        holder = ET.SubElement(element, _Q + "notes")
        for category, text in notes:
            ET.SubElement(holder, _Q + "note", {"category": category}).text = text
    data: dict[str, str] = {}
    original = ET.SubElement(element, _Q + "originalData")
    segment = ET.SubElement(element, _Q + "segment")
    if unit.target:
        segment.set("state", "initial" if unit.fuzzy else "translated")
        if unit.fuzzy:
            segment.set("subState", FUZZY)
    _inline(ET.SubElement(segment, _Q + "source", {"{http://www.w3.org/XML/1998/namespace}space": "preserve"}), unit.source, data)
    if unit.target:
        _inline(ET.SubElement(segment, _Q + "target", {"{http://www.w3.org/XML/1998/namespace}space": "preserve"}), unit.target, data)
    for ref, markdown in data.items():
        ET.SubElement(original, _Q + "data", {"id": ref}).text = markdown
    if not data:
        element.remove(original)


def _inline(element: ET.Element, markdown: str, data: dict[str, str]) -> None:
    """Fill ``element`` with the text and inline codes of ``markdown``; ``data`` collects the
    Markdown of every code (shared by source and target: the same span is the same data)."""
    by_markdown = {v: k for k, v in data.items()}

    def ref(markdown_code: str) -> str:
        if markdown_code not in by_markdown:
            by_markdown[markdown_code] = f"d{len(data) + 1}"
            data[by_markdown[markdown_code]] = markdown_code
        return by_markdown[markdown_code]

    stack = [element]
    last: ET.Element | None = None  # the element whose tail takes the next text
    counter = 0
    pieces = ph.split(markdown)
    closes = _closing_sources(pieces)
    for piece in pieces:
        if isinstance(piece, ph.Text):
            if last is None:
                stack[-1].text = (stack[-1].text or "") + piece.text
            else:
                last.tail = (last.tail or "") + piece.text
            continue
        if isinstance(piece, ph.Close):
            last = stack.pop()
            continue
        counter += 1
        if isinstance(piece, ph.Keep):
            last = ET.SubElement(stack[-1], _Q + "ph", {"id": str(counter), "dataRef": ref(piece.source), "disp": piece.source})
            continue
        code = ET.SubElement(stack[-1], _Q + "pc", {
            "id": str(counter), "dataRefStart": ref(piece.source), "dataRefEnd": ref(closes[id(piece)]),
            "type": "fmt" if piece.tag in "bis" else "link",
        })
        stack.append(code)
        last = None


def _closing_sources(pieces: list) -> dict[int, str]:
    """Each opening piece's closing Markdown (``](https://...)`` for link text)."""
    result: dict[int, str] = {}
    stack: list = []
    for piece in pieces:
        if isinstance(piece, ph.Open):
            stack.append(piece)
        elif isinstance(piece, ph.Close):
            result[id(stack.pop())] = piece.source
    return result


# --------------------------------------------------------------------------- reading


def read(path: Path) -> tuple[str | None, list[Unit]]:
    """The target language and the units of an XLIFF 2.0 file; XliffError naming the file otherwise."""
    try:
        root = ET.fromstring(path.read_bytes())
    except (OSError, ET.ParseError) as exc:
        raise XliffError(f"{path}: not a readable XLIFF file: {exc}") from None
    if root.tag != _Q + "xliff" or not str(root.get("version", "")).startswith("2."):
        raise XliffError(f"{path}: not an XLIFF 2 file (its root is <{_local(root.tag)}> version {root.get('version')!r})")
    units = []
    for element in root.iter(_Q + "unit"):
        try:
            units.append(_read_unit(element))
        except XliffError as exc:
            raise XliffError(f"{path}: unit {element.get('id')!r}: {exc}") from None
    return root.get("trgLang"), units


def _read_unit(element: ET.Element) -> Unit:
    data = {d.get("id"): d.text or "" for d in element.iter(_Q + "data")}
    segments = element.findall(_Q + "segment")
    if len(segments) != 1:
        raise XliffError(f"has {len(segments)} segments; transync writes one per unit (do not split or join segments)")
    segment = segments[0]
    source = segment.find(_Q + "source")
    if source is None:
        raise XliffError("has no <source>")
    target = segment.find(_Q + "target")
    notes = {n.get("category"): n.text or "" for n in element.iter(_Q + "note")}
    return Unit(
        source=_markdown(source, data),
        target=_markdown(target, data) if target is not None else "",
        context=element.get("name"),
        previous=notes.get("previous"),
        fuzzy=segment.get("state", "initial") == "initial" and segment.get("subState") == FUZZY,
        ident=element.get("id"),
    )


def _markdown(element: ET.Element, data: dict[str | None, str]) -> str:
    """The Markdown of a <source> or <target>: text, and each code's original data."""
    out = [element.text or ""]
    for child in element:
        tag = _local(child.tag)
        if tag == "ph":
            out.append(_data(data, child.get("dataRef"), child))
        elif tag == "pc":
            out.append(_data(data, child.get("dataRefStart"), child))
            out.append(_markdown(child, data))
            out.append(_data(data, child.get("dataRefEnd"), child))
        elif tag == "mrk":  # an annotation (a CAT tool's comment or term mark): its content is text
            out.append(_markdown(child, data))
        else:
            raise XliffError(f"<{tag}> is not an inline code transync wrote (<ph>, <pc>)")
        out.append(child.tail or "")
    return "".join(out)


def _data(data: dict[str | None, str], ref: str | None, element: ET.Element) -> str:
    if ref not in data:
        raise XliffError(f"<{_local(element.tag)} id={element.get('id')!r}> refers to no original data ({ref!r})")
    return data[ref]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
