"""The parsed form of a listening rule: a small tree of immutable nodes.

Every word in a node is already folded (lower-case, no diacritics), so matching never folds
again. ``str(node)`` writes the node back in the rule language, which the UI can show as the
"what Samen understood" line next to a rule.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "FIELDS",
    "And",
    "Field",
    "Near",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Prefix",
    "Term",
    "is_positional",
]

# Field name -> allowed values (None: any value made of word characters).
FIELDS: dict[str, tuple[str, ...] | None] = {
    "lang": None,
    "source": None,
    "from": None,
    "mention": None,
    "hashtag": None,
    "sentiment": ("negative", "neutral", "positive"),
    "intent": ("question", "complaint", "praise", "request", "other"),
    "urgent": ("true", "false"),
}


@dataclass(frozen=True, slots=True)
class Term:
    """One word, anywhere in the text (hashtag words count: ``zorg`` finds ``#zorg``)."""

    word: str

    def __str__(self) -> str:
        # "and", "or", "not" are refused unquoted (see the parser), so write them quoted
        return f'"{self.word}"' if self.word in ("and", "or", "not") else self.word


@dataclass(frozen=True, slots=True)
class Prefix:
    """Any word that starts with ``stem`` (``zorg*``)."""

    stem: str

    def __str__(self) -> str:
        return self.stem + "*"


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words next to each other in this order (``"lange wachtlijst"``)."""

    words: tuple[str, ...]

    def __str__(self) -> str:
        return '"' + " ".join(self.words) + '"'


@dataclass(frozen=True, slots=True)
class Field:
    """A property of the post rather than its words (``lang:nl``, ``hashtag:zorg``)."""

    name: str
    value: str

    def __str__(self) -> str:
        if self.name in ("from", "mention"):
            return f"{self.name}:@{self.value}"
        return f"{self.name}:{self.value}"


@dataclass(frozen=True, slots=True)
class Near:
    """``left`` and ``right`` at most ``distance`` words apart, in either order."""

    left: Node
    right: Node
    distance: int

    def __str__(self) -> str:
        return f"{_wrap(self.left)} NEAR/{self.distance} {_wrap(self.right)}"


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " AND ".join(_wrap(c) for c in self.children)


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " OR ".join(_wrap(c) for c in self.children)


@dataclass(frozen=True, slots=True)
class Not:
    child: Node

    def __str__(self) -> str:
        return "NOT " + _wrap(self.child)


Node = Term | Prefix | Phrase | Field | Near | And | Or | Not


def _wrap(node: Node) -> str:
    if isinstance(node, And | Or | Near):
        return f"({node})"
    return str(node)


def is_positional(node: Node) -> bool:
    """Whether a node occupies places in the text, so NEAR can measure a distance to it."""
    if isinstance(node, Term | Prefix | Phrase):
        return True
    if isinstance(node, Or):
        return all(is_positional(c) for c in node.children)
    return False
