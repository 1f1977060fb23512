"""Every read of the inbox. List reads run a fixed number of queries whatever the page size."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from samen.core.models import Person
from samen.core.roles import Role
from samen.inbox import policy
from samen.inbox.models import (
    Availability,
    Contact,
    ContactHandle,
    Conversation,
    ConversationEvent,
    ConversationPost,
    Notice,
    Presence,
    Reply,
    ReplyState,
    RoutingRule,
    SavedFilter,
    SavedReply,
    SlaTarget,
    Team,
)
from samen.inbox.suggest import AnswerIndex
from samen.inbox.workflow import ACTIVE_STATES, DONE_STATES, WAITING_STATES
from samen.sources import selectors as source_selectors
from samen.sources.models import Post

VIEWS = ("mine", "unassigned", "team", "urgent", "waiting", "breached", "open", "all", "done")
PRESENCE_TTL = timedelta(seconds=20)


@dataclass(frozen=True)
class ListQuery:
    """What the list page was asked for (parsed from the query string by the view)."""

    view: str = "mine"
    channel: str = ""
    language: str = ""
    rule: str = ""
    q: str = ""
    page: int = 1


def _base() -> QuerySet[Conversation]:
    return Conversation.objects.select_related("contact", "assignee", "team")


def conversations_for(*, person: Person, query: ListQuery,
                      found: Found | None = None) -> QuerySet[Conversation]:
    """The conversations of one inbox view, newest activity first (``found``: the search for
    ``query.q`` when the caller already ran it)."""
    qs = _base()
    active = [s.value for s in ACTIVE_STATES]
    view = query.view if query.view in VIEWS else "mine"
    if view == "mine":
        qs = qs.filter(assignee=person, state__in=active)
    elif view == "unassigned":
        qs = qs.filter(assignee__isnull=True, state__in=active)
    elif view == "team":
        team_ids = list(Team.objects.filter(members=person).values_list("pk", flat=True))
        qs = qs.filter(team_id__in=team_ids, state__in=active)
    elif view == "urgent":
        qs = qs.filter(urgent=True, state__in=active)
    elif view == "waiting":
        qs = qs.filter(state__in=[s.value for s in WAITING_STATES])
    elif view == "open":
        qs = qs.filter(state__in=active)
    elif view == "breached":
        now = timezone.now()
        qs = qs.filter(state__in=[*active, *(s.value for s in WAITING_STATES)]).filter(
            Q(first_responded_at__isnull=True, first_response_due__lt=now)
            | Q(resolution_due__lt=now))
    elif view == "done":
        qs = qs.filter(state__in=[s.value for s in DONE_STATES])
    if query.channel:
        qs = qs.filter(channel=query.channel)
    if query.language:
        qs = qs.filter(language=query.language)
    if query.rule:
        qs = qs.filter(rule_names__contains=[query.rule]) if connection.vendor == "postgresql" \
            else qs.filter(rule_names__icontains=f'"{query.rule}"')
    if query.q:
        qs = qs.filter(pk__in=search_conversation_ids(query.q, found=found))
    return qs.order_by("-last_activity_at", "-id")


def page_of(qs: QuerySet[Conversation], *, page: int, size: int) -> tuple[list[Conversation],
                                                                          bool]:
    """One page (no COUNT over the whole table: we only need to know if there is more)."""
    start = (max(page, 1) - 1) * size
    rows = list(qs[start:start + size + 1])
    return rows[:size], len(rows) > size


def view_counts(person: Person) -> dict[str, str]:
    """Small counts for the view tabs, capped at 99 so they stay cheap on a big inbox."""
    out = {}
    for view in ("mine", "unassigned", "urgent"):
        n = conversations_for(person=person, query=ListQuery(view=view))[:100].count()
        out[view] = "99+" if n > 99 else str(n)
    return out


# --------------------------------------------------------------------------- full-text search

_WORD = re.compile(r"\w+", re.UNICODE)
SEARCH_LIMIT = 500
# Search reads the newest SEARCH_WINDOW entry ids first, newest first, stopping at the limit:
# a common word is answered there without collecting all its matches. A word that filled a
# good part of the page reads one more window sized from what it found (at most
# SEARCH_MAX_WINDOW ids); a rarer word reads the rest through the word index, whose cost
# follows its (few) matches. Reading an id range row by row costs about one row per entry;
# reading through the word index costs a heap fetch per match, so rows for dense words and
# the index for sparse ones (ADR 0201).
SEARCH_WINDOW = 20_000
SEARCH_MAX_WINDOW = 80_000
CONTACT_LIMIT = 20



@dataclass(frozen=True)
class Found:
    """What a search found: conversations (by their posts) and contacts (by their details)."""

    conversations: list[int]
    contacts: list[int]


def _terms(q: str) -> list[str]:
    return _WORD.findall(policy.fold_accents(q))[:10]


def _fts_match(words: list[str]) -> str:
    """An FTS5 query: every word, the last one also as a prefix (search as you type)."""
    terms = ['"' + w.replace('"', '""') + '"' for w in words]
    terms[-1] += "*"
    return " ".join(terms)


def _newest_post_matches(words: list[str], limit: int) -> list[int]:
    """Conversation ids of the newest ``limit`` post entries matching ``words``, newest first
    (one id per matching entry): exactly what one unbounded query would answer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM inbox_searchentry")
        hi = cursor.fetchone()[0] or 0
        if connection.vendor == "postgresql":
            text = " ".join(words)
            params: list[Any] = [text, text, text, text]
            match = ("SELECT conversation_id FROM inbox_searchentry WHERE tsv @@ ("
                     "plainto_tsquery('dutch', %s) || plainto_tsquery('french', %s) || "
                     "plainto_tsquery('english', %s) || plainto_tsquery('simple', %s)) "
                     "AND id > %s AND id <= %s AND post_id IS NOT NULL ")
            by_rows = match + "ORDER BY id DESC LIMIT %s"  # walks the id range, stops early
            # "id + 0" cannot walk the primary key, so the planner goes through the GIN index
            # (a rare word's few matches) instead of reading every row of a wide range.
            by_index = match + "ORDER BY id + 0 DESC LIMIT %s"
        else:
            # FTS5 takes the rowid range and the order itself: one query shape serves both.
            by_rows = by_index = (
                "SELECT e.conversation_id FROM inbox_search_fts f "
                "JOIN inbox_searchentry e ON e.id = f.rowid "
                "WHERE inbox_search_fts MATCH %s AND f.rowid > %s AND f.rowid <= %s "
                "AND e.post_id IS NOT NULL ORDER BY f.rowid DESC LIMIT %s")
            params = [_fts_match(words)]
        found: list[int] = []

        def read(sql: str, lo: int, hi: int) -> None:
            cursor.execute(sql, [*params, lo, hi, limit - len(found)])
            found.extend(r[0] for r in cursor.fetchall())

        lo = max(0, hi - SEARCH_WINDOW)
        read(by_rows, lo, hi)
        if found and len(found) < limit and lo > 0:
            # at this density the rest of the page is expected within this many ids
            wanted = (limit - len(found)) * (hi - lo) * 3 // (2 * len(found)) + 1
            if wanted <= SEARCH_MAX_WINDOW:
                hi, lo = lo, max(0, lo - wanted)
                read(by_rows, lo, hi)
        if len(found) < limit and lo > 0:
            read(by_index, 0, lo)
    return found


def _matching_contacts(words: list[str], limit: int) -> list[int]:
    """Contact ids whose details match ``words`` (newest first on SQLite; on PostgreSQL the
    first ``limit`` the index gives, which page by name anyway). Contact entries have an index
    of their own (a partial GIN index; an FTS5 table of their own), so a word that also fills
    a million posts still finds the contacts."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            text = " ".join(words)
            # No ORDER BY: sorting every contact that matches a common word (all of them, for
            # a name everybody shares) costs more than the page; the first ``limit`` will do.
            cursor.execute(
                "SELECT contact_id FROM inbox_searchentry WHERE tsv @@ ("
                "plainto_tsquery('dutch', %s) || plainto_tsquery('french', %s) || "
                "plainto_tsquery('english', %s) || plainto_tsquery('simple', %s)) "
                "AND post_id IS NULL LIMIT %s", [text, text, text, text, limit])
        else:
            cursor.execute(
                "SELECT e.contact_id FROM inbox_contact_fts f "
                "JOIN inbox_searchentry e ON e.id = f.rowid "
                "WHERE inbox_contact_fts MATCH %s ORDER BY f.rowid DESC LIMIT %s",
                [_fts_match(words), limit])
        return [r[0] for r in cursor.fetchall() if r[0] is not None]


def find(q: str) -> Found:
    """The conversations of the newest ``SEARCH_LIMIT`` posts matching every word of ``q``
    (newest first), and the contacts whose name, handles or notes match. SQLite: FTS5
    (accents folded, the last word also as a prefix); PostgreSQL: stemmed in Dutch, French
    and English, and unstemmed."""
    words = _terms(q)
    if not words:
        return Found([], [])
    conversations = list(dict.fromkeys(
        c for c in _newest_post_matches(words, SEARCH_LIMIT) if c is not None))
    return Found(conversations, _matching_contacts(words, SEARCH_LIMIT))


def search(q: str) -> tuple[list[int], list[int]]:
    """(conversation ids, contact ids) matching ``q``, as sorted lists (see ``find``)."""
    found = find(q)
    return sorted(found.conversations), sorted(found.contacts)


def search_conversation_ids(q: str, *, found: Found | None = None) -> list[int]:
    """Conversations matching ``q`` directly, or belonging to a contact that matches."""
    found = found if found is not None else find(q)
    conversations = found.conversations
    if found.contacts:
        conversations = [*conversations, *Conversation.objects.filter(
            contact_id__in=found.contacts).order_by("-last_activity_at", "-id")
            .values_list("pk", flat=True)[:SEARCH_LIMIT]]
    return conversations


def search_contacts(q: str, *, found: Found | None = None) -> list[Contact]:
    """Contacts matching ``q`` (at most ``CONTACT_LIMIT``, by name)."""
    words = _terms(q)
    if not words:
        return []
    ids = found.contacts if found is not None else _matching_contacts(words, SEARCH_LIMIT)
    return list(Contact.objects.filter(pk__in=ids,
                                       merged_into__isnull=True)[:CONTACT_LIMIT])


# ------------------------------------------------------------------------------- one thread


def conversation(pk: int) -> Conversation:
    return Conversation.objects.select_related("contact", "assignee", "team", "account").get(
        pk=pk)


def thread(conv: Conversation) -> list[dict[str, Any]]:
    """Posts and replies of a conversation in time order, for the conversation page."""
    items: list[dict[str, Any]] = []
    posts = Post.objects.filter(
        pk__in=ConversationPost.objects.filter(conversation=conv).values("post_id")
    ).order_by("created_at", "pk")
    for post in posts:
        items.append({"kind": "post", "at": post.created_at, "post": post})
    for reply in Reply.objects.filter(conversation=conv).select_related("author", "decided_by"):
        items.append({"kind": "reply", "at": reply.sent_at or reply.created_at, "reply": reply})
    items.sort(key=lambda i: i["at"])
    return items


def history(conv: Conversation) -> QuerySet[ConversationEvent]:
    return ConversationEvent.objects.filter(conversation=conv).select_related("actor")


def latest_post_in(items: list[dict[str, Any]]) -> Post | None:
    """The newest post of a ``thread`` already read (saves the conversation page a query)."""
    posts = [i["post"] for i in items if i["kind"] == "post"]
    return max(posts, key=lambda p: (p.created_at, p.pk)) if posts else None


def draft_in(items: list[dict[str, Any]], person: Person) -> Reply | None:
    """``open_draft`` answered from a ``thread`` already read (it holds every reply)."""
    replies = [i["reply"] for i in items if i["kind"] == "reply"
               and i["reply"].author_id == person.pk
               and i["reply"].state in (ReplyState.DRAFT, ReplyState.REJECTED)]
    return max(replies, key=lambda r: (r.created_at, r.pk)) if replies else None


def last_post(conv: Conversation) -> Post | None:
    item = ConversationPost.objects.filter(conversation=conv).order_by("-created_at").first()
    return Post.objects.filter(pk=item.post_id).first() if item else None


def open_draft(conv: Conversation, person: Person) -> Reply | None:
    return Reply.objects.filter(conversation=conv, author=person,
                                state__in=[ReplyState.DRAFT, ReplyState.REJECTED]).last()


def others_present(conv: Conversation, person: Person) -> list[Presence]:
    """Colleagues who had this conversation open in the last few seconds (collision)."""
    since = timezone.now() - PRESENCE_TTL
    return list(Presence.objects.filter(conversation=conv, seen_at__gte=since)
                .exclude(person=person).select_related("person"))


def can_send(person: Person, conv: Conversation) -> bool:
    return conv.account is not None and source_selectors.has_mandate(person=person,
                                                                     account=conv.account)


# ------------------------------------------------------------------------------------ SLA


@dataclass(frozen=True)
class SlaStatus:
    label: str  # "first_response" or "resolution" or "" when met
    due: datetime | None
    minutes_left: int | None
    breached: bool


def sla_status(conv: Conversation, *, now: datetime | None = None) -> SlaStatus:
    """What the clock says: the first response until someone answered, then resolution."""
    now = now or timezone.now()
    if conv.state in {s.value for s in DONE_STATES}:
        return SlaStatus("", None, None, False)
    if conv.first_responded_at is None and conv.first_response_due is not None:
        label, due = "first_response", conv.first_response_due
    elif conv.resolution_due is not None:
        label, due = "resolution", conv.resolution_due
    else:
        return SlaStatus("", None, None, False)
    left = int((due - now).total_seconds() // 60)
    return SlaStatus(label, due, left, left < 0)


def sla_breaches() -> QuerySet[Conversation]:
    """Active conversations past a target now (for the report and the lead's overview)."""
    now = timezone.now()
    active = [s.value for s in ACTIVE_STATES | WAITING_STATES]
    return _base().filter(state__in=active).filter(
        Q(first_responded_at__isnull=True, first_response_due__lt=now)
        | Q(resolution_due__lt=now)).order_by("first_response_due")


def sla_targets() -> list[dict[str, Any]]:
    """Every (channel, priority) the policy page shows, with the stored or default target."""
    stored = {(t.channel, t.priority): t for t in SlaTarget.objects.all()}
    rows = []
    for channel in ("", "mastodon", "bluesky"):
        for priority in ("high", "normal", "low"):
            target = stored.get((channel, priority))
            default = policy.DEFAULT_SLA[priority]
            rows.append({"channel": channel, "priority": priority, "stored": target is not None,
                         "first": target.first_response_minutes if target else default[0],
                         "resolution": target.resolution_minutes if target else default[1]})
    return rows


# ------------------------------------------------------------------------------ replies


def saved_replies_for(conv: Conversation, agent: Person) -> list[dict[str, Any]]:
    """Saved replies in the conversation's language, the ones for its intent first, with
    the placeholders already filled in."""
    qs = SavedReply.objects.all()
    if conv.language:
        qs = qs.filter(language=conv.language)
    rows = sorted(qs, key=lambda r: (r.intent != conv.intent, r.title))
    return [{"reply": r, "matches_intent": bool(conv.intent) and r.intent == conv.intent,
             "text": policy.fill_placeholders(r.body, contact_name=conv.contact.display_name,
                                              agent_first_name=agent.first_name or agent.username)}
            for r in rows]


_index_cache: dict[tuple[int, int], AnswerIndex] = {}
PAST_PAIRS = 2000


def past_pairs(limit: int = PAST_PAIRS) -> list[tuple[str, str]]:
    """(customer's question, the team's sent answer), newest first."""
    replies = list(Reply.objects.filter(state=ReplyState.SENT).exclude(in_reply_to_external_id="")
                   .order_by("-sent_at").values_list("conversation__channel",
                                                     "in_reply_to_external_id", "text")[:limit])
    keys = {(c, e) for c, e, _t in replies}
    post_ids = dict(ConversationPost.objects.filter(
        external_id__in=[e for _c, e in keys]).values_list("external_id", "post_id"))
    texts = dict(Post.objects.filter(pk__in=post_ids.values()).values_list("pk", "text"))
    return [(texts[post_ids[e]], t) for _c, e, t in replies if e in post_ids
            and post_ids[e] in texts]


def suggested_replies(conv: Conversation, question: str, *, limit: int = 3) -> list[Any]:
    """The organisation's own past answers to questions most like ``question``."""
    seen = Reply.objects.filter(state=ReplyState.SENT).aggregate(latest=Max("pk"),
                                                                   count=Count("pk"))
    key = (seen["latest"] or 0, seen["count"])
    index = _index_cache.get(key)
    if index is None:
        _index_cache.clear()
        index = _index_cache[key] = AnswerIndex(past_pairs())
    return [s for s in index.suggest(question, limit=limit + 1)
            if s.question.strip() != question.strip()][:limit]


def approvals_queue() -> QuerySet[Reply]:
    return (Reply.objects.filter(state=ReplyState.PENDING_APPROVAL)
            .select_related("conversation", "conversation__contact", "author")
            .order_by("created_at"))


def failed_replies() -> QuerySet[Reply]:
    return Reply.objects.filter(state=ReplyState.FAILED).select_related("conversation")


# ------------------------------------------------------------------------------ contacts


def contact(pk: int) -> Contact:
    return Contact.objects.get(pk=pk)


def contact_story(c: Contact) -> list[Conversation]:
    """Every conversation of the contact on every channel, oldest first, with its posts and
    replies (three queries whatever the number of conversations)."""
    return list(Conversation.objects.filter(contact=c).select_related("assignee")
                .prefetch_related(Prefetch("replies",
                                           queryset=Reply.objects.filter(state=ReplyState.SENT)))
                .order_by("created_at", "id"))


def story_posts(conversations: list[Conversation]) -> dict[int, list[Post]]:
    items = list(ConversationPost.objects.filter(conversation__in=conversations)
                 .values_list("conversation_id", "post_id"))
    posts = Post.objects.in_bulk([p for _c, p in items])
    out: dict[int, list[Post]] = {}
    for conv_id, post_id in items:
        if post_id in posts:
            out.setdefault(conv_id, []).append(posts[post_id])
    for lst in out.values():
        lst.sort(key=lambda p: p.created_at)
    return out


def handles_of(c: Contact) -> QuerySet[ContactHandle]:
    return ContactHandle.objects.filter(contact=c)


# --------------------------------------------------------------------------- people, policy


def team_members() -> QuerySet[Person]:
    return Person.objects.filter(role_grants__role=Role.TEAM, is_active=True).distinct()


def managers() -> QuerySet[Person]:
    return Person.objects.filter(role_grants__role=Role.MANAGER, is_active=True).distinct()


def is_away(person: Person) -> bool:
    a = Availability.objects.filter(person=person).first()
    return bool(a and a.away and (a.away_until is None or a.away_until > timezone.now()))


def teams() -> QuerySet[Team]:
    return Team.objects.prefetch_related("members")


def routing_rules() -> QuerySet[RoutingRule]:
    return RoutingRule.objects.select_related("team", "person")


def saved_filters(person: Person) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(person=person)


def saved_replies() -> QuerySet[SavedReply]:
    return SavedReply.objects.all()


def notices_for(person: Person) -> QuerySet[Notice]:
    return Notice.objects.filter(person=person).select_related("conversation")[:50]


def unread_notice_count(person: Person) -> int:
    return Notice.objects.filter(person=person, read_at__isnull=True).count()


def channels() -> list[str]:
    return ["mastodon", "bluesky"]


def replies_sent_per_day(*, authors: QuerySet[Person, Any], start: datetime, end: datetime,
                         channels: Sequence[str] = ()) -> list[tuple[date, int]]:
    """(local day, replies) the given people wrote and the inbox sent between ``start`` and
    ``end`` from the organisation's accounts; only conversations on ``channels`` when given.
    A reply someone only approved is not theirs: it counts for its author."""
    qs = Reply.objects.filter(state=ReplyState.SENT, author__in=authors, sent_at__gte=start,
                              sent_at__lt=end)
    if channels:
        qs = qs.filter(conversation__channel__in=channels)
    return [(day, n) for day, n in qs.annotate(day=TruncDate("sent_at")).order_by()
            .values_list("day").annotate(n=Count("id")).values_list("day", "n")]

