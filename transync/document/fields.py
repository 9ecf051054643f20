"""Front-matter fields that follow the source: which they are, and what the source implies.

A translation's *kept* fields (``rating``, ``ref``, ``layout``... every field
whose rule is ``keep``, which is every field ``[fields]`` does not name) must
equal the source's, and its *derived* fields (rule ``currency``: ``price``)
must be what the source's value converts to in the translation's language
(when the site gives that language a currency and a rate; otherwise a price
is not judged, since it may be in the language's own currency).
When the source changes one of them, the translation is out of date, and
``translate`` brings it up to date in place, sending no text.

A field whose rule is ``own`` belongs to each language (a local price set by
hand): a new translation starts from the source's value, and it never
follows the source afterwards. ``date`` and the provenance are always the
translation's own.

The values compared are the YAML values, not their spelling: ``4.0`` and
``4``, ``"Sony"`` and ``Sony`` are equal, runs of spaces in a string do not
count, but ``1``, ``true`` and ``"1"`` differ.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Mapping, Sequence

from transync.document import json_string  # the package is whole before its modules (it imports none of them)

from transync.document import plain
from transync.document.frontmatter_edit import NumberText
from transync.errors import DocumentError

@dataclass(frozen=True)
class Currency:
    """Price conversion into a target currency: ``value * rate``, rounded for ``code``."""

    code: str  # ISO 4217, e.g. JPY
    rate: Decimal  # target units per source unit

    def convert(self, value: Any) -> NumberText:
        try:
            amount = Decimal(str(value)) * self.rate
        except (InvalidOperation, ValueError):
            raise DocumentError(f"price {value!r} is not a number") from None
        from babel.numbers import get_currency_precision

        digits = get_currency_precision(self.code)
        quantum = Decimal(1).scaleb(-digits)
        rounded = amount.quantize(quantum, rounding=ROUND_HALF_UP)
        return NumberText(f"{rounded:f}")


#: Rules whose fields follow the source.
FOLLOW_RULES = ("keep", "currency")


def kept(rules: Mapping[str, str], provenance_key: str) -> Callable[[str], bool]:
    """Whether a front-matter field must be the same in every language (rule ``keep``)."""
    own = ("date", provenance_key)

    def is_kept(name: str) -> bool:
        return name not in own and rules.get(name, "keep") == "keep"

    return is_kept


def follow_values(meta: Mapping[str, Any], rules: Mapping[str, str], provenance_key: str) -> tuple[tuple[str, Any], ...]:
    """The fields of ``meta`` that follow the source, as plain data, in file order.

    Plain data (strings, numbers, lists, dicts; dates as ISO strings) so that
    it can be cached with a document's header.
    """
    follows = following(rules, provenance_key)
    return tuple((str(name), plain(value)) for name, value in meta.items() if follows(str(name)))


def following(rules: Mapping[str, str], provenance_key: str) -> Callable[[str], bool]:
    """Whether a front-matter field follows the source (rule ``keep`` or ``currency``)."""
    is_kept = kept(rules, provenance_key)

    def follows(name: str) -> bool:
        return is_kept(name) or rules.get(name) == "currency"

    return follows


def pack(values: tuple[tuple[str, Any], ...]) -> str:
    """Following values as one compact string, as a document's cached header keeps them.

    One string per file keeps the header cache small and quick to load; most
    runs never look inside it (see :func:`unpack`).
    """
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"), default=str) if values else ""


def pack_json(values: Sequence[tuple[str, str]]) -> str:
    """:func:`pack` of values given as their JSON text (a mapping's with its keys in order, as
    :func:`pack` keeps them)."""
    return "[" + ",".join(f"[{json_string(name)},{text}]" for name, text in values) + "]" if values else ""


@lru_cache(maxsize=None)
def unpack(packed: str) -> tuple[tuple[str, Any], ...]:
    """The values :func:`pack` packed (the same object for the same string)."""
    return tuple((name, value) for name, value in json.loads(packed)) if packed else ()


def hashes(values: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """A short hash of each following field's value, as a translation's provenance records them.

    Recorded per field, so that a later change of the source is told apart,
    field by field, from a value the translation has of its own.
    """
    out = {}
    for name, value in values:
        data = json.dumps(_comparable(value), ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))
        out[name] = hashlib.sha256(data.encode()).hexdigest()[:8]
    return out


def differs(a: Any, b: Any) -> bool:
    """Unequal YAML values: 1 and 1.0 are the same number, but 1, true and "1" differ."""
    if isinstance(a, str) and isinstance(b, str):
        return a.split() != b.split()
    if type(a) is not type(b):
        numbers = (int, float)
        if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
            return a != b
        return True
    if isinstance(a, list):
        return len(a) != len(b) or any(differs(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() != b.keys() or any(differs(a[k], b[k]) for k in a)
    return a != b


def drifted(
    source: Iterable[tuple[str, Any]], translation: Iterable[tuple[str, Any]], rules: Mapping[str, str],
    convert: Callable[[Any], Any] | None, baseline: Mapping[str, str] | None = None,
) -> list[str]:
    """The following fields whose translation value is not what the source implies, in source order.

    ``convert`` turns a source price into the translation's currency. Without
    it (no ``currency`` and ``rate`` for that language) a price is not judged:
    the translation may state it in its own currency, and nothing tells.
    ``baseline`` (see :func:`hashes`) is what the source's fields were when the
    translation was made: a field the source has not changed since is the
    translation's own business, whatever its value (``check`` reports it).
    Without a baseline every difference counts.
    """
    have = dict(translation)
    now = hashes(source) if baseline is not None else {}
    out = []
    for name, value in source:
        if rules.get(name) == "currency" and convert is None:
            continue  # no rate for this language: its price may be in its own currency, nothing tells
        if baseline is not None and baseline.get(name) == now[name]:
            continue  # unchanged in the source since the translation was made
        if name not in have:
            out.append(name)
        elif rules.get(name) == "currency" and convert is not None:
            if not same_amount(have[name], convert(value)):
                out.append(name)
        elif differs(have[name], value):
            out.append(name)
    return out


def drifted_since(
    source: Iterable[tuple[str, Any]], translation: Iterable[tuple[str, Any]], rules: Mapping[str, str],
    convert: Callable[[Any], Any] | None, old: Iterable[tuple[str, Any]],
) -> list[str]:
    """Like :func:`drifted`, knowing the source's old values (``old``, from git).

    A field is out of date when the source changed it since and the
    translation still has what the old value implied: its own value (a local
    price set by hand, a localized name) is never taken for an outdated one.
    """
    have, then = dict(translation), dict(old)
    out = []
    for name, value in source:
        if rules.get(name) == "currency" and convert is None:
            continue  # no rate for this language: its price may be in its own currency, nothing tells
        if name not in then:
            if name not in have:
                out.append(name)  # new in the source
            continue
        was = then[name]
        if not differs(was, value):
            continue  # unchanged since
        if name not in have:
            continue  # the translation never had it: its own choice
        mine = have[name]
        if rules.get(name) == "currency" and convert is not None:
            followed = same_amount(mine, convert(was))
        else:
            followed = not differs(mine, was)
        if followed:
            out.append(name)
    return out


def same_amount(a: Any, b: Any) -> bool:
    """Two prices are the same amount (``232499`` and ``232499.0``); a non-number equals nothing."""
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except (InvalidOperation, ValueError):
        return False


def _comparable(value: Any) -> Any:
    """A value as :func:`differs` sees it: strings by their words, numbers by their value."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    return value
