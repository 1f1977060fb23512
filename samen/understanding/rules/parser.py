"""Parse listening rules written by people into a tree of :mod:`.nodes`.

The grammar, loosest binding first (docs/listening-rules.md explains it for comms people)::

    rule    := or
    or      := and ("OR" and)*
    and     := near (["AND"] near)*          adjacent terms are joined by AND
    near    := unary ("NEAR/n" unary)?       operands: words, prefixes, phrases, OR-groups of them
    unary   := ("NOT" | "-") unary | primary
    primary := "(" or ")" | "phrase" | word | prefix* | field:value | #hashtag | @handle

Operators are written in capitals. Lower-case ``and``/``or``/``not`` are refused with a hint
rather than guessed: read as words they would silently change what a rule finds, and read as
operators they would make the English words unsearchable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from samen.understanding.rules._text import fold, tokens
from samen.understanding.rules.errors import RuleSyntaxError
from samen.understanding.rules.nodes import (
    FIELDS,
    And,
    Field,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
    is_positional,
)

__all__ = ["MAX_DISTANCE", "MAX_LENGTH", "MIN_PREFIX", "parse"]

MAX_LENGTH = 4000
MAX_DISTANCE = 50
MIN_PREFIX = 2

_NEAR_RE = re.compile(r"NEAR(?:/(\d*))?\Z")
_FIELD_RE = re.compile(r"([A-Za-z]+):(.*)\Z", re.DOTALL)
_FIELD_VALUE_RE = re.compile(r"[\w.@-]+\Z")
_OPERATOR_WORDS = {"and": "AND", "or": "OR", "not": "NOT"}
_STARTS_TERM = frozenset({"LPAREN", "PHRASE", "WORD", "NOT", "NEG"})


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # LPAREN RPAREN PHRASE WORD AND OR NOT NEG NEAR END
    text: str  # as written (for a phrase: with its quotes)
    column: int  # 1-based
    distance: int = 0  # for NEAR


def _lex(rule: str) -> list[_Tok]:
    out: list[_Tok] = []
    i, n = 0, len(rule)
    while i < n:
        ch = rule[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            out.append(_Tok("LPAREN", ch, i + 1))
            i += 1
        elif ch == ")":
            out.append(_Tok("RPAREN", ch, i + 1))
            i += 1
        elif ch in '"“”„':
            end = _closing_quote(rule, i + 1)
            if end < 0:
                raise RuleSyntaxError(
                    "unclosed_quote", column=i + 1, token=rule[i:].strip(), expected=("quote",)
                )
            out.append(_Tok("PHRASE", rule[i : end + 1], i + 1))
            i = end + 1
        else:
            j = i
            while j < n and not rule[j].isspace() and rule[j] not in '()"“”„':
                j += 1
            word = rule[i:j]
            if word == "-" and j < n and rule[j] in '("“”„':
                out.append(_Tok("NEG", word, i + 1))
            else:
                out.append(_word_token(word, i + 1))
            i = j
    out.append(_Tok("END", "", n + 1))
    return out


def _closing_quote(rule: str, start: int) -> int:
    for k in range(start, len(rule)):
        if rule[k] in '"“”':
            return k
    return -1


def _word_token(word: str, column: int) -> _Tok:
    if word in ("AND", "OR", "NOT"):
        return _Tok(word, word, column)
    if word.lower() in _OPERATOR_WORDS:
        upper = _OPERATOR_WORDS[word.lower()]
        raise RuleSyntaxError(
            "lowercase_operator",
            column=column,
            token=word,
            expected=("operator",),
            params={"upper": upper, "word": word.lower()},
        )
    m = _NEAR_RE.match(word)
    if m:
        digits = m.group(1)
        distance = int(digits) if digits else 0
        if not digits or not 1 <= distance <= MAX_DISTANCE:
            raise RuleSyntaxError(
                "near_distance",
                column=column,
                token=word,
                expected=("near_distance",),
                params={"max_distance": MAX_DISTANCE},
            )
        return _Tok("NEAR", word, column, distance)
    return _Tok("WORD", word, column)


class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while self.peek().kind == "OR":
            op = self.take()
            self._need_operand(op)
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(_flatten(Or, children))

    def parse_and(self) -> Node:
        children = [self.parse_near()]
        while True:
            tok = self.peek()
            if tok.kind == "AND":
                self.take()
                self._need_operand(tok)
            elif tok.kind not in _STARTS_TERM:
                break
            children.append(self.parse_near())
        return children[0] if len(children) == 1 else And(_flatten(And, children))

    def parse_near(self) -> Node:
        left_tok = self.peek()
        left = self.parse_unary()
        if self.peek().kind != "NEAR":
            return left
        op = self.take()
        if not is_positional(left):
            raise RuleSyntaxError(
                "near_operand", column=left_tok.column, token=left_tok.text,
                expected=("near_operand",),
            )  # fmt: skip
        self._need_operand(op)
        right_tok = self.peek()
        right = self.parse_unary()
        if not is_positional(right):
            raise RuleSyntaxError(
                "near_operand", column=right_tok.column, token=right_tok.text,
                expected=("near_operand",),
            )  # fmt: skip
        if self.peek().kind == "NEAR":  # a NEAR b NEAR c: say which pair is meant
            nxt = self.peek()
            raise RuleSyntaxError(
                "near_operand", column=nxt.column, token=nxt.text, expected=("near_operand",)
            )
        return Near(left, right, op.distance)

    def parse_unary(self) -> Node:
        tok = self.peek()
        if tok.kind in ("NOT", "NEG"):
            self.take()
            self._need_operand(tok)
            child = self.parse_unary()
            return child.child if isinstance(child, Not) else Not(child)
        return self.parse_primary()

    def parse_primary(self) -> Node:
        tok = self.take()
        if tok.kind == "LPAREN":
            if self.peek().kind == "RPAREN":
                nxt = self.peek()
                raise RuleSyntaxError(
                    "unexpected", column=nxt.column, token=nxt.text, expected=("term",)
                )
            inner = self.parse_or()
            close = self.peek()
            if close.kind != "RPAREN":
                if close.kind == "END":
                    raise RuleSyntaxError(
                        "unclosed_paren", column=tok.column, token=tok.text, expected=("rparen",)
                    )
                raise RuleSyntaxError(
                    "unexpected", column=close.column, token=close.text, expected=("rparen",)
                )
            self.take()
            return inner
        if tok.kind == "PHRASE":
            words = tokens(tok.text[1:-1])
            if not words:
                raise RuleSyntaxError("empty_phrase", column=tok.column, token=tok.text)
            return Term(words[0]) if len(words) == 1 else Phrase(tuple(words))
        if tok.kind == "WORD":
            return _word_node(tok)
        if tok.kind == "RPAREN":
            raise RuleSyntaxError("unmatched_paren", column=tok.column, token=tok.text)
        raise RuleSyntaxError("unexpected", column=tok.column, token=tok.text, expected=("term",))

    def _need_operand(self, op: _Tok) -> None:
        nxt = self.peek()
        if nxt.kind not in _STARTS_TERM:
            raise RuleSyntaxError(
                "missing_operand" if nxt.kind in ("END", "RPAREN") else "unexpected",
                column=nxt.column if nxt.kind != "END" else op.column,
                token=op.text if nxt.kind in ("END", "RPAREN") else nxt.text,
                expected=("term",),
            )


def _flatten(kind: type[And] | type[Or], children: list[Node]) -> tuple[Node, ...]:
    out: list[Node] = []
    for c in children:
        if isinstance(c, kind):
            out.extend(c.children)
        else:
            out.append(c)
    return tuple(out)


def _word_node(tok: _Tok) -> Node:
    word = tok.text
    if word.startswith(("#", "＃")) and len(word) > 1:
        return _field("hashtag", word[1:], tok)
    if word.startswith("@") and len(word) > 1:
        return _field("mention", word[1:], tok)
    if word.startswith("-") and len(word) > 1:
        inner = _word_node(_Tok("WORD", word[1:], tok.column + 1))
        return inner.child if isinstance(inner, Not) else Not(inner)
    m = _FIELD_RE.match(word)
    if m and not m.group(2).startswith("//"):  # not a link like https://…
        name = m.group(1).lower()
        if name not in FIELDS:
            raise RuleSyntaxError(
                "unknown_field",
                column=tok.column,
                token=word,
                expected=("field_name",),
                params={"field": m.group(1), "choices": ", ".join(FIELDS)},
            )
        return _field(name, m.group(2), tok)
    if "*" in word:
        stem = word[:-1] if word.endswith("*") else ""
        parts = tokens(stem) if stem and "*" not in stem else []
        if len(parts) != 1 or len(parts[0]) < MIN_PREFIX or fold(stem) != parts[0]:
            raise RuleSyntaxError(
                "bad_wildcard", column=tok.column, token=word, params={"min_prefix": MIN_PREFIX}
            )
        return Prefix(parts[0])
    words = tokens(word)
    if not words:
        raise RuleSyntaxError("empty_term", column=tok.column, token=word)
    return Term(words[0]) if len(words) == 1 else Phrase(tuple(words))


def _field(name: str, raw_value: str, tok: _Tok) -> Field:
    value = raw_value
    if name in ("from", "mention"):
        value = value.removeprefix("@")
    elif name == "hashtag":
        value = value.removeprefix("#").removeprefix("＃")
    value = fold(value).rstrip(".")
    allowed = FIELDS[name]
    valid = bool(value) and _FIELD_VALUE_RE.match(value) is not None
    if allowed is not None:
        valid = value in allowed
    if name in ("hashtag", "lang", "source"):
        valid = valid and "@" not in value and "." not in value
    if not valid:
        choices = ", ".join(allowed) if allowed else _VALUE_HINT.get(name, "")
        raise RuleSyntaxError(
            "bad_field_value",
            column=tok.column,
            token=tok.text,
            expected=("field_value",),
            params={"field": name, "value": raw_value, "choices": choices},
        )
    return Field(name, value)


_VALUE_HINT = {
    "lang": "nl, fr, en, de, …",
    "source": "mastodon, bluesky, feed, import, …",
    "from": "@handle",
    "mention": "@handle",
    "hashtag": "#word",
}


def _has_positive(node: Node) -> bool:
    if isinstance(node, Not):
        return False
    if isinstance(node, And | Or):
        return any(_has_positive(c) for c in node.children)
    return True


def parse(rule: str) -> Node:
    """Parse one rule; raise :class:`RuleSyntaxError` with the place and what was expected."""
    if len(rule) > MAX_LENGTH:
        raise RuleSyntaxError(
            "too_long",
            column=MAX_LENGTH + 1,
            params={"length": len(rule), "max_length": MAX_LENGTH},
        )
    toks = _lex(rule)
    if toks[0].kind == "END":
        raise RuleSyntaxError("empty_rule", column=1, expected=("term",))
    parser = _Parser(toks)
    node = parser.parse_or()
    rest = parser.peek()
    if rest.kind == "RPAREN":
        raise RuleSyntaxError("unmatched_paren", column=rest.column, token=rest.text)
    if rest.kind != "END":  # e.g. a stray NEAR after a field
        raise RuleSyntaxError(
            "unexpected", column=rest.column, token=rest.text, expected=("operator",)
        )
    if not _has_positive(node):
        raise RuleSyntaxError("only_negative", column=1, expected=("positive",))
    return node
