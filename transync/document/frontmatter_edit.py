"""Editing front matter line by line, the way a careful human would.

The YAML text of a document is split into top-level *fields*, each the exact
lines that hold one key (a block list or a folded scalar spans several
lines). A field can then be kept byte for byte, or given a new value written
in the style of the old one: a double-quoted string stays double-quoted, a
flow list stays a flow list, a plain scalar stays plain when it safely can,
and a trailing comment is kept. Nothing is ever re-dumped as a whole.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

_KEY_LINE = re.compile(r"""^(?P<q>["']?)(?P<key>[^\s"'#:][^:"']*?)(?P=q)[ \t]*:(?=[ \t]|\r?$)""")
_PLAIN_UNSAFE_START = set("-?:,[]{}#&*!|>'\"%@`")


@dataclass(frozen=True)
class Field:
    key: str
    text: str  # the field's lines as written, each ending in its newline

    @property
    def head(self) -> str:
        """The first line without its newline."""
        return self.text.split("\n", 1)[0].rstrip("\r")

    @property
    def newline(self) -> str:
        return "\r\n" if self.text.split("\n", 1)[0].endswith("\r") else "\n"

    @property
    def single_line(self) -> bool:
        return self.text.count("\n") <= 1

    def value_text(self) -> str:
        """What follows ``key:`` on the first line, comment and spaces removed."""
        rest = self.head[_KEY_LINE.match(self.head).end() :]
        return _strip_comment(rest).strip()

    def comment(self) -> str:
        """A trailing ``# comment`` on the first line, with the spaces before it."""
        rest = self.head[_KEY_LINE.match(self.head).end() :]
        value = _strip_comment(rest)
        tail = rest[len(value) :]
        return value[len(value.rstrip()) :] + tail if tail else ""


def split_fields(front_matter: str) -> list[Field | str]:
    """Top-level fields in order; comments and blank lines between them are kept as strings."""
    lines = front_matter.splitlines(keepends=True)
    out: list[Field | str] = []
    current: list[str] = []
    key: str | None = None

    def close() -> None:
        nonlocal key
        if key is not None:
            out.append(Field(key, "".join(current)))
        elif current:
            out.append("".join(current))
        current.clear()
        key = None

    for line in lines:
        m = _KEY_LINE.match(line)
        if m:
            close()
            key = m.group("key")
            current.append(line)
        elif key is not None and (line[:1] in (" ", "\t", "-") or not line.strip() or line.lstrip().startswith("#")):
            current.append(line)
        else:
            close()
            current.append(line)
    close()
    # Blank lines and comments after a field's value belong between fields.
    fixed: list[Field | str] = []
    for item in out:
        if isinstance(item, Field):
            body = item.text.splitlines(keepends=True)
            trail: list[str] = []
            while len(body) > 1 and (not body[-1].strip() or body[-1].lstrip().startswith("#")):
                trail.insert(0, body.pop())
            fixed.append(Field(item.key, "".join(body)))
            if trail:
                fixed.append("".join(trail))
        else:
            fixed.append(item)
    return fixed


def join_fields(items: Sequence[Field | str]) -> str:
    return "".join(i.text if isinstance(i, Field) else i for i in items)


def _strip_comment(text: str) -> str:
    """``text`` up to a YAML comment (`` #`` outside quotes)."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
            continue
        if ch in "\"'" and (i == 0 or text[i - 1] in " \t[,{"):
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i]
    return text


# --------------------------------------------------------------------------- writing values


def style_of(value_text: str) -> str:
    """``double``, ``single``, ``plain``, ``flow`` (a ``[...]`` list) or ``block`` (anything else)."""
    if value_text.startswith('"'):
        return "double"
    if value_text.startswith("'"):
        return "single"
    if value_text.startswith("["):
        return "flow"
    if not value_text or value_text[0] in "|>{&*!":
        return "block"
    return "plain"


def _plain_ok(text: str, flow: bool = False) -> bool:
    if not text or text != text.strip() or text[0] in _PLAIN_UNSAFE_START:
        return False
    if ": " in text or " #" in text or text.endswith(":") or "\n" in text:
        return False
    if flow and any(ch in text for ch in ",[]{}"):
        return False
    return _resolves_to_str(text)


@lru_cache(maxsize=1)
def _resolver():
    import yaml

    return yaml.resolver.Resolver()


def _resolves_to_str(text: str) -> bool:
    """Whether YAML reads ``text`` unquoted as a string (not a number, bool, null or date)."""
    import yaml

    return _resolver().resolve(yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str"


def quote(text: str, style: str, *, flow: bool = False) -> str:
    """``text`` as a YAML scalar in ``style``, falling back to double quotes when needed."""
    if style == "plain" and _plain_ok(text, flow):
        return text
    if style == "single" and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def render_list(items: Sequence[str], example: str) -> str:
    """A flow list like ``example`` (``[a, b]`` or ``["a", "b"]``)."""
    inner = example.strip()[1:-1].strip()
    style = style_of(inner) if inner else "plain"
    if style not in ("double", "single"):
        style = "plain"
    sep = "," if "," in inner and ", " not in inner else ", "  # "[a,b]" stays tight; one item says nothing
    return "[" + sep.join(quote(i, style, flow=True) for i in items) + "]"


def with_value(field: Field, value: Any) -> Field:
    """The field with a new value, written in the style of the old one; comment kept."""
    old = field.value_text()
    style = style_of(old)
    if isinstance(value, (list, tuple)):
        rendered = render_list([str(v) for v in value], old if style == "flow" else "[]")
    elif isinstance(value, bool) or value is None:
        rendered = json.dumps(value)
    elif isinstance(value, (int, float)):
        rendered = str(value)
    elif isinstance(value, NumberText):
        rendered = str(value)
    else:
        rendered = quote(str(value), style if style in ("double", "single", "plain") else "double")
    head = field.head
    prefix = head[: _KEY_LINE.match(head).end()]
    return Field(field.key, f"{prefix} {rendered}{field.comment()}{field.newline}")


class NumberText(str):
    """A number already formatted (``232499``, ``321.08``): written as is, unquoted."""
