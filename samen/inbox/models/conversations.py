"""Conversations, the posts threaded into them, and their append-only history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samen.inbox.models._append_only import AppendOnlyModel
from samen.inbox.workflow import State


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


STATE_LABELS = {
    State.NEW: _("New"),
    State.OPEN: _("Open"),
    State.WAITING_CUSTOMER: _("Waiting for customer"),
    State.WAITING_COLLEAGUE: _("Waiting for colleague"),
    State.RESOLVED: _("Resolved"),
    State.CLOSED: _("Closed"),
}
STATE_CHOICES = [(s.value, label) for s, label in STATE_LABELS.items()]


class Conversation(models.Model):
    """A thread with one contact on one channel. ``state`` changes only through
    ``actions.do_transition`` (checked against ``workflow.ALLOWED_TRANSITIONS``)."""

    contact = models.ForeignKey("inbox.Contact", on_delete=models.PROTECT,
                                related_name="conversations")
    account = models.ForeignKey("sources.Account", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("channel"), max_length=20)
    handle = models.CharField(max_length=300, blank=True)  # the author's handle on the channel
    root_external_id = models.CharField(max_length=300)
    subject = models.CharField(max_length=200, blank=True)  # first words, for the list
    language = models.CharField(_("language"), max_length=8, blank=True)
    intent = models.CharField(max_length=12, blank=True)
    sentiment = models.CharField(max_length=10, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=STATE_CHOICES,
                             default=State.NEW.value)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="inbox_conversations")
    team = models.ForeignKey("inbox.Team", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="conversations")
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices,
                                default=Priority.NORMAL)
    urgent = models.BooleanField(_("urgent"), default=False)
    rule_names = models.JSONField(default=list, blank=True)  # listening rules that brought it
    first_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    post_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("conversation")
        ordering = ["-last_activity_at", "-id"]
        indexes = [
            models.Index(fields=["-last_activity_at", "-id"], name="inbox_conv_recent"),
            models.Index(fields=["state", "-last_activity_at"], name="inbox_conv_state"),
            models.Index(fields=["assignee", "state", "-last_activity_at"],
                         name="inbox_conv_assignee"),
            models.Index(fields=["team", "state", "-last_activity_at"], name="inbox_conv_team"),
            models.Index(fields=["contact", "-last_activity_at"], name="inbox_conv_contact"),
            models.Index(fields=["channel", "root_external_id"], name="inbox_conv_root"),
            models.Index(fields=["urgent", "state", "-last_activity_at"],
                         name="inbox_conv_urgent"),
            models.Index(fields=["language", "state", "-last_activity_at"],
                         name="inbox_conv_language"),
            # "Past an SLA target now" (the dashboard's headline, the "breached" view) is
            # counted from this index alone, without reading the conversations, also when
            # narrowed to a channel, language or team.
            models.Index(fields=["state", "resolution_due", "first_response_due",
                                 "first_responded_at", "channel", "language", "team"],
                         name="inbox_conv_due"),
            # the day summary recounts the conversations that started on a day (ADR 0247)
            models.Index(fields=["created_at"], name="inbox_conv_created"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(State(self.state), self.state))


class ConversationPost(models.Model):
    """A post (from ``sources.Post``) that belongs to a conversation. One row per post, so
    receiving a post twice changes nothing."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="items")
    post = models.OneToOneField("sources.Post", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=20)
    external_id = models.CharField(max_length=300)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["source", "external_id"], name="inbox_item_ext"),
                   models.Index(fields=["conversation", "created_at"], name="inbox_item_conv")]

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.source}/{self.external_id}"



class EventKind(models.TextChoices):
    CREATED = "created", _("Conversation started")
    POST = "post", _("Customer wrote")
    STATE = "state", _("State changed")
    ASSIGNED = "assigned", _("Assigned")
    NOTE = "note", _("Internal note")
    DRAFT = "draft", _("Reply drafted")
    ESCALATED = "escalated", _("Escalated to management")
    APPROVED = "approved", _("Reply approved")
    REJECTED = "rejected", _("Reply rejected")
    QUEUED = "queued", _("Reply queued")
    SENT = "sent", _("Reply sent")
    FAILED = "failed", _("Delivery failed")
    PRIORITY = "priority", _("Priority changed")


class ConversationEvent(AppendOnlyModel):
    """One thing that happened to a conversation. Append-only: never edited or removed."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["conversation", "at"], name="inbox_event_conv"),
                   # escalations of a period, for the dashboard
                   models.Index(fields=["kind", "at"], name="inbox_event_kind")]

    def __str__(self) -> str:
        return f"{self.conversation_id} {self.kind}"
