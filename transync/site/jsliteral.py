"""JavaScript and TypeScript configuration files read as data, without running them.

One reader for every site-generator file transync takes values from: Lunaria's
``lunaria.config.*`` (:mod:`transync.site.lunaria`), Starlight's
``astro.config.*`` and ``docusaurus.config.*`` (their presets in
:mod:`transync.site.layouts`), so that a value is read alike wherever it is
written. The reader takes object literals as JSON5 does (comments, unquoted
keys, single quotes, trailing commas) plus TypeScript's ``as``/``satisfies``;
a name such as ``locales`` in ``{ locales }`` reads as the literal the file
declares it as (``export const locales = {...}``, its first declaration). A
value that is none of these (a call, an expression, an imported name) is kept
as :class:`Unreadable`, so that only a key that needs it fails, by name.

Where a value is: :func:`config_literal` (the exported configuration object),
:func:`call_argument` (``starlight({...})``), :func:`key_value` (``i18n: {...}``).
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from transync.errors import ConfigError


class Unreadable(NamedTuple):
    """A value that is not a literal (a variable, a call, a spread): kept as written, read by nobody."""

    text: str
    line: int


class LiteralError(ValueError):
    """The text is not an object literal at all; ``line`` is 1-based."""

    def __init__(self, problem: str, line: int, key: str = "") -> None:
        super().__init__(problem)
        self.problem, self.line, self.key = problem, line, key


_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_NUMBER = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)")
_WORDS = {"true": True, "false": False, "null": None}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_CLOSERS = {"(": ")", "[": "]", "{": "}"}


class _Reader:
    """A JSON5-like reader of one JavaScript object literal (comments, unquoted keys, single quotes,
    trailing commas, TypeScript's ``as``/``satisfies`` after a value), where a name (``locales``,
    ``{ defaultLocale }``) reads as the literal the file declares it as.

    Why not the ``json5`` package: a value that is not a literal (an imported list, a function)
    must not stop the whole file, only the key that needs it, and the error must name that key;
    a JSON5 parser fails the file at a line and column.
    """

    def __init__(self, text: str, pos: int = 0, *, code: str | None = None, following: frozenset[str] = frozenset()) -> None:
        self.text, self.pos = text, pos
        self._code, self.following = code, following

    @property
    def code(self) -> str:
        """The whole text with comments and strings blanked (:func:`code_only`), made once per file."""
        if self._code is None:
            self._code = code_only(self.text)
        return self._code

    def line(self, pos: int | None = None) -> int:
        return self.text.count("\n", 0, self.pos if pos is None else pos) + 1

    def skip(self) -> None:
        text, n = self.text, len(self.text)
        while self.pos < n:
            ch = text[self.pos]
            if ch.isspace() or ch == "\ufeff":
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = n if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise LiteralError("a comment is not closed", self.line())
                self.pos = end + 2
            else:
                return

    def peek(self) -> str:
        self.skip()
        return self.text[self.pos : self.pos + 1]

    def value(self, key: str, *, statement: bool = False) -> Any:
        """The value at ``pos``; ``statement``: it ends a declaration, where a line break may end it (no ``;``)."""
        ch = self.peek()
        start = self.pos
        if ch == "{":
            found: Any = self.object(key)
        elif ch == "[":
            found = self.array(key)
        elif ch in "'\"`":
            found = self.string(key)
            if ch == "`" and found is None:
                self.pos = start
                return self.unreadable()
        else:
            m = _NUMBER.match(self.text, self.pos)
            word = _IDENT.match(self.text, self.pos)
            if word and word.group() in _WORDS and not self.continues(word.end()):
                self.pos = word.end()
                found = _WORDS[word.group()]
            elif m and not self.continues(m.end()):
                self.pos = m.end()
                digits = m.group().replace("_", "")
                found = int(digits, 0) if re.fullmatch(r"[+-]?(?:0[xX])?[\da-fA-F]+", digits) and "." not in digits else float(digits)
            elif word and not self.continues(word.end()):
                self.pos = word.end()
                found = self.named(word.group(), self.line(start))
            else:
                return self.unreadable()
        end = self.pos
        self.type_suffix()
        if statement and "\n" in self.text[end : self.pos] and _IDENT.match(self.text, self.pos):
            return found  # the next statement, after a line break that ends this one
        if self.peek() not in (",", "}", "]", ")", ";", ""):
            # An operator after a literal ('a' + b, x ? y : z): an expression, not a value.
            self.pos = start
            return self.unreadable()
        return found

    def continues(self, end: int) -> bool:
        """Whether an identifier or number at ``end`` goes on as an expression (``x.y``, ``f()``)."""
        rest = self.text[end : end + 1]
        return bool(rest) and (rest in ".([" or rest.isalnum() or rest in "_$")

    def type_suffix(self) -> None:
        # TypeScript: `[...] as const`, `{...} satisfies Config`: the type says nothing of the value.
        while True:
            self.skip()
            m = re.compile(r"(as|satisfies)\b").match(self.text, self.pos)
            if not m:
                return
            self.pos = m.end()
            self.skip_expression()

    def object(self, key: str) -> dict[str, Any]:
        opened = self.line()
        self.pos += 1
        out: dict[str, Any] = {}
        while True:
            ch = self.peek()
            if ch == "}":
                self.pos += 1
                return out
            if not ch:
                raise LiteralError("an object is not closed", opened, key)
            if self.text.startswith("...", self.pos):
                out.setdefault("...", self.unreadable())
            else:
                name = self.key(key)
                full = f"{key}.{name}" if key else name
                ch = self.peek()
                if ch == ":":
                    self.pos += 1
                    out[name] = self.value(full)
                elif ch in (",", "}"):  # shorthand: `{ locales }` names a variable
                    out[name] = self.named(name, self.line())
                else:  # a method, a getter: nothing transync reads
                    out[name] = self.unreadable()
            ch = self.peek()
            if ch == ",":
                self.pos += 1
            elif not ch:
                raise LiteralError("an object is not closed", opened, key)
            elif ch != "}":
                raise LiteralError(f"expected ',' or '}}' after a value, found {self.text[self.pos:self.pos + 10]!r}", self.line(), key)

    def key(self, parent: str) -> str:
        ch = self.peek()
        if ch in "'\"":
            name = self.string(parent)
            assert name is not None
            return name
        m = _IDENT.match(self.text, self.pos) or re.compile(r"\d+").match(self.text, self.pos)
        if not m:
            raise LiteralError(f"expected a key, found {self.text[self.pos:self.pos + 10]!r}", self.line(), parent)
        self.pos = m.end()
        return m.group()

    def array(self, key: str) -> list[Any]:
        opened = self.line()
        self.pos += 1
        out: list[Any] = []
        while True:
            ch = self.peek()
            if ch == "]":
                self.pos += 1
                return out
            if not ch:
                raise LiteralError("a list is not closed", opened, key)
            out.append(self.value(f"{key}[{len(out)}]"))
            ch = self.peek()
            if ch == ",":
                self.pos += 1
            elif not ch:
                raise LiteralError("a list is not closed", opened, key)
            elif ch != "]":
                raise LiteralError(f"expected ',' or ']' after a value, found {self.text[self.pos:self.pos + 10]!r}", self.line(), key)

    def string(self, key: str) -> str | None:
        """A quoted string; None for a template literal with ``${...}`` in it."""
        quote = self.text[self.pos]
        start_line = self.line()
        self.pos += 1
        out = []
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == quote:
                self.pos += 1
                return "".join(out)
            if ch == "\\":
                nxt = text[self.pos + 1 : self.pos + 2]
                if nxt in ("u", "x"):
                    size = 2 if nxt == "x" else 4
                    if nxt == "u" and text.startswith("{", self.pos + 2):
                        end = text.find("}", self.pos)
                        out.append(chr(int(text[self.pos + 3 : end], 16)))
                        self.pos = end + 1
                        continue
                    out.append(chr(int(text[self.pos + 2 : self.pos + 2 + size], 16)))
                    self.pos += 2 + size
                    continue
                if nxt == "\n":  # a line continuation
                    self.pos += 2
                    continue
                out.append(_ESCAPES.get(nxt, nxt))
                self.pos += 2
                continue
            if quote == "`" and text.startswith("${", self.pos):
                self.skip_balanced()
                return None
            if ch == "\n" and quote != "`":
                break
            out.append(ch)
            self.pos += 1
        raise LiteralError("a string is not closed", start_line, key)

    def skip_balanced(self) -> None:
        """Past the end of a template literal (``${`` ... ``}`` nesting included)."""
        depth = 0
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == "\\":
                self.pos += 2
                continue
            if text.startswith("${", self.pos):
                depth += 1
                self.pos += 2
                continue
            if ch == "}" and depth:
                depth -= 1
            elif ch == "`" and not depth:
                self.pos += 1
                return
            self.pos += 1

    def skip_expression(self) -> None:
        """Past one expression: up to the ``,`` or closing bracket that ends it (strings and nesting skipped)."""
        stack: list[str] = []
        text = self.text
        while True:
            self.skip()
            if self.pos >= len(text):
                return
            ch = text[self.pos]
            if ch in "'\"`":
                if self.string("") is None:
                    continue
                continue
            if ch in _CLOSERS:
                stack.append(_CLOSERS[ch])
            elif ch in ")]}":
                if not stack:
                    return
                stack.pop()
            elif ch in ",;" and not stack:
                return
            self.pos += 1

    def named(self, name: str, line: int) -> Any:
        """The literal the file declares ``name`` as (``const locales = {...}``: its first declaration);
        Unreadable when it declares none, or not as a literal."""
        at = None if name in self.following else declaration(self.code, name)
        if at is None:
            return Unreadable(name, line)
        try:
            found = _Reader(self.text, at, code=self.code, following=self.following | {name}).value(name, statement=True)
        except LiteralError:
            return Unreadable(name, line)
        return Unreadable(name, line) if isinstance(found, Unreadable) else found

    def unreadable(self) -> Unreadable:
        start, line = self.pos, self.line()
        self.skip_expression()
        written = " ".join(self.text[start : self.pos].split())
        return Unreadable(written[:60] + ("..." if len(written) > 60 else ""), line)


def parse_literal(text: str, pos: int = 0) -> Any:
    """The JavaScript literal starting at ``pos`` (skipping blanks and comments) as Python data.

    Objects become dicts, arrays lists; a name becomes the literal ``text`` declares
    it as; a value that is not a literal becomes :class:`Unreadable`. Raises
    :class:`LiteralError` when the text is not a literal's shape.
    """
    return _Reader(text, pos).value("")


_EXPORT = re.compile(r"\bexport\s+default\b|\bmodule\.exports\s*=")
_DEFINE_CONFIG = re.compile(r"defineConfig\s*(?:<[^>]*>)?\s*\(")


def config_literal(text: str, name: str) -> Any:
    """The configuration object a config file's text exports (``name`` is for messages): a JSON file's
    object, ``export default {...}``, ``export default defineConfig({...})``, ``module.exports = {...}``
    or ``export default config`` with ``config`` declared in the file."""
    reader = _Reader(text)
    if not name.endswith(".json"):
        m = _EXPORT.search(reader.code)
        if m is None:
            raise ConfigError(f"{name}: no 'export default' of a configuration object")
        reader.pos = m.end()
        reader.skip()
        ident = re.compile(r"([A-Za-z_$][\w$]*)\s*(?:;|$)", re.M).match(text, reader.pos)
        if ident and not _DEFINE_CONFIG.match(text, reader.pos):
            # `export default config`: the object is the value of that declaration.
            at = declaration(reader.code, ident.group(1))
            if at is None:
                raise ConfigError(f"{name}: 'export default {ident.group(1)}' names no object declared in the file")
            reader.pos = at
            reader.skip()
        call = _DEFINE_CONFIG.match(text, reader.pos)
        if call:
            reader.pos = call.end()
    if reader.peek() != "{":
        raise ConfigError(f"{name}: line {reader.line()}: the configuration is not an object literal")
    try:
        return reader.value("")
    except LiteralError as exc:
        where = f" (in '{exc.key}')" if exc.key else ""
        raise ConfigError(f"{name}: line {exc.line}: {exc.problem}{where}") from None


def call_argument(text: str, callee: str) -> Any:
    """The first argument of the first call of ``callee`` in the code (``starlight({...})``), read as a
    literal; None when there is no such call or its argument is not a literal's shape."""
    reader = _Reader(text)
    m = re.compile(rf"(?<![\w$.]){re.escape(callee)}\s*\(").search(reader.code)
    if m is None:
        return None
    reader.pos = m.end()
    try:
        return reader.value(callee)
    except LiteralError:
        return None


def key_value(text: str, key: str) -> Any:
    """The value of the first ``key:`` of an object in the code (``i18n: {...}``, quoted or not), read as a
    literal; None when there is none or its value is not a literal's shape."""
    reader = _Reader(text)
    code = reader.code
    for m in re.finditer(rf"""(?<![\w$.])(['"]?){re.escape(key)}\1\s*:(?!:)""", text):
        quoted = bool(m.group(1))
        # The colon is code, and the key is code or a string of its own (not words in a comment or string).
        if code[m.end() - 1] == ":" and (quoted or code[m.start()] == text[m.start()]):
            reader.pos = m.end()
            try:
                return reader.value(key)
            except LiteralError:
                return None
    return None


def declaration(code: str, name: str) -> int | None:
    """Where the value of the first ``const``/``let``/``var`` declaration of ``name`` is in the code
    (:func:`code_only`): just past its ``=``; None when there is none."""
    # Not past the blanks after `=`: in the code a string value is blanks too.
    m = re.compile(rf"(?<![\w$.])(?:const|let|var)\s+{re.escape(name)}\s*(?::[^=;]*)?=(?![=>])").search(code)
    return m.end() if m else None


def code_only(text: str) -> str:
    """The text with comments and strings blanked (same length, line breaks kept), so that a search finds code only."""
    out = []
    reader = _Reader(text, code="")
    last = 0
    while (m := _STRING_OR_COMMENT.search(text, reader.pos)) is not None:
        start = reader.pos = m.start()
        try:
            if m.group() in "'\"`":
                reader.string("")
            else:
                reader.skip()
        except LiteralError:
            reader.pos = len(text)
        out.append(text[last:start])
        out.append(re.sub(r"[^\n]", " ", text[start : reader.pos]))
        last = reader.pos
    out.append(text[last:])
    return "".join(out)


_STRING_OR_COMMENT = re.compile(r"""['"`]|//|/\*""")
