"""Listening rules, which posts matched them, trend alerts and the organisation's policy for them.

Only ``samen.understanding`` writes these tables (through ``actions``); other apps read them
through ``samen.understanding.selectors``. The pure cores (``rules/``, ``trends.py``) never see
these models: the actions hand them plain text and plain data.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import orjson
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samen.core.models import Organisation


class Sensitivity(models.TextChoices):
    LOW = "low", _("Low: only strong rises")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High: early warning, more alerts")


class UnderstandingSettings(models.Model):
    """What the comms lead decides about understanding, per organisation (policy is data).

    ``languages`` empty means: the organisation's own languages (or nl, fr, en, de).
    """

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="understanding_settings")
    trend_sensitivity = models.CharField(_("trend sensitivity"), max_length=8,
                                         choices=Sensitivity.choices, default=Sensitivity.NORMAL)
    languages = models.JSONField(_("languages to recognise"), default=list, blank=True)
    email_alerts = models.BooleanField(
        _("e-mail trend alerts"), default=False,
        help_text=_("Send each new trend alert to the comms leads and managers by e-mail."))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("understanding settings")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.trend_sensitivity}"


class Colour(models.TextChoices):
    BLUE = "blue", _("Blue")
    GREEN = "green", _("Green")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")
    PURPLE = "purple", _("Purple")
    GREY = "grey", _("Grey")


class ListeningRule(models.Model):
    """A search the organisation keeps running over every incoming post.

    ``query`` is written in the rule language (docs/listening.md); it is checked when saved
    (``actions.check_rule_query``), so a stored rule always parsed at the time. The compiled
    form is cached per process (``selectors.compiled_rules``) and rebuilt when any rule
    changes. ``to_inbox`` lets the inbox turn matching posts into conversations.
    """

    name = models.CharField(_("name"), max_length=120)
    query = models.TextField(_("rule"))
    description = models.TextField(_("description"), blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    to_inbox = models.BooleanField(
        _("send matches to the inbox"), default=False,
        help_text=_("Matching posts become conversations for the team."))
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=0, help_text=_("Higher comes first in lists and in the inbox."))
    colour = models.CharField(_("colour"), max_length=10, choices=Colour.choices,
                              default=Colour.BLUE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("listening rule")
        ordering = ["-priority", "name"]
        # Every batch asks for the last change of any rule (selectors._rules_version): with
        # this index that is one look-up instead of reading every rule.
        indexes = [models.Index(fields=["updated_at"], name="listeningrule_updated_at")]

    def __str__(self) -> str:
        return self.name


class RowIdField(models.BigAutoField):
    """An auto-incrementing id that SQLite takes from its row id without ``AUTOINCREMENT``.

    ``AUTOINCREMENT`` only promises that an id is never used twice, even after the newest
    rows are deleted; it costs a write to ``sqlite_sequence`` for every row. Nothing refers to
    a match by its id, so matches do without it (ADR 0150). Other databases are unchanged.
    """

    def db_type_suffix(self, connection: Any) -> str | None:
        if connection.vendor == "sqlite":
            return None
        return super().db_type_suffix(connection)


class RuleMatch(models.Model):
    """Post ``post`` matched rule ``rule``. Written once per pair (re-running is harmless)."""

    id = RowIdField(primary_key=True, serialize=False, verbose_name="ID")
    # No index of their own: the unique constraint starts with post and the index below with
    # the day, so each serves lookups (and cascades) by its first column. Every index is one
    # more B-tree written for each of the ~5 matches of every post (ADR 0144).
    # No foreign-key constraint in the database either: checking both parents cost a quarter
    # of storing a match. Deleting a post still deletes its matches (Django's cascade, which
    # finds them by the unique constraint); ``actions.do_delete_rule`` deletes a rule's
    # matches itself, through the index, where Django's cascade would read the whole table.
    # Readers reach matches through their rule or post (ADR 0150).
    post = models.ForeignKey("sources.Post", on_delete=models.CASCADE, related_name="+",
                             db_index=False, db_constraint=False)
    rule = models.ForeignKey(ListeningRule, on_delete=models.DO_NOTHING, related_name="matches",
                             db_index=False, db_constraint=False)
    matched_at = models.DateTimeField(default=timezone.now)
    # The UTC date and hour of ``matched_at``. The index leads with them so that a batch
    # writes into the current hour's part only: led by the rule, each batch wrote into
    # thousands of places of an index as large as every match ever made (ADR 0147); led by
    # the day alone, into thousands of places of the day's part on a busy day (ADR 0149).
    day = models.DateField()
    hour = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "rule"], name="one_match_per_post_and_rule")
        ]
        # the unique constraint serves "rules of a post"; this one the counts per period and,
        # one hour at a time, "posts of a rule" (selectors.posts_of_rule)
        indexes = [models.Index(fields=["day", "hour", "rule", "matched_at"],
                                name="rulematch_day_hour_rule")]

    def __str__(self) -> str:
        return f"{self.rule_id} ← {self.post_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # always its own: a moved match moves day and hour too
        self.day, self.hour = match_slot(self.matched_at)
        super().save(*args, **kwargs)


def match_slot(when: datetime) -> tuple[date, int]:
    """The day and hour a match made at ``when`` is filed under: its UTC date and hour (a
    naive time is read in Samen's time zone, as Django reads it)."""
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    utc = when.astimezone(UTC)
    return utc.date(), utc.hour


def match_day(when: datetime) -> date:
    """The day a match made at ``when`` is filed under (see ``match_slot``)."""
    return match_slot(when)[0]


class AlertKind(models.TextChoices):
    HASHTAG = "hashtag", _("Hashtag")
    TERM = "term", _("Word")
    RULE_VOLUME = "rule_volume", _("Rule volume")


class TrendAlert(models.Model):
    """Something rose clearly above what this hour of the week usually brings.

    ``observed`` posts in the last hour against ``expected``; ``score`` is how surprising that
    is (-log10 of the chance). ``example_post_ids`` are the posts a reader should look at.
    """

    kind = models.CharField(_("kind"), max_length=12, choices=AlertKind.choices)
    term = models.CharField(_("term"), max_length=200, blank=True)
    rule = models.ForeignKey(ListeningRule, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="alerts")
    fired_at = models.DateTimeField(_("fired at"), default=timezone.now, db_index=True)
    since = models.DateTimeField(_("rising since"))
    observed = models.PositiveIntegerField(_("observed"))
    expected = models.FloatField(_("expected"))
    score = models.FloatField(_("score"))
    example_post_ids = models.JSONField(default=list, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("trend alert")
        ordering = ["-fired_at", "-id"]
        indexes = [models.Index(fields=["acknowledged_at", "fired_at"],
                                name="trendalert_open")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.rule.name if self.rule_id and self.rule else self.term

    @property
    def ratio(self) -> float:
        return self.observed / self.expected if self.expected else float(self.observed)


class StateEncoder(json.JSONEncoder):
    """Writes JSON with orjson: the detector's state is megabytes of numbers and words on a
    busy stream (5 MB at 10,000 posts an hour), and the standard encoder took ~100-200 ms of
    every save against ~25 ms. The same JSON for what the state holds (strings as keys, finite
    numbers; orjson would write a NaN as null)."""

    def encode(self, o: Any) -> str:
        return orjson.dumps(o).decode()


class StateDecoder(json.JSONDecoder):
    """Reads JSON with orjson (see :class:`StateEncoder`); a worker reads the state after a
    restart, and whenever another worker saved it since."""

    def decode(self, s: str, *args: Any, **kwargs: Any) -> Any:
        return orjson.loads(s)


class TrendState(models.Model):
    """The trend detector's memory, so a restart resumes with its baseline (one row).

    ``last_post_id`` makes feeding idempotent: a post already counted is never counted again.
    """

    key = models.CharField(max_length=40, unique=True, default="main")
    data = models.JSONField(default=dict, blank=True, encoder=StateEncoder, decoder=StateDecoder)
    last_post_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key
