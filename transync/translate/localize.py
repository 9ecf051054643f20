"""Making a translated document from a source: front matter rules, body, provenance.

Each front-matter field has one rule (DESIGN.md): ``keep`` (byte-identical,
same line), ``set`` (``lang``), ``rewrite`` (``permalink``: the language
segment, by the site's layout), ``template`` (``title`` from ``{target_name}``-style templates,
else translated), ``translate`` (``summary``), ``glossary`` (``tags``:
through the glossary, else translated or kept) and ``currency`` (``price``,
rounded to the target currency's digits from babel). Key order, quoting and
comments follow the source; provenance is recorded under one key, last.

Translation itself is left to the caller: :func:`plan` lists the texts that
need an engine, and :meth:`Plan.render` builds the document from their
translations, so that a whole batch of documents can share requests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from transync import document
from transync.site import layouts
from transync.document import provenance
from transync.errors import DocumentError
from transync.document.fields import Currency
from transync.document.frontmatter_edit import Field, join_fields, split_fields, with_value
from transync.document.segments import Segmented, segment

_TEMPLATE_KEY = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Settings:
    """How one collection's documents become one target language."""

    source_lang: str
    target_lang: str
    rules: Mapping[str, str]
    provenance_key: str = "transync"
    templates: Mapping[str, str] = field(default_factory=dict)  # field -> "{target_name} 製品レビュー"
    glossary: Mapping[str, str] = field(default_factory=dict)  # source term (lower case) -> target term
    untranslated_tags: str = "translate"  # or "keep": tags the glossary does not know
    currency: Currency | None = None
    layout: layouts.Layout = field(default_factory=layouts.get)  # whose rule gives the permalink


BODY = "body:"
FIELD = "fm:"


def body_key(segment_id: str) -> str:
    """The request key of a body segment: ``body:s3``."""
    return BODY + segment_id


def field_key(name: str, index: int | None = None) -> str:
    """The request key of a front-matter value (``fm:summary``) or of one item of a list (``fm:tags:2``)."""
    return f"{FIELD}{name}" if index is None else f"{FIELD}{name}:{index}"


@dataclass(frozen=True)
class Request:
    """One text the engine must translate: a body segment or a front-matter value.

    The key names it (see :func:`body_key` and :func:`field_key`); read it
    through the properties, never by slicing.
    """

    key: str  # "body:s3", "fm:summary", "fm:tags:2", "fm:title"
    markdown: str
    syntax: str = "md"  # "mdx" for a segment of an MDX body (its JSX and expressions are kept); a field is Markdown

    @property
    def segment_id(self) -> str | None:
        """The body segment's id (``s3``), or None for a front-matter value."""
        return self.key[len(BODY) :] if self.key.startswith(BODY) else None

    @property
    def field(self) -> str | None:
        """The front-matter field (``tags`` for ``fm:tags:2``), or None for a body segment."""
        return self.key[len(FIELD) :].split(":", 1)[0] if self.key.startswith(FIELD) else None

    @property
    def whole_field(self) -> str | None:
        """The field when the text is a field's whole value (``fm:summary``), not one item of a list."""
        name = self.field
        return name if name is not None and self.key == field_key(name) else None


@dataclass
class Plan:
    source: document.Document
    settings: Settings
    fields: list[Field | str]
    segmented: Segmented
    requests: list[Request]
    _fills: list[tuple[int, str, Any]] = field(default_factory=list)  # (field index, rule, data)

    def render(
        self, translations: Mapping[str, str], *, source_hash: str, source_date: str | None, review: int = 0, engine: str | None = None,
    ) -> str:
        """The translated document. ``translations`` maps request keys to Markdown; ``engine`` made them."""
        fields = list(self.fields)
        for index, rule, data in self._fills:
            old = fields[index]
            assert isinstance(old, Field)
            if rule == "translate":
                fields[index] = with_value(old, translations[field_key(old.key)])
            elif rule == "tags":
                values = [translations.get(field_key(old.key, n), v) if known is None else known for n, (v, known) in enumerate(data)]
                fields[index] = with_value(old, values)
            else:
                fields[index] = with_value(old, data)
        body = self.segmented.reassemble(
            {k[len(BODY) :]: v for k, v in translations.items() if k.startswith(BODY)}
        )
        yaml_text = join_fields(fields)
        nl = "\r\n" if "\r\n" in self.source.text[: self.source.body_start] else "\n"
        if yaml_text and not yaml_text.endswith("\n"):
            yaml_text += nl
        draft = f"---{nl}{yaml_text}---{nl}{body}"
        meta = document.parse(draft).meta
        out_hash = document.output_hash(meta, body, self.settings.provenance_key)
        from transync.document.provenance import encode

        recorded = source_field_hashes(self.source.meta, self.settings)
        codes = encode(self.segmented.segments)
        line = provenance_line(self.settings.provenance_key, source_hash, source_date, out_hash, recorded, codes, review, engine) + nl
        return f"---{nl}{yaml_text}{line}---{nl}{body}"


def plan(source: document.Document, settings: Settings) -> Plan:
    """Work out what to translate in a source and how every field becomes the target's."""
    items = [i for i in split_fields(source.front_matter) if not (isinstance(i, Field) and i.key == settings.provenance_key)]
    segmented = segment(source.body, source.syntax)
    requests = [Request(body_key(s.id), s.text, segmented.syntax) for s in segmented.translatable()]
    result = Plan(source, settings, items, segmented, requests)
    meta = source.meta
    for index, item in enumerate(items):
        if not isinstance(item, Field):
            continue
        key = item.key
        rule = settings.rules.get(key, "keep")
        value = meta.get(key)
        if rule == "keep" or value is None:
            continue
        if rule == "set":
            result._fills.append((index, "set", settings.target_lang))
        elif rule == "rewrite":
            swapped = settings.layout.translation_permalink(str(value), settings.source_lang, settings.target_lang)
            result._fills.append((index, "set", str(value) if swapped is None else swapped))
        elif rule == "currency":
            if settings.currency is not None:
                result._fills.append((index, "set", settings.currency.convert(value)))
        elif rule == "template" and key in settings.templates:
            result._fills.append((index, "set", fill_template(settings.templates[key], meta)))
        elif rule == "glossary" and isinstance(value, list):
            entries = []
            for n, tag in enumerate(value):
                known = settings.glossary.get(str(tag).lower())
                if known is None and settings.untranslated_tags == "keep":
                    known = str(tag)
                if known is None:
                    requests.append(Request(field_key(key, n), str(tag)))
                entries.append((str(tag), known))
            result._fills.append((index, "tags", entries))
        elif rule in ("translate", "template", "glossary") and isinstance(value, str):
            if not item.single_line:
                continue  # a multi-line scalar is kept rather than rewritten badly
            requests.append(Request(field_key(key), value))
            result._fills.append((index, "translate", None))
    return result


def provenance_line(
    key: str, source_hash: str, source_date: str | None, output_hash: str | None, fields: Mapping[str, str] | None = None,
    segments: str | None = None, review: int = 0, engine: str | None = None,
) -> str:
    """The provenance transync records in a translation, as one flow-mapping line (no newline).

    Hashes are quoted: an all-digit hash would otherwise be read back as a
    number. ``fields`` are the hashes of the source's following fields
    (:func:`transync.document.fields.hashes`); their names are written as JSON strings,
    which YAML reads back whatever the name. ``segments`` are the codes of the
    source segments translated (:mod:`transync.document.provenance`). ``review`` counts the
    human-edited segments a merge replaced because their source changed, until
    ``transync ack`` says they were looked at. ``engine`` names what made the
    text (``deepl``, ``pseudo``, ``memory`` when nothing was sent): ``status``
    never counts ``pseudo`` output as a translation. Provenance written before
    transync recorded it has none, and reads as a real translation.
    """
    import json

    date = f", source_date: {source_date}" if source_date else ""
    out = f', output_hash: "{output_hash}"' if output_hash else ""
    recorded = ""
    if fields:
        recorded = ", fields: {" + ", ".join(f'{json.dumps(k, ensure_ascii=False)}: "{v}"' for k, v in sorted(fields.items())) + "}"
    codes = f', segments: "{segments}"' if segments else ""
    flagged = f", review: {review}" if review else ""
    made_by = f", engine: {json.dumps(engine, ensure_ascii=False)}" if engine else ""
    return f'{key}: {{source_hash: "{source_hash}"{date}{out}{made_by}{recorded}{codes}{flagged}}}'


def source_field_hashes(source_meta: Mapping[str, Any], settings: Settings) -> dict[str, str]:
    """The hashes of a source's fields, as a translation's provenance records them: the fields
    that follow the source, and the translated ones (so that an unchanged one keeps its translation)."""
    from transync.document import fields

    values = list(fields.follow_values(source_meta, settings.rules, settings.provenance_key))
    values += [(str(k), fields.plain(v)) for k, v in source_meta.items() if settings.rules.get(str(k)) in ("translate", "template", "glossary")]
    return fields.hashes(values)


def fill_template(template: str, meta: Mapping[str, Any]) -> str:
    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in meta:
            raise DocumentError(f"title template needs '{name}', which the source does not have")
        return str(meta[name])

    return _TEMPLATE_KEY.sub(repl, template)


def update_fields(translation: document.Document, source: document.Document, names: Sequence[str], settings: Settings) -> str:
    """The translation with its kept and derived fields ``names`` brought in line with the source.

    Nothing is translated and nothing else changes: every other line of the
    front matter and the body stay byte for byte. A kept field takes the
    source's line as the source writes it; a price is converted again; a
    field the translation lacks goes after the field that precedes it in the
    source. The provenance (when there is one) records the source's fields
    now; its output hash moves on only when nobody edited the translation,
    so that a human edit is still known as one afterwards.
    """
    key = settings.provenance_key
    src_fields = {f.key: f for f in split_fields(source.front_matter) if isinstance(f, Field)}
    items = split_fields(translation.front_matter)
    nl = "\r\n" if "\r\n" in translation.text[: translation.body_start] else "\n"
    source_order = list(src_fields)
    for name in names:
        new = src_fields.get(name)
        if new is None:
            continue  # the source no longer has it: check reports a kept field the source lacks
        if settings.rules.get(name) == "currency" and settings.currency is not None:
            old = next((f for f in items if isinstance(f, Field) and f.key == name), new)
            new = with_value(old, settings.currency.convert(source.meta[name]))
        else:
            new = Field(name, new.text.replace("\r\n", "\n").replace("\n", nl))
        at = next((n for n, f in enumerate(items) if isinstance(f, Field) and f.key == name), None)
        if at is not None:
            items[at] = new
            continue
        # After the nearest field that comes before it in the source; else first.
        before = source_order[: source_order.index(name)]
        spots = [n for n, f in enumerate(items) if isinstance(f, Field) and f.key in before]
        items.insert(spots[-1] + 1 if spots else 0, new)
    prov_at = next((n for n, f in enumerate(items) if isinstance(f, Field) and f.key == key), None)
    if prov_at is not None:
        recorded = translation.meta.get(key) or {}
        body = translation.body
        draft_items = [f for n, f in enumerate(items) if n != prov_at]
        draft = f"---{nl}{join_fields(draft_items)}---{nl}{body}"
        was_edited = recorded.get("output_hash") != document.output_hash(translation.meta, body, key)
        out_hash = recorded.get("output_hash") if was_edited else document.output_hash(document.parse(draft).meta, body, key)
        line = provenance_line(
            key, str(recorded.get("source_hash", "")), document.normalize_date(recorded.get("source_date")),
            out_hash if isinstance(out_hash, str) else None, source_field_hashes(source.meta, settings),
            recorded.get("segments") if isinstance(recorded.get("segments"), str) else None,
            provenance.review_count(recorded), provenance.engine_of(recorded),
        )
        items[prov_at] = Field(key, line + items[prov_at].newline)
    text = translation.text
    yaml_start = translation.yaml_start
    return ("\ufeff" if translation.bom else "") + text[:yaml_start] + join_fields(items) + text[yaml_start + len(translation.front_matter) :]


@dataclass
class FieldUpdate:
    """A plan that translates nothing: a translation's kept and derived fields follow its source."""

    translation: document.Document
    source: document.Document
    names: tuple[str, ...]
    settings: Settings
    requests: list[Request] = field(default_factory=list)

    def render(
        self, translations: Mapping[str, str], *, source_hash: str, source_date: str | None, review: int = 0, engine: str | None = None,
    ) -> str:
        return update_fields(self.translation, self.source, self.names, self.settings)
