"""Sent after understanding has stored its results for new posts (rule matches, alerts).

The inbox listens to this one, not to ``sources.signals.posts_stored``, so it can rely on rule
matches being there.
"""

from django.dispatch import Signal

# kwargs: post_ids: list[int]; stored_rows (optional): what ``sources.signals.posts_stored``
# gave, less the rows understanding changed since (for ``sources.ingest.read_back``).
posts_understood = Signal()
