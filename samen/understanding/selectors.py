"""Reads of listening rules, matches, alerts and understanding settings, for views, the inbox,
insights and the API."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from samen.core.ids import among
from samen.core.models import Organisation
from samen.sources.models import Direction, Post
from samen.understanding.models import (
    ListeningRule,
    RuleMatch,
    Sensitivity,
    TrendAlert,
    UnderstandingSettings,
    match_day,
)
from samen.understanding.postviews import POST_FIELDS
from samen.understanding.rules import RuleSet
from samen.understanding.rules import match as rules_match

DEFAULT_LANGUAGES = ("nl", "fr", "en", "de")


# --- settings -------------------------------------------------------------------------------

def understanding_settings() -> UnderstandingSettings:
    """The organisation's settings; an unsaved default when the comms lead never saved any."""
    org = Organisation.objects.order_by("pk").first()
    if org is None:
        return UnderstandingSettings(trend_sensitivity=Sensitivity.NORMAL)
    found = UnderstandingSettings.objects.filter(organisation=org).first()
    return found or UnderstandingSettings(organisation=org, trend_sensitivity=Sensitivity.NORMAL)


def languages(settings_row: UnderstandingSettings | None = None) -> tuple[str, ...]:
    """Languages to recognise: the settings', else the organisation's, else nl/fr/en/de."""
    row = settings_row or understanding_settings()
    if row.languages:
        return tuple(row.languages)
    org = row.organisation if row.organisation_id else None
    if org is not None and org.languages:
        return tuple(org.languages)
    return DEFAULT_LANGUAGES


# --- rules ------------------------------------------------------------------------------------

def rules() -> QuerySet[ListeningRule]:
    return ListeningRule.objects.all()


def rules_with_counts(*, now: datetime | None = None) -> list[ListeningRule]:
    """Every rule with ``matches_today`` (since local midnight) and ``matches_week`` (the last
    seven days): one query over the week's part of the day-led match index, one for the
    rules."""
    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    week = now - timedelta(days=7)
    counts = {
        rule_id: (week_n, today_n)
        for rule_id, week_n, today_n in RuleMatch.objects
        .filter(day__gte=match_day(week), matched_at__gte=week)
        .order_by().values_list("rule_id")
        .annotate(week_n=Count("pk"), today_n=Count("pk", filter=Q(matched_at__gte=today)))
    }
    rules = list(ListeningRule.objects.all())
    for rule in rules:
        rule.matches_week, rule.matches_today = counts.get(  # type: ignore[attr-defined]
            rule.pk, (0, 0))
    return rules


def match_days() -> list[date]:
    """Every day from the first match's to the last one's (or today's): "the matches of one
    rule" is looked up one day and hour at a time (``posts_of_rule``). Two index look-ups."""
    days = RuleMatch.objects.order_by("day").values_list("day", flat=True)
    first = days.first()
    if first is None:
        return []
    last = max(days.reverse().first() or first, match_day(timezone.now()))
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _query_params_allowed() -> int:
    """How many bound parameters one statement may carry: SQLite's limit is a build setting
    (999 before 3.32, 32,766 since); PostgreSQL's is 65,535."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return 65_535


def posts_of_rule(rule: ListeningRule) -> QuerySet[Post]:
    """The posts a rule matched, newest first. One seek per hour of each day of matches
    (``day IN (...) AND hour IN (0, ..., 23) AND rule_id = ...``, which the index led by day
    and hour answers); where the days are more than one statement may list (years of
    history on an old SQLite), the rule's matches are read from the whole index instead."""
    post_ids = matches_of_rule(rule).values("post_id")
    return Post.objects.filter(pk__in=post_ids).only(*POST_FIELDS).order_by("-created_at")


def matches_of_rule(rule: ListeningRule) -> QuerySet[RuleMatch]:
    """A rule's matches, as ``posts_of_rule`` and deleting a rule look them up: one seek per
    hour of each day of matches, or the whole index where the days are too many to list."""
    days = match_days()
    matches = RuleMatch.objects.filter(rule=rule)
    if len(days) + 24 < _query_params_allowed() - 10:
        matches = matches.filter(day__in=days, hour__in=range(24))
    return matches


def rules_of_posts(post_ids: list[int]) -> dict[int, list[ListeningRule]]:
    """For the inbox: which rules each post matched, highest priority first (one query)."""
    out: dict[int, list[ListeningRule]] = {pid: [] for pid in post_ids}
    matches = (RuleMatch.objects.filter(post_id__in=post_ids).select_related("rule")
               .order_by("-rule__priority", "rule__name"))
    for m in matches:
        out[m.post_id].append(m.rule)
    return out


def to_inbox_post_ids(post_ids: list[int]) -> set[int]:
    """Of these posts, those matching at least one enabled rule marked "to inbox"."""
    return set(RuleMatch.objects.filter(post_id__in=post_ids, rule__to_inbox=True,
                                        rule__enabled=True).values_list("post_id", flat=True))


def inbox_rules(post_ids: Collection[int], *, addressed: Collection[int] = ()
                ) -> dict[int, list[str]]:
    """For the inbox's intake, for a whole batch at once: the posts that go to the inbox and
    the names of the rules each matched, highest priority first.

    A post goes to the inbox when it is ``addressed`` (to the organisation: the inbox knows)
    or matches at least one enabled rule marked "to inbox". Posts that do not go are left out
    of the answer; an addressed post that matched no rule maps to ``[]``. At most three
    queries whatever the number of posts; one when no rule sends to the inbox and no post is
    addressed.
    """
    ids = set(post_ids)
    going = set(addressed)
    inbox_rule_ids = list(ListeningRule.objects.filter(to_inbox=True, enabled=True)
                          .values_list("id", flat=True))
    if inbox_rule_ids and ids:
        going.update(ids.intersection(
            RuleMatch.objects.filter(among("post_id", ids), rule_id__in=inbox_rule_ids)
            .values_list("post_id", flat=True)))
    out: dict[int, list[str]] = {pid: [] for pid in going}
    if going:
        for post_id, name in (RuleMatch.objects.filter(post_id__in=sorted(going))
                              .order_by("-rule__priority", "rule__name")
                              .values_list("post_id", "rule__name")):
            out[post_id].append(name)
    return out


def recent_posts(limit: int = 500) -> list[Post]:
    """The newest received posts, for the preview of a rule being written."""
    return list(Post.objects.filter(direction=Direction.INBOUND, deleted_at__isnull=True)
                .only(*POST_FIELDS).order_by("-created_at", "-id")[:limit])


@dataclass
class CompiledRules:
    """The enabled rules compiled for matching, and the ids of rules that no longer parse."""

    ruleset: RuleSet[int]
    version: tuple[Any, ...]
    broken: dict[int, str] = field(default_factory=dict)


_compiled: CompiledRules | None = None
_compiled_lock = threading.Lock()


def _rules_version() -> tuple[Any, ...]:
    """The number of rules and their last change, asked once per batch. Two questions, not
    one: apart, each is answered from an index (the count from the table's smallest, the
    last change from ``listeningrule_updated_at``); together the database reads every rule,
    about a millisecond a batch with 10,000 rules."""
    return (ListeningRule.objects.count(),
            ListeningRule.objects.aggregate(last=Max("updated_at"))["last"])


def compiled_rules() -> CompiledRules:
    """The enabled rules, compiled once per process and rebuilt when a rule changes.

    Every process checks a cheap version (count and last change of all rules) so an edit made
    in the web process reaches the worker's matcher with its next batch.
    """
    global _compiled
    version = _rules_version()
    current = _compiled
    if current is not None and current.version == version:
        return current
    with _compiled_lock:
        if _compiled is not None and _compiled.version == version:
            return _compiled
        items = list(ListeningRule.objects.filter(enabled=True).values_list("id", "query"))
        ruleset: RuleSet[int] = RuleSet(items, skip_invalid=True)
        broken = {rid: err.code for rid, err in ruleset.errors.items()}
        # an operator reading the worker's log sees whether matching runs at full speed
        why = "" if ruleset.compiled else rules_match.python_loop_reason()
        logging.getLogger("samen.understanding").log(
            logging.WARNING if why and rules_match.compiled_loop_missing() else logging.INFO,
            "Compiled %d listening rules (%d not valid) for matching with the %s loop%s.",
            len(ruleset), len(broken), "compiled" if ruleset.compiled else "Python",
            f" ({why}; ADR 0107, 0127, 0128)" if why else "")
        _compiled = CompiledRules(ruleset=ruleset, version=version, broken=broken)
        return _compiled


def forget_compiled_rules() -> None:
    """Drop this process's compiled rules (after a change, so the next batch rebuilds)."""
    global _compiled
    _compiled = None


# --- alerts -----------------------------------------------------------------------------------

def alerts(*, open_only: bool = False) -> QuerySet[TrendAlert]:
    qs = TrendAlert.objects.select_related("rule", "acknowledged_by")
    if open_only:
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs


def open_alert_count() -> int:
    return TrendAlert.objects.filter(acknowledged_at__isnull=True).count()


def example_posts(alert_list: list[TrendAlert], *, per_alert: int = 3) -> dict[int, list[Post]]:
    """Example posts of each alert, for showing them on one page (one query for all)."""
    wanted: dict[int, list[int]] = {
        a.pk: [int(i) for i in a.example_post_ids[:per_alert] if str(i).isdigit()]
        for a in alert_list
    }
    ids = {i for v in wanted.values() for i in v}
    posts = {p.pk: p for p in Post.objects.filter(pk__in=ids).only(*POST_FIELDS)} if ids else {}
    return {aid: [posts[i] for i in pids if i in posts] for aid, pids in wanted.items()}
