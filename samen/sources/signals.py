"""Signals that let other apps react to new posts without sources knowing them (STYLE.md 8).

Sent only after the transaction that stored the posts has committed.
"""

from django.dispatch import Signal

# kwargs: post_ids: list[int] — posts newly stored (or changed: edited, deleted) by ingest.
posts_stored = Signal()
