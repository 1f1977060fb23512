"""Signal receivers: hand stored posts to the understanding step (no domain logic here)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.dispatch import receiver

from samen.sources.signals import posts_stored
from samen.understanding import actions


@receiver(posts_stored, dispatch_uid="understanding.understand_stored_posts")
def understand_stored_posts(sender: Any, post_ids: list[int],
                            stored_rows: Mapping[int, Sequence[Any]] | None = None,
                            **kwargs: Any) -> None:
    actions.do_understand_posts(post_ids=post_ids, stored=stored_rows)
