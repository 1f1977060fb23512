"""Replies: drafted, maybe approved by management, then delivered exactly once."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class ReplyState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending", _("Waiting for approval")
    REJECTED = "rejected", _("Rejected")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    # Context: sources has its own "Retrying" (a delivery), translated differently.
    RETRYING = "retrying", pgettext_lazy("reply state", "Retrying")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Reply(models.Model):
    """A reply to a conversation, from the conversation's account.

    ``idempotency_key`` is made once and travels to the network where it supports one; the
    state moves queued → sending under a row lock before the network is called, so two
    workers (or a retry racing a slow send) never send the same reply twice.
    """

    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE,
                                     related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+")
    text = models.TextField(_("reply"))
    language = models.CharField(max_length=8, blank=True)
    in_reply_to_external_id = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=ReplyState.choices,
                             default=ReplyState.DRAFT, db_index=True)
    idempotency_key = models.CharField(max_length=64, unique=True,
                                       default=new_idempotency_key)
    escalation_reasons = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    external_id = models.CharField(max_length=300, blank=True, db_index=True)
    url = models.URLField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    # When a worker claimed it for sending; a reply "sending" for long had its worker die.
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a "retrying" reply (the network said "later") is due to be sent again.
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        # the manager's decisions of a period, for the dashboard's escalations
        indexes = [models.Index(fields=["decided_at"], name="inbox_reply_decided")]

    def __str__(self) -> str:
        return f"{self.get_state_display()}: {self.text[:40]}"
