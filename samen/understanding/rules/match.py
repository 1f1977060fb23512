"""Check many listening rules against each post, fast.

:class:`RuleSet` keeps an inverted index from anchor keys (see :mod:`.compile`) to rules, so a
post only evaluates the rules whose anchor words, prefixes or fields it contains; what a word
hits is cached, because the words of a stream repeat. :func:`evaluate` is the plain, obviously
correct reading of a rule tree; it is what the fast path is tested against, and it is fine for a
preview of one rule over recent posts.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from samen.understanding import compiled as _compiled
from samen.understanding.rules.compile import CompiledRule, compile_node
from samen.understanding.rules.errors import RuleSyntaxError
from samen.understanding.rules.nodes import And, Field, Near, Node, Not, Or, Phrase, Prefix, Term
from samen.understanding.rules.parser import parse
from samen.understanding.rules.view import PostView, view_from_post, view_from_text

if TYPE_CHECKING:
    from samen.understanding._speedups import Matcher

__all__ = [
    "COMPILED",
    "PostView",
    "RuleSet",
    "evaluate",
    "matches",
    "view_from_post",
    "view_from_text",
]


def _load_compiled(source: Path) -> tuple[type[Matcher] | None, str]:
    """The compiled loop's class built from ``source``, or None and why (see
    ``understanding.compiled.load``)."""
    module, why = _compiled.load(source)
    return (None, why) if module is None else (module.Matcher, "")


# the same loop in C, built at install where a compiler is found (ADR 0107); found once, by
# understanding.compiled, for every compiled loop
_Matcher: type[Matcher] | None = (_compiled.MODULE.Matcher if _compiled.MODULE is not None
                                  else None)
_NOT_BUILT = _compiled.NOT_BUILT

#: Is the compiled matcher there and allowed? ``SAMEN_PURE_PYTHON=1`` turns it off.
COMPILED: bool = _Matcher is not None and _compiled.ALLOWED


def compiled_loop_missing() -> bool:
    """Is the compiled loop unusable here (not built, or built from other source)?"""
    return _Matcher is None


def python_loop_reason() -> str:
    """Why RuleSets use the Python loop by default here ("" when they use the compiled one),
    for the worker's log."""
    if compiled_loop_missing():
        return "the compiled loops (matching, trend terms, folding) are not used: " + _NOT_BUILT
    if not COMPILED:
        return "SAMEN_PURE_PYTHON is set"
    return ""


K = TypeVar("K", bound=Hashable)

_CACHE_LIMIT = 200_000


def _spans(node: Node, words: tuple[str, ...]) -> list[tuple[int, int]]:
    if isinstance(node, Term):
        return [(i, i) for i, w in enumerate(words) if w == node.word]
    if isinstance(node, Prefix):
        return [(i, i) for i, w in enumerate(words) if w.startswith(node.stem)]
    if isinstance(node, Phrase):
        n = len(node.words)
        return [(i, i + n - 1) for i in range(len(words) - n + 1) if words[i : i + n] == node.words]
    if isinstance(node, Or):
        return [s for c in node.children for s in _spans(c, words)]
    raise TypeError(f"not positional: {node!r}")


def evaluate(node: Node, view: PostView) -> bool:
    """Does the post match the rule? Straightforward reading of the tree (the reference)."""
    if isinstance(node, Term | Prefix | Phrase):
        return bool(_spans(node, view.words))
    if isinstance(node, Field):
        return (node.name, node.value) in view.fields
    if isinstance(node, Not):
        return not evaluate(node.child, view)
    if isinstance(node, And):
        return all(evaluate(c, view) for c in node.children)
    if isinstance(node, Or):
        return any(evaluate(c, view) for c in node.children)
    if isinstance(node, Near):
        # Two different places in the text (not overlapping), at most `distance` words apart:
        # the gap counts from the end of the first to the start of the second.
        for a0, a1 in _spans(node.left, view.words):
            for b0, b1 in _spans(node.right, view.words):
                gap = b0 - a1 if a1 < b0 else a0 - b1 if b1 < a0 else None
                if gap is not None and gap <= node.distance:
                    return True
        return False
    raise TypeError(f"not a rule node: {node!r}")


def matches(rule: str | Node, view: PostView) -> bool:
    """One rule against one post, e.g. for a preview while the rule is being written."""
    return evaluate(parse(rule) if isinstance(rule, str) else rule, view)


class RuleSet(Generic[K]):
    """Many compiled rules and the index that finds the few worth checking for a post.

    Build it from ``{rule_id: rule_text_or_tree}``. With ``skip_invalid=True`` a rule that does
    not parse is left out and its error kept in :attr:`errors` (a stream must not stop because
    one stored rule became invalid); otherwise the first error is raised with ``rule_id`` set.
    A RuleSet learns from the words it sees (a cache), so give each worker thread its own.
    """

    def __init__(
        self,
        rules: Mapping[K, str | Node] | Iterable[tuple[K, str | Node]],
        *,
        skip_invalid: bool = False,
        compiled: bool | None = None,
    ) -> None:
        items = rules.items() if isinstance(rules, Mapping) else rules
        self.errors: dict[K, RuleSyntaxError] = {}
        self._ids: list[K] = []
        self._compiled: list[CompiledRule] = []
        for rule_id, rule in items:
            try:
                node = parse(rule) if isinstance(rule, str) else rule
            except RuleSyntaxError as err:
                if not skip_invalid:
                    err.rule_id = rule_id  # type: ignore[attr-defined]
                    raise
                self.errors[rule_id] = err
                continue
            self._ids.append(rule_id)
            self._compiled.append(compile_node(node))
        # None: the anchor alone proves the match (see CompiledRule.anchor_suffices), or does
        # so with the required fields unless a veto is there (CompiledRule.vetoes)
        self._predicates: list[Callable[[PostView], bool] | None] = [
            None if c.anchor_suffices or c.vetoes is not None else c.predicate
            for c in self._compiled
        ]
        self._vetoes = {
            i: c.vetoes for i, c in enumerate(self._compiled) if c.vetoes and any(c.vetoes)
        }
        self._vetoed = frozenset(self._vetoes)
        self._words: dict[str, list[int]] = {}
        self._prefixes: dict[str, list[int]] = {}
        self._pairs: dict[str, list[int]] = {}  # "first second" -> rules
        self._fields: dict[tuple[str, str], list[int]] = {}
        self._always: list[int] = []
        for i, c in enumerate(self._compiled):
            if c.anchors is None:
                self._always.append(i)
                continue
            for kind, value in c.anchors:
                if kind == "w":
                    self._words.setdefault(value, []).append(i)
                elif kind == "p":
                    self._prefixes.setdefault(value, []).append(i)
                elif kind == "b":
                    # the words hold no space (see compile.anchors), so "first second" is
                    # one adjacent pair and no other
                    self._pairs.setdefault(value.replace("\x00", " "), []).append(i)
                else:
                    name, _, val = value.partition("\x00")
                    self._fields.setdefault((name, val), []).append(i)
        self._prefix_lengths = sorted({len(s) for s in self._prefixes})
        self._field_keys = frozenset(self._fields)
        # the pairs named by NOT "phrase" in rules with vetoes are looked for too
        for _words, veto_pairs, _fields in self._vetoes.values():
            for key in veto_pairs:
                self._pairs.setdefault(key, [])
        self._pair_keys = frozenset(self._pairs)
        # Rules whose predicate runs (or that have vetoes) and that need some fields
        # (``lang:nl (a OR b)``): a candidate without them is dropped before any call.
        self._required = {
            i: c.required_fields
            for i, c in enumerate(self._compiled)
            if c.required_fields and not c.anchor_suffices and c.anchors is not None
        }
        self._gated = frozenset(self._required)
        self._special = self._gated | self._vetoed  # candidates that _narrow looks at
        # The rules each word seen so far anchors (as itself or by a prefix), learned from the
        # stream: words repeat, so after a warm-up a post costs two set operations plus what
        # its words lead to.
        self._seen: set[str] = set()
        self._interesting: set[str] = set()
        self._info: dict[str, tuple[int, ...]] = {}
        # The per-post loop of match_indexes, in C, on these same objects (ADR 0107); None:
        # the Python loop runs. It has its own word cache, ``_known`` (every word seen, with
        # the rules it anchors), filled by _learn_known; the objects must stay the same ones.
        self._known: dict[str, tuple[int, ...]] = {}
        self._fast: Callable[[PostView], list[int]] | None = None
        if COMPILED if compiled is None else compiled:
            if _Matcher is None:
                raise RuntimeError(f"the compiled rule matcher is not there: {_NOT_BUILT}")
            self._fast = _Matcher(
                self._known,
                self._learn_known,
                self._pairs,
                frozenset(k.split(" ", 1)[0] for k in self._pairs),
                self._fields,
                self._required,
                self._vetoes,
                self._predicates,
                [c.predicate for c in self._compiled],
                tuple(self._always),
            )

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def compiled(self) -> bool:
        """Does this RuleSet match with the compiled loop (ADR 0107)?"""
        return self._fast is not None

    @property
    def always_checked(self) -> int:
        """How many rules have no anchor and are checked against every post."""
        return len(self._always)

    def _hits(self, word: str) -> tuple[int, ...]:
        """The rules a word anchors, as itself or through a prefix."""
        hits = list(self._words.get(word, ()))
        prefixes = self._prefixes
        for n in self._prefix_lengths:
            if n > len(word):
                break
            found = prefixes.get(word[:n])
            if found:
                hits.extend(found)
        return tuple(hits)

    def _learn(self, word: str) -> None:
        hits = self._hits(word)
        self._seen.add(word)
        if hits:
            self._interesting.add(word)
            self._info[word] = hits

    def _learn_known(self, word: str) -> tuple[int, ...]:
        """The compiled loop's cache miss: every word it has seen is a key of ``_known``,
        so a post of known words costs one lookup per word."""
        known = self._known
        if len(known) >= _CACHE_LIMIT:  # bound memory on an endless stream
            known.clear()
        hits = known[word] = self._hits(word)
        return hits

    def _narrow(
        self, view: PostView, candidates: set[int], found: set[str] | frozenset[str]
    ) -> None:
        """Drop the candidates whose required fields the post lacks, and those with vetoes
        that one of their vetoes is there for and whose whole rule then says no (see
        CompiledRule.required_fields and .vetoes); ``found``: the post's pairs among the
        pair keys."""
        fields = view.fields
        required = self._required
        for i in candidates & self._gated:
            if not required[i] <= fields:
                candidates.discard(i)
        vetoed = candidates & self._vetoed
        if vetoed:
            ws, vetoes, compiled = view.wordset, self._vetoes, self._compiled
            for i in vetoed:
                words, pairs, veto_fields = vetoes[i]
                if (
                    (words and not words.isdisjoint(ws))
                    or (pairs and not pairs.isdisjoint(found))
                    or (veto_fields and not veto_fields.isdisjoint(fields))
                ) and not compiled[i].predicate(view):
                    candidates.discard(i)

    def match_indexes(self, view: PostView) -> list[int]:
        """Indexes (in build order) of the rules the post matches, ascending."""
        if self._fast is not None:
            return self._fast(view)
        ws = view.wordset
        if not self._seen.issuperset(ws):
            if len(self._seen) >= _CACHE_LIMIT:  # bound memory on an endless stream
                # Emptied before this post's words are learned, and then all of them are
                # (emptying it between two of them forgot the ones learned before).
                self._seen.clear()
                self._interesting.clear()
                self._info.clear()
                new = ws
            else:
                new = ws - self._seen
            for word in new:
                self._learn(word)
        candidates: set[int] = set()
        info = self._info
        for word in ws & self._interesting:
            candidates.update(info[word])
        found: set[str] | frozenset[str] = frozenset()
        if self._pair_keys:
            # the post's adjacent pairs as "first second", looked up without a set of them
            # and without a tuple per pair (zip reuses its one tuple): all at C speed
            w = view.words
            found = self._pair_keys.intersection(
                map(" ".join, zip(w, islice(w, 1, None), strict=False))
            )
            if found:
                pairs = self._pairs
                for pair in found:
                    candidates.update(pairs[pair])
        fields = view.fields
        keys = fields & self._field_keys
        if keys:
            by_field = self._fields
            for field in keys:
                candidates.update(by_field[field])
        out: list[int]
        if candidates:
            if not candidates.isdisjoint(self._special):
                self._narrow(view, candidates, found)
            preds = self._predicates
            out = [i for i in candidates if (p := preds[i]) is None or p(view)]
        else:
            out = []
        if self._always:
            out.extend(i for i in self._always if self._compiled[i].predicate(view))
        if len(out) > 1:
            out.sort()
        return out

    def match(self, view: PostView) -> list[K]:
        """Ids of the rules the post matches, in the order the rules were given."""
        return list(map(self._ids.__getitem__, self.match_indexes(view)))
