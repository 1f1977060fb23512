"""Teams, away state, presence (collision warnings), saved filters and notices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    """A group of the conversation team that routing can hand conversations to.

    ``next_index`` is the round-robin pointer over the members ordered by id.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="inbox_teams",
                                     blank=True)
    next_index = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Availability(models.Model):
    """Whether a person is away (holiday, ill, off shift): routing skips them."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="inbox_availability")
    away = models.BooleanField(_("away"), default=False)
    away_until = models.DateTimeField(_("away until"), null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.person} away={self.away}"


class Presence(models.Model):
    """Someone has a conversation open (or is typing a reply) right now; rows older than a
    few seconds are stale and ignored, so no clean-up is needed for correctness."""

    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE,
                                     related_name="presences")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    typing = models.BooleanField(default=False)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "person"],
                                               name="inbox_presence_once")]

    def __str__(self) -> str:
        return f"{self.person_id} on {self.conversation_id}"



class SavedFilter(models.Model):
    """A person's own named inbox view (the query string of the list page)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="inbox_filters")
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["person", "name"],
                                               name="inbox_filter_name_per_person")]

    def __str__(self) -> str:
        return self.name


class Notice(models.Model):
    """Something a person should know: a mention in a note, an approval decided, an
    escalation waiting. Shown in Samen (no e-mail needed)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="inbox_notices")
    conversation = models.ForeignKey("inbox.Conversation", null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)  # mentioned, approved, rejected, escalated
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "read_at"])]

    def __str__(self) -> str:
        return f"{self.person}: {self.kind}"
