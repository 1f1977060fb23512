"""Signals that let other apps react to new posts without sources knowing them (STYLE.md 8).

Sent only after the transaction that stored the posts has committed.
"""

from django.dispatch import Signal

# kwargs: post_ids: list[int] — posts newly stored (or changed: edited, deleted) by ingest;
# new_post_ids: list[int] — the part of post_ids this batch inserted itself (not edits,
# deletions, nor posts another process inserted at the same moment). Optional: receivers
# take it with **kwargs, and a sender that does not know it leaves it out.
# stored_rows: dict[int, tuple] — optional too: for the posts of new_post_ids, the INSERT
# parameters by id, so a receiver can skip reading them back (``sources.ingest.read_back``).
posts_stored = Signal()
