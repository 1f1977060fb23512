"""Turn a parsed rule into a fast predicate and an *anchor set* for the inverted index.

The anchor set of a rule is a small set of keys (a word, a prefix, or a ``(field, value)``
pair) such that a post can only match the rule if it has at least one of them. The matcher
indexes rules by their anchors, so a post only evaluates the few rules whose anchors it
contains. A rule with no anchor (e.g. ``a OR NOT b``) is checked against every post.

Anchor choice: AND needs all its children, so any one child's anchor set is enough: take the
cheapest. OR needs one child, so it needs the union of all children's sets (none if a child
has none). NOT gives no anchor. A phrase is anchored by its longest word (longer words are
rarer). Costs are rough guesses at how often a key occurs in a post: a word or hashtag is
cheap, ``lang:nl`` or ``sentiment:negative`` is expensive (half of all posts may carry it).
A phrase is anchored by one of its pairs of adjacent words ("hurricane sandy" by that pair,
not by "hurricane", which a storm's whole stream contains).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise, repeat

from samen.understanding.rules.nodes import And, Field, Near, Node, Not, Or, Phrase, Prefix, Term
from samen.understanding.rules.view import PostView

__all__ = ["Anchor", "CompiledRule", "anchors", "compile_node", "spans_of"]

# ("w", word) | ("p", stem) | ("b", "first\x00second": two adjacent words) | ("f", "name\x00value")
Anchor = tuple[str, str]
Predicate = Callable[[PostView], bool]
Spans = Callable[[PostView], list[tuple[int, int]]]

_COMMON_FIELDS = frozenset({"lang", "source", "sentiment", "intent", "urgent"})


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule ready for matching: its tree, its predicate and its anchors (None: always check)."""

    node: Node
    predicate: Predicate
    anchors: frozenset[Anchor] | None
    # True when containing any anchor already means a match (a word, a prefix, a field, or
    # an OR of those): the matcher then skips the predicate.
    anchor_suffices: bool = False


def field_key(name: str, value: str) -> Anchor:
    return ("f", name + "\x00" + value)


def _key_cost(key: Anchor) -> float:
    kind, value = key
    if kind == "w":
        return 1.0 + 3.0 / max(len(value), 1)
    if kind == "p":
        return 2.0 + 8.0 / max(len(value), 1)
    if kind == "b":
        return 0.5
    name = value.split("\x00", 1)[0]
    return 100.0 if name in _COMMON_FIELDS else 1.0


def _cost(keys: frozenset[Anchor]) -> float:
    return sum(_key_cost(k) for k in keys)


def anchors(node: Node) -> frozenset[Anchor] | None:
    """A set of keys one of which every matching post contains, or None if there is none."""
    if isinstance(node, Term):
        return frozenset({("w", node.word)})
    if isinstance(node, Prefix):
        return frozenset({("p", node.stem)})
    if isinstance(node, Phrase):
        pairs = pairwise(node.words)
        first, second = max(pairs, key=lambda p: len(p[0]) + len(p[1]))
        return frozenset({("b", first + "\x00" + second)})
    if isinstance(node, Field):
        if node.name == "urgent" and node.value == "false":
            return frozenset({field_key("urgent", "false")})
        return frozenset({field_key(node.name, node.value)})
    if isinstance(node, Not):
        return None
    if isinstance(node, Near):
        options = [a for a in (anchors(node.left), anchors(node.right)) if a is not None]
        return min(options, key=_cost) if options else None
    if isinstance(node, And):
        options = [a for a in (anchors(c) for c in node.children) if a is not None]
        return min(options, key=_cost) if options else None
    if isinstance(node, Or):
        union: set[Anchor] = set()
        for c in node.children:
            a = anchors(c)
            if a is None:
                return None
            union |= a
        return frozenset(union)
    raise TypeError(f"not a rule node: {node!r}")


def _static_cost(node: Node) -> int:
    """Rough evaluation cost, to test cheap children of AND/OR first."""
    if isinstance(node, Not):
        return _static_cost(node.child)
    if isinstance(node, Term | Field):
        return 1
    if isinstance(node, Phrase):
        return 3
    if isinstance(node, Prefix):
        return 5
    if isinstance(node, Near):
        return 10
    if isinstance(node, And | Or):
        return 2 + sum(_static_cost(c) for c in node.children)
    return 10


def spans_of(node: Node) -> Spans:
    """For positional nodes: a function giving the (first, last) word index of each place
    in a post where the node occurs."""
    if isinstance(node, Term):
        w = node.word

        def term_spans(v: PostView) -> list[tuple[int, int]]:
            return [(p, p) for p in v.positions.get(w, ())]

        return term_spans
    if isinstance(node, Prefix):
        s = node.stem

        def prefix_spans(v: PostView) -> list[tuple[int, int]]:
            return [(p, p) for k, ps in v.positions.items() if k.startswith(s) for p in ps]

        return prefix_spans
    if isinstance(node, Phrase):
        first, rest = node.words[0], node.words[1:]
        n = len(node.words)

        def phrase_spans(v: PostView) -> list[tuple[int, int]]:
            pos = v.positions
            starts = pos.get(first)
            if not starts:
                return []
            later = []
            for w in rest:
                ps = pos.get(w)
                if not ps:
                    return []
                later.append(ps)
            return [
                (p, p + n - 1) for p in starts if all(p + i + 1 in ps for i, ps in enumerate(later))
            ]

        return phrase_spans
    if isinstance(node, Or):
        parts = [spans_of(c) for c in node.children]

        def or_spans(v: PostView) -> list[tuple[int, int]]:
            out: list[tuple[int, int]] = []
            for f in parts:
                out.extend(f(v))
            return out

        return or_spans
    raise TypeError(f"NEAR needs words or phrases, not {node!r}")


def _phrase(node: Phrase) -> Predicate:
    wanted = frozenset(node.words)
    first, rest = node.words[0], node.words[1:]
    adjacent = frozenset(pairwise(node.words))
    two = len(node.words) == 2

    def phrase(v: PostView) -> bool:
        if not wanted.issubset(v.wordset):  # usually decides it, at C speed
            return False
        if not adjacent.issubset(v.pairs):
            return False
        if two:
            return True
        pos = v.positions
        later = [pos[w] for w in rest]
        for p in pos[first]:
            for i, ps in enumerate(later, 1):
                if p + i not in ps:
                    break
            else:
                return True
        return False

    return phrase


def _near(node: Near) -> Predicate:
    left, right, d = spans_of(node.left), spans_of(node.right), node.distance

    def near(v: PostView) -> bool:
        a_spans = left(v)
        if not a_spans:
            return False
        b_spans = right(v)
        for a0, a1 in a_spans:
            for b0, b1 in b_spans:
                if (a1 < b0 and b0 - a1 <= d) or (b1 < a0 and a0 - b1 <= d):
                    return True
        return False

    return near


def _conjunction(children: tuple[Node, ...]) -> Predicate | None:
    """AND of plain words, word OR-groups, fields and their negations - most rules people
    write - as one function doing a few set operations instead of one call per child."""
    required: set[str] = set()
    required_fields: set[tuple[str, str]] = set()
    any_of: list[frozenset[str]] = []
    excluded: set[str] = set()
    excluded_fields: set[tuple[str, str]] = set()
    excluded_phrases: list[tuple[frozenset[str], Predicate]] = []
    rest: list[Node] = []
    for c in children:
        neg = isinstance(c, Not)
        inner = c.child if isinstance(c, Not) else c
        group = _or_of_terms(inner)
        if isinstance(inner, Term):
            (excluded if neg else required).add(inner.word)
        elif isinstance(inner, Field):
            (excluded_fields if neg else required_fields).add((inner.name, inner.value))
        elif group is not None and neg:
            excluded |= group
        elif group is not None:
            any_of.append(group)
        elif neg and isinstance(inner, Phrase):
            excluded_phrases.append((frozenset(inner.words), _phrase(inner)))
        else:
            rest.append(c)
    if len(rest) == len(children):
        return None
    exc_phrases = tuple(excluded_phrases)
    req, req_f = frozenset(required), frozenset(required_fields)
    exc, exc_f = frozenset(excluded), frozenset(excluded_fields)
    groups = tuple(any_of)
    others = tuple(_predicate(c) for c in sorted(rest, key=_static_cost))
    if len(others) == 1:
        only = others[0]
        others = ()
    else:
        only = None

    def conjunction(v: PostView) -> bool:
        ws = v.wordset
        if req and not req.issubset(ws):
            return False
        if req_f and not req_f.issubset(v.fields):
            return False
        for g in groups:
            if g.isdisjoint(ws):
                return False
        if exc and not exc.isdisjoint(ws):
            return False
        if exc_f and not exc_f.isdisjoint(v.fields):
            return False
        for words, phrase in exc_phrases:
            if words.issubset(ws) and phrase(v):  # the cheap test first, no call
                return False
        if only is not None:
            return only(v)
        return all(f(v) for f in others)

    return conjunction


def _predicate(node: Node) -> Predicate:
    if isinstance(node, Term):
        w = node.word
        return lambda v: w in v.wordset
    if isinstance(node, Prefix):
        s = node.stem
        stems = repeat(s)
        return lambda v: any(map(str.startswith, v.wordset, stems))  # C-level loop
    if isinstance(node, Phrase):
        return _phrase(node)
    if isinstance(node, Field):
        key = (node.name, node.value)
        return lambda v: key in v.fields
    if isinstance(node, Near):
        return _near(node)
    if isinstance(node, Not):
        inner = _predicate(node.child)
        return lambda v: not inner(v)
    words = _or_of_terms(node)
    if words is not None:
        return lambda v: not words.isdisjoint(v.wordset)
    if isinstance(node, And):
        conj = _conjunction(node.children)
        if conj is not None:
            return conj
    if isinstance(node, And | Or):
        fs = [_predicate(c) for c in sorted(node.children, key=_static_cost)]
        if isinstance(node, And):
            if len(fs) == 2:
                a, b = fs
                return lambda v: a(v) and b(v)
            if len(fs) == 3:
                a, b, c = fs
                return lambda v: a(v) and b(v) and c(v)
            return lambda v: all(f(v) for f in fs)
        if len(fs) == 2:
            a, b = fs
            return lambda v: a(v) or b(v)
        if len(fs) == 3:
            a, b, c = fs
            return lambda v: a(v) or b(v) or c(v)
        return lambda v: any(f(v) for f in fs)
    raise TypeError(f"not a rule node: {node!r}")


def _or_of_terms(node: Node) -> frozenset[str] | None:
    """An OR of plain words, checked with one set intersection instead of one call per word."""
    if isinstance(node, Or) and all(isinstance(c, Term) for c in node.children):
        return frozenset(c.word for c in node.children if isinstance(c, Term))
    return None


def compile_node(node: Node) -> CompiledRule:
    """Compile a parsed rule."""

    def simple(n: Node) -> bool:
        return isinstance(n, Term | Prefix | Field) or (isinstance(n, Phrase) and len(n.words) == 2)

    suffices = simple(node) or (isinstance(node, Or) and all(simple(c) for c in node.children))
    if isinstance(node, Field) and node.name == "urgent":
        suffices = True
    return CompiledRule(
        node=node, predicate=_predicate(node), anchors=anchors(node), anchor_suffices=suffices
    )
