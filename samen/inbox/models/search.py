"""One searchable text per post in a conversation and per contact.

The full-text index over ``body`` lives beside this table and is made per database in the
migration: an FTS5 table kept in step by triggers on SQLite, a ``tsvector`` column with a
GIN index (Dutch, French or English stemming by ``language``) on PostgreSQL.
"""

from __future__ import annotations

from django.db import models


class SearchEntry(models.Model):
    conversation = models.ForeignKey("inbox.Conversation", null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("inbox.Contact", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    post_id = models.BigIntegerField(null=True, blank=True, unique=True)
    language = models.CharField(max_length=8, blank=True)
    body = models.TextField()

    def __str__(self) -> str:
        return f"search entry {self.pk}"
