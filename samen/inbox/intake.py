"""Which posts become conversations: those addressed to the organisation, and those a
listening rule marked "to inbox".

``addressed_to_organisation`` is pure. ``to_inbox`` asks ``samen.understanding``'s selectors
once per batch; they hold the rule matches stored before ``posts_understood`` is sent.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import lru_cache


def handle_variants(handle: str) -> set[str]:
    """The ways an account's handle is written in mentions: ``@name@server`` is also
    written ``@name`` by people on the same server; case never matters."""
    clean = handle.strip().lower().lstrip("@")
    if not clean:
        return set()
    variants = {clean}
    if "@" in clean:
        variants.add(clean.split("@", 1)[0])
    return variants


@lru_cache(maxsize=65536)
def _mention_variants(mention: str) -> frozenset[str]:
    """``handle_variants`` of a mention, kept: a stream names the same people again and again."""
    return frozenset(handle_variants(mention))


def _written_mention(variants: Iterable[str]) -> re.Pattern[str]:
    """``@handle`` written in lower-cased text, for any of the variants: not inside a longer
    word, handle or address, nor followed by more of a domain (``@stad.gent`` is not ``@stad``).
    One alternation finds a place wherever one of the variants alone would."""
    names = "|".join(re.escape(v) for v in sorted(variants, key=lambda v: (-len(v), v)))
    return re.compile(r"(?<![\w@])@(?:" + names + r")(?![\w-]|\.\w)")


@dataclass(frozen=True, slots=True)
class OrgIdentity:
    """What the organisation is called on each network, and the ids of its own posts."""

    handles: dict[str, set[str]]  # source → handle variants
    own_post_ids: set[tuple[str, str]]  # (source, external id) of posts the org wrote
    # source → the pattern of a written mention of any of its variants (from ``handles``)
    written: dict[str, re.Pattern[str]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "written", {source: _written_mention(v)
                                             for source, v in self.handles.items() if v})

    @classmethod
    def build(cls, accounts: Iterable[tuple[str, str]],
              own_post_ids: Iterable[tuple[str, str]]) -> OrgIdentity:
        handles: dict[str, set[str]] = {}
        for provider, handle in accounts:
            handles.setdefault(provider, set()).update(handle_variants(handle))
        return cls(handles=handles, own_post_ids=set(own_post_ids))


def addressed_to_organisation(*, source: str, text: str, mentions: Iterable[str],
                              visibility: str, reply_to: str, thread_root: str,
                              org: OrgIdentity) -> bool:
    """A direct message, a reply to one of the org's posts, or a mention of one of its
    handles on that network (in the mention list, or written in the text)."""
    if visibility == "direct":
        return True
    for ext in (reply_to, thread_root):
        if ext and (source, ext) in org.own_post_ids:
            return True
    variants = org.handles.get(source, set())
    if not variants:
        return False
    for mention in mentions:
        if not _mention_variants(str(mention)).isdisjoint(variants):
            return True
    if "@" not in text:  # every written mention has one
        return False
    return org.written[source].search(text.lower()) is not None


def to_inbox(post_ids: Collection[int], *, addressed: Collection[int]) -> dict[int, list[str]]:
    """Of a batch, the posts that become conversations unless they join a thread: those
    ``addressed`` to the organisation and those an enabled "to inbox" rule matched, each with
    the names of the rules it matched, highest priority first. One question to
    understanding for the whole batch."""
    from samen.understanding import selectors as understanding

    return understanding.inbox_rules(post_ids, addressed=addressed)
