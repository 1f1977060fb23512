"""Writes of understanding: listening rules, their matches, trend alerts, settings.

Views, the CLI, tasks, the demo and tests all come through here. ``do_understand_posts`` is the
step between sources and the inbox: it fills missing enrichment, matches the rules, feeds the
trend detector and then tells the inbox.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import repeat
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from samen.core import audit
from samen.core.models import Organisation, Person
from samen.sources.ingest import read_back
from samen.sources.models import Direction, Post
from samen.understanding import selectors
from samen.understanding.enrich import enrich_text
from samen.understanding.models import (
    AlertKind,
    ListeningRule,
    RuleMatch,
    TrendAlert,
    TrendState,
    UnderstandingSettings,
    match_slot,
)
from samen.understanding.postviews import POST_FIELDS, text_with_alt, view_of
from samen.understanding.rules import parse
from samen.understanding.rules.nodes import Node
from samen.understanding.signals import posts_understood
from samen.understanding.trends import SENSITIVITY, TrendDetector
from samen.understanding.trends_eval import terms_of

CHUNK = 500
# Posts older than this when they arrive (archive imports, backfills) are matched but not
# counted for trends: the detector reads a live stream in time order.
TREND_HORIZON = timedelta(hours=6)
TREND_SAVE_SECONDS = 30
RULE_KEY = "rule:"
# What matching, trends and filling need (urgency_reasons is only ever written here).
LOAD_FIELDS = tuple(f for f in POST_FIELDS
                    if f not in {"urgency_reasons", "author_name", "url", "sentiment_confidence"})
RULE_FIELDS = ("name", "query", "description", "enabled", "to_inbox", "priority", "colour")


def check_rule_query(query: str) -> Node:
    """Parse a rule; raises ``rules.RuleSyntaxError`` (code, column) when it is not valid."""
    return parse(query)


def _after_rules_change() -> None:
    transaction.on_commit(selectors.forget_compiled_rules)


@transaction.atomic
def do_create_rule(
    *, name: str, query: str, by: Person | None, description: str = "", enabled: bool = True,
    to_inbox: bool = False, priority: int = 0, colour: str = "blue",
) -> ListeningRule:
    """Store a new rule. Precondition: none; a rule that does not parse is refused
    (``RuleSyntaxError``) so the matcher never meets it."""
    check_rule_query(query)
    now = timezone.now()
    rule = ListeningRule.objects.create(
        name=name.strip(), query=query.strip(), description=description, enabled=enabled,
        to_inbox=to_inbox, priority=priority, colour=colour, created_by=by, created_at=now,
        updated_at=now,
    )
    audit.record(actor=by, action="understanding.rule.created", target=rule,
                 data={"query": rule.query, "to_inbox": to_inbox, "enabled": enabled})
    _after_rules_change()
    return rule


@transaction.atomic
def do_update_rule(*, rule: ListeningRule, by: Person | None, **changes: Any) -> ListeningRule:
    """Change a rule's fields (any of ``RULE_FIELDS``). Earlier matches stay: they were true
    when made; new posts are matched with the new rule."""
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"not a rule field: {', '.join(sorted(unknown))}")
    if "query" in changes:
        changes["query"] = changes["query"].strip()
        check_rule_query(changes["query"])
    rule = ListeningRule.objects.select_for_update().get(pk=rule.pk)
    before = {k: getattr(rule, k) for k in changes}
    changed = {k: v for k, v in changes.items() if before[k] != v}
    if not changed:
        return rule
    for key, value in changed.items():
        setattr(rule, key, value)
    rule.updated_at = timezone.now()
    rule.save(update_fields=[*changed, "updated_at"])
    audit.record(actor=by, action="understanding.rule.updated", target=rule,
                 data={"changed": {k: [before[k], v] for k, v in changed.items()}})
    _after_rules_change()
    return rule


@transaction.atomic
def do_delete_rule(*, rule: ListeningRule, by: Person | None) -> None:
    """Remove a rule with its matches and alerts (the audit log keeps what it was).

    The matches are deleted here, looked up through the index led by day and hour: Django's
    cascade would ask for ``rule_id = ...``, which no index leads with, and read the whole
    match table (ADR 0150)."""
    audit.record(actor=by, action="understanding.rule.deleted", target=rule,
                 data={"name": rule.name, "query": rule.query})
    selectors.matches_of_rule(rule).delete()
    rule.delete()
    _after_rules_change()


@transaction.atomic
def do_acknowledge_alert(*, alert: TrendAlert, by: Person) -> TrendAlert:
    """Mark an alert as seen, so it leaves the count of open alerts. Idempotent."""
    alert = TrendAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.acknowledged_at is None:
        alert.acknowledged_by = by
        alert.acknowledged_at = timezone.now()
        alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
        audit.record(actor=by, action="understanding.alert.acknowledged", target=alert,
                     data={"term": alert.term, "rule": alert.rule_id})
    return alert


@transaction.atomic
def do_update_settings(
    *, organisation: Organisation, by: Person | None, trend_sensitivity: str,
    languages: Sequence[str], email_alerts: bool,
) -> UnderstandingSettings:
    """Save the organisation's understanding policy; the detector uses it from its next batch."""
    if trend_sensitivity not in SENSITIVITY:
        raise ValueError(f"unknown sensitivity {trend_sensitivity!r}")
    row, _created = UnderstandingSettings.objects.select_for_update().get_or_create(
        organisation=organisation)
    row.trend_sensitivity = trend_sensitivity
    row.languages = list(languages)
    row.email_alerts = email_alerts
    row.updated_at = timezone.now()
    row.save(update_fields=["trend_sensitivity", "languages", "email_alerts", "updated_at"])
    audit.record(actor=by, action="understanding.settings.updated", target=organisation,
                 data={"trend_sensitivity": trend_sensitivity, "languages": list(languages),
                       "email_alerts": email_alerts})
    return row


# --- the step between sources and the inbox -------------------------------------------------

@dataclass
class UnderstandResult:
    posts: int = 0
    enriched: int = 0
    matches: int = 0  # rule matches found (stored now or before)
    alerts: list[int] = field(default_factory=list)  # TrendAlert ids made now


def _fill_enrichment(posts: list[Any], langs: Sequence[str]) -> dict[tuple[str, ...], list[Post]]:
    """Fill only the enrichment the ingest left empty; returns the rows to write back, grouped
    by the columns filled (so a column that was already there is never written)."""
    changed: dict[tuple[str, ...], list[Post]] = {}
    for post in posts:
        missing_lang = not post.language
        missing_sentiment = not post.sentiment
        missing_intent = not post.intent
        if not (missing_lang or missing_sentiment or missing_intent):
            continue
        e = enrich_text(post.text, lang_tag=post.source_language or None, languages=langs)
        values: dict[str, Any] = {}
        if missing_lang and e.language:
            values["language"] = e.language
        if missing_sentiment:
            values.update(sentiment=e.sentiment, sentiment_confidence=e.sentiment_confidence)
        if missing_intent:
            values.update(intent=e.intent, urgent=e.urgent, urgency_reasons=e.urgency_reasons)
        if values:
            for key, value in values.items():
                setattr(post, key, value)  # matching below sees the filled values
            changed.setdefault(tuple(values), []).append(Post(pk=post.id, **values))
    return changed


def _load_posts(post_ids: Sequence[int],
                stored: Mapping[int, Sequence[Any]] | None = None) -> list[Any]:
    """The posts' columns that understanding reads, as plain objects (attribute access like a
    model, without the cost of building model instances: this runs for every stored post)."""
    return read_back(post_ids, LOAD_FIELDS, stored=stored)


def do_understand_posts(*, post_ids: Sequence[int],
                        stored: Mapping[int, Sequence[Any]] | None = None) -> UnderstandResult:
    """Understand newly stored posts: enrichment, rule matches, trend alerts; then send
    ``posts_understood``. Idempotent: the same posts again add no match and count no trend.

    ``stored``: the INSERT parameters of posts this process just inserted (the ingest's
    ``stored_rows``), used instead of reading those rows back (``sources.ingest.read_back``);
    passed on to the inbox without the rows filled here.

    A fixed number of queries per 500 posts, whatever the number of rules.
    """
    result = UnderstandResult()
    with transaction.atomic():
        posts = _load_posts(post_ids, stored)
        result.posts = len(posts)
        if not posts:
            return result
        settings_row = selectors.understanding_settings()
        langs = selectors.languages(settings_row)
        changed = _fill_enrichment(posts, langs)
        if changed:
            # The ingest normally fills these (sources.ingest's enricher); this covers posts
            # stored without it (older rows, imports). Only empty columns were touched.
            for fields, filled in changed.items():
                Post.objects.bulk_update(filled, list(fields), batch_size=CHUNK)
        result.enriched = sum(len(filled) for filled in changed.values())
        compiled = selectors.compiled_rules()
        now = timezone.now()
        matched: dict[int, list[int]] = {}
        rows: list[tuple[int, int]] = []
        for post in posts:
            if post.deleted_at is not None:
                continue
            rule_ids = compiled.ruleset.match(view_of(post))
            if rule_ids:
                matched[post.id] = rule_ids
                rows.extend(zip(repeat(post.id), rule_ids))
        _insert_matches(rows, now)
        result.matches = len(rows)
        result.alerts = _count_trends(posts, matched, settings_row, now)
    if result.alerts:
        from samen.understanding import tasks

        alert_ids = list(result.alerts)
        if settings_row.email_alerts:
            transaction.on_commit(lambda: tasks.email_alerts.enqueue(alert_ids=alert_ids))
    ids = [p.id for p in posts]
    refilled = {post.pk for group in changed.values() for post in group}
    unchanged = {pk: row for pk, row in (stored or {}).items() if pk not in refilled}
    transaction.on_commit(lambda: posts_understood.send(sender=None, post_ids=ids,
                                                        stored_rows=unchanged))
    return result


def _insert_matches(pairs: list[tuple[int, int]], now: Any) -> None:
    """Store (post, rule) pairs; pairs already there are left alone (idempotent).

    One ``executemany`` per 500 rows: with thousands of rules a batch yields many matches, and
    the ORM's per-field preparation cost more than the matching itself. ``ON CONFLICT DO
    NOTHING`` is understood by SQLite and PostgreSQL alike.
    """
    if not pairs:
        return
    table = connection.ops.quote_name(RuleMatch._meta.db_table)
    at = connection.ops.adapt_datetimefield_value(now)
    day, hour = match_slot(now)
    on = connection.ops.adapt_datefield_value(day)
    sql = (f"INSERT INTO {table} (post_id, rule_id, matched_at, day, hour) "  # noqa: S608
           "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING")
    rows = sorted(pairs)  # in index order: SQLite's B-tree inserts stay local
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(sql, [(p, r, at, on, hour)
                                     for p, r in rows[start:start + CHUNK]])


@dataclass
class _TrendMemory:
    """The detector as this process last left it, valid while the stored state is the one it
    last saved (``saved_at``); ``last_post_id`` may be ahead of the stored one."""

    saved_at: Any
    last_post_id: int
    detector: TrendDetector


_trend_memory: _TrendMemory | None = None


def forget_trend_memory() -> None:
    """Drop the in-process detector (tests; a new process starts without it anyway)."""
    global _trend_memory
    _trend_memory = None


def _count_trends(posts: list[Any], matched: dict[int, list[int]],
                  settings_row: UnderstandingSettings, now: Any) -> list[int]:
    """Feed posts not counted before to the detector; store the alerts it gives.

    The detector lives in memory between batches and is written to ``TrendState`` when it
    gives alerts and at least every ``TREND_SAVE_SECONDS`` (serialising it for every batch cost
    more than the rest of understanding). A crash loses at most that much of the counts; the
    row lock keeps two workers from feeding it at once.
    """
    global _trend_memory
    state = (TrendState.objects.select_for_update().only("id", "last_post_id", "updated_at")
             .filter(key="main").first())
    if state is None:
        TrendState.objects.get_or_create(key="main", defaults={"updated_at": now})
        state = TrendState.objects.select_for_update().only(
            "id", "last_post_id", "updated_at").get(key="main")
    memory, _trend_memory = _trend_memory, None  # published again only if this commits
    if memory is None or memory.saved_at != state.updated_at:
        data = TrendState.objects.filter(pk=state.pk).values_list("data", flat=True).get()
        memory = _TrendMemory(saved_at=state.updated_at, last_post_id=state.last_post_id,
                              detector=TrendDetector.from_dict(data) if data
                              else TrendDetector())
    last, inbound, since = memory.last_post_id, Direction.INBOUND, now - TREND_HORIZON
    fresh = sorted(
        (p for p in posts
         if p.id > last and p.direction == inbound and p.deleted_at is None
         and p.created_at >= since),
        key=_by_time,
    )
    detector = memory.detector
    detector.thresholds = SENSITIVITY.get(settings_row.trend_sensitivity, SENSITIVITY["normal"])
    made: list[TrendAlert] = []
    local = timezone.get_current_timezone()  # hour of the week in the local clock
    key_of = _rule_keys.__getitem__
    no_rules: list[int] = []
    for post in fresh:
        when = post.created_at.astimezone(local)
        rule_keys = list(map(key_of, matched.get(post.id, no_rules)))
        for alert in detector.observe(when, terms_of(text_with_alt(post)), str(post.id),
                                      rules=rule_keys):
            made.append(_alert_row(alert, matched))
    if fresh:
        memory.last_post_id = max(memory.last_post_id, max(p.id for p in fresh))
    due = (now - state.updated_at).total_seconds() >= TREND_SAVE_SECONDS
    if fresh and (made or due or not state.last_post_id):
        TrendState.objects.filter(pk=state.pk).update(
            data=detector.to_dict(), last_post_id=memory.last_post_id, updated_at=now)
        memory.saved_at = now

    def publish(memory: _TrendMemory = memory) -> None:
        global _trend_memory
        _trend_memory = memory

    transaction.on_commit(publish)
    if not made:
        return []
    # Rules may have been deleted since they matched: drop those alerts rather than fail.
    live = set(ListeningRule.objects.filter(
        pk__in=[a.rule_id for a in made if a.rule_id]).values_list("pk", flat=True))
    made = [a for a in made if a.rule_id is None or a.rule_id in live]
    return [a.pk for a in TrendAlert.objects.bulk_create(made)]


class _RuleKeys(dict[int, str]):
    """A rule's key for the trend detector ("rule:12"), made once per rule."""

    def __missing__(self, rule_id: int) -> str:
        key = f"{RULE_KEY}{rule_id}"
        if len(self) < 100_000:  # bounded: rules come and go over a worker's life
            self[rule_id] = key
        return key


_rule_keys = _RuleKeys()
_by_time = operator.attrgetter("created_at", "id")


def _alert_row(alert: Any, matched: dict[int, list[int]]) -> TrendAlert:
    examples = [int(e) for e in alert.examples if str(e).isdigit()]
    rule_id = None
    kind = AlertKind.HASHTAG if alert.kind == "hashtag" else AlertKind.TERM
    term = alert.term
    if alert.kind == "rule":
        kind = AlertKind.RULE_VOLUME
        rule_id = int(alert.term.removeprefix(RULE_KEY))
        term = ""
        examples = sorted((pid for pid, rids in matched.items() if rule_id in rids),
                          reverse=True)[:5]
    return TrendAlert(
        kind=kind, term=term[:200], rule_id=rule_id, fired_at=alert.time, since=alert.since,
        observed=alert.count, expected=alert.expected, score=alert.score,
        example_post_ids=examples,
    )
