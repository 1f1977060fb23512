"""The inbox's day summary of its conversations, read by ``inbox.metrics`` (ADR 0247).

Only ``inbox.actions.do_refresh_conversation_days`` and ``do_rebuild_conversation_days``
write ``ConversationDay``, ``ConversationSpan`` and ``DaySummaryState``; database triggers on
``inbox_conversation`` (migration 0007) write ``DirtyConversationDay``, so that every change
to a conversation, whichever way it was made, marks its day for a recount.
"""

from __future__ import annotations

from django.db import models


class ConversationDay(models.Model):
    """Conversations that started on one local day (``settings.TIME_ZONE``) per channel,
    language and team: how many, and every duration that their medians need, in whole
    microseconds (so the medians are exactly those of the conversations themselves), as
    ``[[microseconds, how many], ...]`` sorted by duration."""

    day = models.DateField()
    channel = models.CharField(max_length=20)
    language = models.CharField(max_length=8, blank=True)
    team = models.BigIntegerField(null=True)  # the team's id (not a key: a summary, not a link)
    opened = models.PositiveIntegerField(default=0)
    first_response = models.JSONField(default=list)  # first_responded_at - created_at
    first_response_target = models.JSONField(default=list)  # first_response_due - created_at
    resolution = models.JSONField(default=list)  # resolved_at - created_at
    resolution_target = models.JSONField(default=list)  # resolution_due - created_at

    class Meta:
        db_table = "inbox_conversationday"
        indexes = [models.Index(fields=["day"], name="inbox_convday_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} {self.language} {self.team}: {self.opened}"


class SpanMeasure:
    """What a ``ConversationSpan`` counts (internal values, never shown)."""

    OPEN = "open"  # from the start until resolved
    FIRST_LATE = "first_late"  # first response overdue
    RESOLUTION_LATE = "resolution_late"  # resolution overdue


class ConversationSpan(models.Model):
    """How many conversations that started on ``day`` (with this channel, language and
    team) were open, or past a target, from local day ``begins`` until local day ``ends``
    (``None``: not ended yet). ``open_breached`` sums the rows that overlap a period."""

    day = models.DateField()
    channel = models.CharField(max_length=20)
    language = models.CharField(max_length=8, blank=True)
    team = models.BigIntegerField(null=True)
    measure = models.CharField(max_length=16)  # a ``SpanMeasure``
    begins = models.DateField()
    ends = models.DateField(null=True)
    n = models.PositiveIntegerField()

    class Meta:
        db_table = "inbox_conversationspan"
        indexes = [models.Index(fields=["day"], name="inbox_convspan_day"),
                   models.Index(fields=["begins", "ends"], name="inbox_convspan_begins")]

    def __str__(self) -> str:
        return f"{self.day} {self.measure} {self.begins}–{self.ends}: {self.n}"


class DirtyConversationDay(models.Model):
    """The ``created_at`` of a conversation that was inserted, changed or deleted since the
    last refresh (written by triggers only; emptied by the refresh)."""

    created_at = models.DateTimeField()

    class Meta:
        db_table = "inbox_dirtyconversationday"

    def __str__(self) -> str:
        return str(self.created_at)


class DaySummaryState(models.Model):
    """One row: the time zone and the layout version the summary was built in (empty: never
    built); either differing from today's means a rebuild. A refresh locks the row, so two
    processes never recount at the same time."""

    time_zone = models.CharField(max_length=64, blank=True)
    version = models.PositiveSmallIntegerField(default=0)  # of the rows' layout
    built_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "inbox_daysummarystate"

    def __str__(self) -> str:
        return self.time_zone or "(not built)"
