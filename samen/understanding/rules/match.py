"""Check many listening rules against each post, fast.

:class:`RuleSet` keeps an inverted index from anchor keys (see :mod:`.compile`) to rules, so a
post only evaluates the rules whose anchor words, prefixes or fields it contains; what a word
hits is cached, because the words of a stream repeat. :func:`evaluate` is the plain, obviously
correct reading of a rule tree; it is what the fast path is tested against, and it is fine for a
preview of one rule over recent posts.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Generic, TypeVar

from samen.understanding.rules.compile import CompiledRule, compile_node
from samen.understanding.rules.errors import RuleSyntaxError
from samen.understanding.rules.nodes import And, Field, Near, Node, Not, Or, Phrase, Prefix, Term
from samen.understanding.rules.parser import parse
from samen.understanding.rules.view import PostView, view_from_post, view_from_text

__all__ = ["PostView", "RuleSet", "evaluate", "matches", "view_from_post", "view_from_text"]

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
        # None: the anchor alone proves the match (see CompiledRule.anchor_suffices)
        self._predicates: list[Callable[[PostView], bool] | None] = [
            None if c.anchor_suffices else c.predicate for c in self._compiled
        ]
        self._words: dict[str, list[int]] = {}
        self._prefixes: dict[str, list[int]] = {}
        self._pairs: dict[str, dict[str, list[int]]] = {}  # first word -> second -> rules
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
                    first, _, second = value.partition("\x00")
                    self._pairs.setdefault(first, {}).setdefault(second, []).append(i)
                else:
                    name, _, val = value.partition("\x00")
                    self._fields.setdefault((name, val), []).append(i)
        self._prefix_lengths = sorted({len(s) for s in self._prefixes})
        self._field_keys = frozenset(self._fields)
        self._pair_seconds = {first: frozenset(s) for first, s in self._pairs.items()}
        # What each word seen so far leads to - rules it anchors (exact word + prefixes) and
        # the second words of phrase pairs it starts - learned from the stream: words repeat,
        # so after a warm-up a post costs two set operations plus what its words lead to.
        self._seen: set[str] = set()
        self._interesting: set[str] = set()
        self._info: dict[str, tuple[tuple[int, ...], frozenset[str] | None]] = {}

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def always_checked(self) -> int:
        """How many rules have no anchor and are checked against every post."""
        return len(self._always)

    def _learn(self, word: str) -> None:
        hits = list(self._words.get(word, ()))
        prefixes = self._prefixes
        for n in self._prefix_lengths:
            if n > len(word):
                break
            found = prefixes.get(word[:n])
            if found:
                hits.extend(found)
        seconds = self._pair_seconds.get(word)
        self._seen.add(word)
        if hits or seconds is not None:
            self._interesting.add(word)
            self._info[word] = (tuple(hits), seconds)

    def match_indexes(self, view: PostView) -> list[int]:
        """Indexes (in build order) of the rules the post matches, ascending."""
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
            hits, seconds = info[word]
            if hits:
                candidates.update(hits)
            if seconds is not None:
                both = seconds & ws  # usually empty: then no need to look at word order
                if both:
                    pairs, rules = view.pairs, self._pairs[word]
                    for second in both:
                        if (word, second) in pairs:
                            candidates.update(rules[second])
        keys = view.fields & self._field_keys
        if keys:
            fields = self._fields
            for key in keys:
                candidates.update(fields[key])
        preds = self._predicates
        out = [i for i in candidates if (p := preds[i]) is None or p(view)]
        if self._always:
            out.extend(i for i in self._always if self._compiled[i].predicate(view))
        if len(out) > 1:
            out.sort()
        return out

    def match(self, view: PostView) -> list[K]:
        """Ids of the rules the post matches, in the order the rules were given."""
        ids = self._ids
        return [ids[i] for i in self.match_indexes(view)]
