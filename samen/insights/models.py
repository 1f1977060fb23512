"""Insights' own tables: daily aggregates of posts, report subscriptions, and the maturity
scan's rounds with their anonymous answers.

Anonymity of the scan (docs/insights.md, ADR 0243) rests on the shape of these tables:
``ScanAnswerCount`` holds only *counts per question and score* for a round (no person, no
time, no IP, no row per respondent), and ``ScanParticipation`` holds only a keyed hash that
says "someone answered this round" so nobody answers twice; nothing links the two.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DailyPostCount(models.Model):
    """How many posts there were on one day (installation time zone) per channel, direction,
    language and sentiment. Rebuilt per day from ``sources.Post`` by
    ``actions.do_refresh_post_rollups``, so the dashboard sums a few thousand rows instead of
    scanning millions of posts."""

    day = models.DateField()
    source = models.CharField(max_length=20)
    direction = models.CharField(max_length=3)
    language = models.CharField(max_length=8, blank=True)
    sentiment = models.CharField(max_length=10, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "source", "direction", "language", "sentiment"],
                                    name="insights_daily_post_count_unique")
        ]
        # Covering index: the dashboard's sums read only the index, never the table.
        indexes = [models.Index(fields=["direction", "day", "source", "language", "sentiment",
                                        "count"], name="insights_dpc_covering")]

    def __str__(self) -> str:
        return f"{self.day} {self.source} {self.direction}: {self.count}"


class DailyHashtagCount(models.Model):
    """How often a hashtag (folded to lower case) was used on one day, per channel and
    language, in received posts."""

    day = models.DateField()
    source = models.CharField(max_length=20)
    language = models.CharField(max_length=8, blank=True)
    tag = models.CharField(max_length=100)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "source", "language", "tag"],
                                    name="insights_daily_hashtag_unique")
        ]
        indexes = [models.Index(fields=["day", "tag", "source", "language", "count"],
                                name="insights_dhc_covering")]

    def __str__(self) -> str:
        return f"{self.day} #{self.tag}: {self.count}"


class HashtagBlockCount(models.Model):
    """Hashtag counts summed over a block of ``span`` days (7 or 28) starting on
    ``first_day``, per channel and language: a year on the dashboard then sums about 30 blocks
    instead of 365 days of rows (ADR 0244).

    Blocks are aligned on Mondays (``first_day``'s ordinal - 1 is a multiple of ``span``), so a
    period splits into days, weeks and 28-day blocks in exactly one way. A week is the sum of
    its ``DailyHashtagCount`` rows and a 28-day block the sum of its four weeks; both are
    recomputed whenever one of their days is, so they always equal the daily numbers."""

    first_day = models.DateField()
    span = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=20)
    language = models.CharField(max_length=8, blank=True)
    tag = models.CharField(max_length=100)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["span", "first_day", "source", "language", "tag"],
                                    name="insights_hashtag_block_unique")
        ]
        indexes = [models.Index(fields=["span", "first_day", "tag", "source", "language",
                                        "count"], name="insights_hbc_covering")]

    def __str__(self) -> str:
        return f"{self.first_day}+{self.span} #{self.tag}: {self.count}"


class WeeklyReportRun(models.Model):
    """The worker's scheduler queued the weekly report of ``week_start``. Unique per week, so
    of two workers (or one restarted) only the first queues it; ``finished_at`` stays empty
    until the task has run, so a task lost with a crashed worker is queued again later."""

    week_start = models.DateField(unique=True)
    queued_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    sent = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.week_start}: {self.sent}"


class ReportSubscription(models.Model):
    """A manager or comms lead who gets the weekly report by e-mail, in their language."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="report_subscription")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report subscription")

    def __str__(self) -> str:
        return str(self.person)


class ReportDelivery(models.Model):
    """The weekly report of ``week_start`` went to ``person``: sending twice is a no-op."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    week_start = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "week_start"],
                                    name="insights_one_report_per_week")
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.week_start}"


class ScanRound(models.Model):
    """One round of the maturity scan, opened and closed by the comms lead.

    Times are kept only for the round as a whole; answers carry none of their own.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=120)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    min_respondents = models.PositiveSmallIntegerField(
        _("minimum number of respondents"), default=5,
        help_text=_("Results stay hidden until at least this many people answered."))

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("scan round")
        constraints = [
            models.UniqueConstraint(fields=["state"], condition=models.Q(state="open"),
                                    name="insights_one_open_scan_round")
        ]

    def __str__(self) -> str:
        return self.name


class ScanAnswerCount(models.Model):
    """How many respondents of a round gave ``score`` (1–5) to statement ``question``.

    Deliberately no person, no time, no IP and no row per respondent: an answer only ever
    adds one to a counter, so it cannot be traced back, not even by its position in the table.
    """

    round = models.ForeignKey(ScanRound, on_delete=models.CASCADE, related_name="answer_counts")
    question = models.CharField(max_length=40)
    score = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "question", "score"],
                                    name="insights_scan_count_unique"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5),
                                   name="insights_scan_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.question}={self.score}: {self.count}"


class ScanParticipation(models.Model):
    """"Someone answered this round": a keyed hash of (round, person) made with a key only
    the server holds, so a person cannot answer twice; no person, no time, and no link to
    the answer counts."""

    round = models.ForeignKey(ScanRound, on_delete=models.CASCADE, related_name="participations")
    token = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "token"], name="insights_scan_once")
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.token[:8]}…"
