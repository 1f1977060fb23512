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

__all__ = [
    "Anchor",
    "CompiledRule",
    "anchors",
    "compile_node",
    "needle",
    "occurs",
    "places",
    "required_fields",
    "spans_of",
    "vetoes",
]

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
    # Fields every matching post has (the rule's own, ANDed with the rest): the matcher drops a
    # candidate that lacks one before calling its predicate.
    required_fields: frozenset[tuple[str, str]] = frozenset()
    # Not None when an anchor plus the required fields prove the match unless the post holds
    # one of these words, adjacent pairs ("first second") or fields, the ones the rule's NOTs
    # name: ``lang:nl (a OR b) -c -"d e"``. The matcher calls the predicate only then.
    vetoes: tuple[frozenset[str], frozenset[str], frozenset[tuple[str, str]]] | None = None


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
        if any(" " in w or "\x00" in w for w in node.words):
            # only a hand-made rule has such a word; its pair key would be ambiguous (see
            # RuleSet), so it is checked on every post instead
            return None
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


def required_fields(node: Node) -> frozenset[tuple[str, str]]:
    """``(name, value)`` pairs that every post matching the node has in ``PostView.fields``."""
    if isinstance(node, Field):
        return frozenset({(node.name, node.value)})
    if isinstance(node, And):
        out: set[tuple[str, str]] = set()
        for c in node.children:
            out |= required_fields(c)
        return frozenset(out)
    if isinstance(node, Or):
        common = required_fields(node.children[0]) if node.children else frozenset()
        for c in node.children[1:]:
            common &= required_fields(c)
        return common
    return frozenset()  # words, NEAR, NOT: no field is needed


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


def places(words: tuple[str, ...], word: str) -> list[int]:
    """The indexes of ``word`` in ``words``, found by C-level scans (``count``, ``index``)."""
    out: list[int] = []
    i = -1
    for _ in range(words.count(word)):
        i = words.index(word, i + 1)
        out.append(i)
    return out


def spans_of(node: Node) -> Spans:
    """For positional nodes: a function giving the (first, last) word index of each place
    in a post where the node occurs.

    They read ``PostView.words`` directly rather than keeping a map of places on the view: a
    map of lists on every view that reaches a NEAR rule made the garbage collector run more
    often (see ADR 0105).
    """
    if isinstance(node, Term):
        w = node.word

        def term_spans(v: PostView) -> list[tuple[int, int]]:
            if w not in v.wordset:
                return []
            return [(p, p) for p in places(v.words, w)]

        return term_spans
    if isinstance(node, Prefix):
        s = node.stem

        def prefix_spans(v: PostView) -> list[tuple[int, int]]:
            return [(p, p) for p, k in enumerate(v.words) if k.startswith(s)]

        return prefix_spans
    if isinstance(node, Phrase):
        wanted = frozenset(node.words)
        first, rest = node.words[0], node.words[1:]
        n = len(node.words)

        def phrase_spans(v: PostView) -> list[tuple[int, int]]:
            if not wanted.issubset(v.wordset):
                return []
            words = v.words
            return [(p, p + n - 1) for p in places(words, first) if words[p + 1 : p + n] == rest]

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


def needle(words: tuple[str, ...]) -> str | None:
    """What to look for in :attr:`PostView.spaced` to find these words next to each other, in
    this order; None when a word holds a space (a hand-made rule), which no search can tell
    apart from two words, or for fewer than two words (an empty post's "  " holds "  ")."""
    if len(words) < 2 or any(" " in w for w in words):
        return None
    return " " + " ".join(words) + " "


def occurs(words: tuple[str, ...], run: tuple[str, ...]) -> bool:
    """Is ``run`` somewhere in ``words``, in order? The plain way, for views and rules that
    :func:`needle` cannot serve."""
    n = len(run)
    return any(words[i : i + n] == run for i in range(len(words) - n + 1))


def _adjacent(v: PostView, look_for: str | None, run: tuple[str, ...]) -> bool:
    """Are the words of ``run`` next to each other in the post, in order? ``look_for`` is
    ``needle(run)``: one C-level substring search where the view and the rule allow it."""
    spaced = v.spaced
    if look_for is not None and spaced:
        return look_for in spaced
    return occurs(v.words, run)


def _phrase(node: Phrase) -> Predicate:
    wanted = frozenset(node.words)
    run = node.words
    look_for = needle(run)

    def phrase(v: PostView) -> bool:
        if not wanted.issubset(v.wordset):  # usually decides it, at C speed
            return False
        return _adjacent(v, look_for, run)

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
    excluded_phrases: list[tuple[frozenset[str], str | None, tuple[str, ...]]] = []
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
            excluded_phrases.append((frozenset(inner.words), needle(inner.words), inner.words))
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
        for words, look_for, run in exc_phrases:
            if words.issubset(ws) and _adjacent(v, look_for, run):  # the cheap test first
                return False
        if only is not None:
            return only(v)
        if others:
            return all(f(v) for f in others)
        return True

    return conjunction


def _predicate(node: Node) -> Predicate:
    if isinstance(node, Term):
        w = node.word
        return lambda v: w in v.wordset
    if isinstance(node, Prefix):
        s = node.stem
        stems = repeat(s)
        if not s or " " in s:  # only a hand-made rule
            return lambda v: any(map(str.startswith, v.wordset, stems))  # C-level loop
        start = " " + s  # a word starts with s exactly where " s" is in PostView.spaced

        def prefix(v: PostView) -> bool:
            spaced = v.spaced
            if spaced:
                return start in spaced
            return any(map(str.startswith, v.wordset, stems))

        return prefix
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


def _simple(n: Node) -> bool:
    """Is the node true exactly when the post holds one of its anchor keys?"""
    return isinstance(n, Term | Prefix | Field) or (isinstance(n, Phrase) and len(n.words) == 2)


def vetoes(
    node: Node, chosen: frozenset[Anchor] | None
) -> tuple[frozenset[str], frozenset[str], frozenset[tuple[str, str]]] | None:
    """See ``CompiledRule.vetoes``: for an AND whose anchors (``chosen``) come from one child
    that is true exactly when one of them is there, whose other children are fields (the
    matcher checks ``required_fields`` first) or NOTs of words, word OR-groups, phrases or
    fields. None for any other rule."""
    if not isinstance(node, And) or chosen is None:
        return None
    words: set[str] = set()
    pairs: set[str] = set()
    fields: set[tuple[str, str]] = set()
    anchored = False
    for c in node.children:
        if isinstance(c, Not):
            inner = c.child
            group = _or_of_terms(inner)
            if isinstance(inner, Term):
                words.add(inner.word)
            elif group is not None:
                words |= group
            elif isinstance(inner, Field):
                fields.add((inner.name, inner.value))
            elif isinstance(inner, Phrase) and len(inner.words) >= 2:
                # the phrase is absent when its anchor pair is
                key = anchors(inner)
                if key is None:
                    return None
                ((_, pair),) = key
                pairs.add(pair.replace("\x00", " "))
            else:
                return None
        elif not anchored and _suffices(c) and anchors(c) == chosen:
            anchored = True
        elif not isinstance(c, Field):
            return None
    if not anchored:
        return None
    return frozenset(words), frozenset(pairs), frozenset(fields)


def _suffices(n: Node) -> bool:
    return _simple(n) or (isinstance(n, Or) and all(_simple(c) for c in n.children))


def compile_node(node: Node) -> CompiledRule:
    """Compile a parsed rule."""
    suffices = _suffices(node)
    if isinstance(node, Field) and node.name == "urgent":
        suffices = True
    chosen = anchors(node)
    return CompiledRule(
        node=node,
        predicate=_predicate(node),
        anchors=chosen,
        anchor_suffices=suffices,
        required_fields=required_fields(node),
        vetoes=None if suffices else vetoes(node, chosen),
    )
