"""Sent after understanding has stored its results for new posts (rule matches, alerts).

The inbox listens to this one, not to ``sources.signals.posts_stored``, so it can rely on rule
matches being there.
"""

from django.dispatch import Signal

# kwargs: post_ids: list[int]
posts_understood = Signal()
