"""Accounts Samen listens through, the streams it follows, the normalized posts, mandates.

Only ``samen.sources`` writes these tables (through ``actions`` and ``ingest``); other apps
read them through ``samen.sources.selectors``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    FEED = "feed", _("RSS/Atom feed")
    IMPORT = "import", _("Archive import")


class AccountState(models.TextChoices):
    ACTIVE = "active", _("Active")
    NEEDS_ATTENTION = "needs_attention", _("Needs attention")
    PAUSED = "paused", _("Paused")


class Account(models.Model):
    """An organisation's presence on a network (or a feed or an import) that Samen listens
    through and, where the network allows, speaks from."""

    provider = models.CharField(_("network"), max_length=20, choices=Provider.choices)
    name = models.CharField(_("name"), max_length=200)
    handle = models.CharField(_("handle"), max_length=300, blank=True)
    base_url = models.URLField(_("server or feed address"), max_length=500, blank=True)
    credentials = models.JSONField(default=dict, blank=True)  # tokens; never shown in the UI
    state = models.CharField(max_length=20, choices=AccountState.choices,
                             default=AccountState.ACTIVE)
    state_reason = models.TextField(blank=True)
    last_item_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("account")
        ordering = ["provider", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_provider_display()})"


class Stream(models.Model):
    """One thing Samen follows through an account (mentions, direct messages, a hashtag, a
    feed, the firehose), with its cursor so a listener resumes exactly where it stopped.

    ``lease_owner``/``lease_until`` let several listener processes share streams on
    PostgreSQL without reading one stream twice.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="streams")
    kind = models.CharField(max_length=20)  # mentions, direct, hashtag, keyword, firehose, feed
    query = models.CharField(max_length=300, blank=True)
    cursor = models.TextField(blank=True)  # the connector's own cursor (ids, seq, JSON)
    cursor_data = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=True)
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_item_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)  # backoff after errors
    error_count = models.PositiveIntegerField(default=0)  # consecutive failures

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "kind", "query"], name="unique_stream")
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.kind} {self.query}".strip()


class Direction(models.TextChoices):
    INBOUND = "in", _("Received")
    OUTBOUND = "out", _("Sent")


class Post(models.Model):
    """One post from any source, normalized (see ``samen.sources.types.NormalizedPost``),
    with what understanding learned about it. Stored once per (source, external_id).

    ``text`` is plain text and is always escaped when shown: markup in a post is data.
    ``raw`` keeps the network's payload for the records archive.
    """

    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="posts")
    source = models.CharField(max_length=20, choices=Provider.choices)
    external_id = models.CharField(max_length=300)
    url = models.URLField(max_length=1000, blank=True)
    direction = models.CharField(max_length=3, choices=Direction.choices,
                                 default=Direction.INBOUND)
    author_handle = models.CharField(max_length=300, db_index=True)
    author_name = models.CharField(max_length=300, blank=True)
    author_url = models.URLField(max_length=1000, blank=True)
    author_external_id = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    source_language = models.CharField(max_length=16, blank=True)  # as the network gave it
    created_at = models.DateTimeField(db_index=True)
    ingested_at = models.DateTimeField(default=timezone.now)
    reply_to_external_id = models.CharField(max_length=300, blank=True)
    thread_root_external_id = models.CharField(max_length=300, blank=True)
    mentions = models.JSONField(default=list, blank=True)
    hashtags = models.JSONField(default=list, blank=True)
    links = models.JSONField(default=list, blank=True)
    media = models.JSONField(default=list, blank=True)  # [{"url", "alt_text", "kind"}]
    visibility = models.CharField(max_length=12, default="public")
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Understanding, filled in at ingest by samen.understanding's pure cores.
    language = models.CharField(max_length=8, blank=True, db_index=True)
    sentiment = models.CharField(max_length=10, blank=True)
    sentiment_confidence = models.FloatField(null=True, blank=True)
    intent = models.CharField(max_length=12, blank=True)
    urgent = models.BooleanField(default=False)
    urgency_reasons = models.JSONField(default=list, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"],
                                    name="post_unique_per_source")
        ]
        indexes = [models.Index(fields=["account", "created_at"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.author_handle}: {self.text[:60]}"


class AuthorIdentity(models.Model):
    """A network id's handle and display name as last resolved (Bluesky: DID -> handle).

    Posts heard on the firehose name their author only by DID; this table remembers what the
    PDS said so that a restart does not ask again for everyone, and when to try again for a DID
    whose PDS could not answer (``next_attempt_at``). Written by ``bluesky.names`` only.
    """

    source = models.CharField(max_length=20, choices=Provider.choices)
    external_id = models.CharField(max_length=300)  # the DID
    handle = models.CharField(max_length=300, blank=True)  # '' while unknown or unverified
    display_name = models.CharField(max_length=300, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)  # consecutive
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"],
                                    name="author_identity_unique_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.external_id} = {self.handle or '?'}"


class Mandate(models.Model):
    """The right of one person to speak on behalf of the organisation from one account.

    Without it a team member may draft but not send. Grants and revocations are in the audit
    log.
    """

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="mandates")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mandates")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "account"], name="one_mandate_per_account")
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.account}"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """A post or reply Samen sends out through one account, and where it stands.

    ``idempotency_key`` travels with the request where the network supports it (Mastodon),
    so a retry after a crash does not post twice. The sent post is stored as an outbound
    ``Post`` once the network accepted it.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="deliveries")
    text = models.TextField()
    reply_to_external_id = models.CharField(max_length=300, blank=True)
    visibility = models.CharField(max_length=12, default="public")
    content_warning = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=16, blank=True)
    state = models.CharField(max_length=10, choices=DeliveryState.choices,
                             default=DeliveryState.QUEUED, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="deliveries")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.account} · {self.get_state_display()}: {self.text[:40]}"
