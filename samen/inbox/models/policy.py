"""Organisation policy kept as data: routing rules, SLA targets, saved replies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RoutingRule(models.Model):
    """When a new conversation matches ``conditions``, hand it to a team or a person.

    ``conditions`` is a dict of fact → allowed values, e.g. ``{"language": ["fr"],
    "channel": ["mastodon"], "intent": ["complaint"], "urgent": [true]}``; evaluated by the
    pure ``samen.inbox.routing`` module. Rules are tried in ``position`` order; first match wins.
    """

    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("order"), default=100)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    team = models.ForeignKey("inbox.Team", null=True, blank=True, on_delete=models.CASCADE,
                             verbose_name=_("team"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("person"))
    priority = models.CharField(_("priority"), max_length=10, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """First-response and resolution targets for a channel (blank: any) and a priority."""

    channel = models.CharField(_("channel"), max_length=20, blank=True)
    priority = models.CharField(_("priority"), max_length=10)
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"))

    class Meta:
        ordering = ["channel", "priority"]
        constraints = [models.UniqueConstraint(fields=["channel", "priority"],
                                               name="inbox_sla_once")]

    def __str__(self) -> str:
        return f"{self.channel or '*'}/{self.priority}"


class SavedReply(models.Model):
    """A reply text the team reuses, with placeholders {contact_name} and {agent_first_name}."""

    title = models.CharField(_("title"), max_length=120)
    language = models.CharField(_("language"), max_length=8)
    intent = models.CharField(_("intent"), max_length=12, blank=True)
    body = models.TextField(_("text"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["language", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"
