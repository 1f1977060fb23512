from collections.abc import Mapping, Sequence
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _on_posts_understood(sender: Any, post_ids: list[int] | None = None,
                         stored_rows: Mapping[int, Sequence[Any]] | None = None,
                         **kwargs: Any) -> None:
    """Hand new posts to the inbox's intake; all logic is in ``actions.do_receive_posts``."""
    from samen.inbox.actions import do_receive_posts

    do_receive_posts(post_ids=post_ids or [], stored=stored_rows)


def _requeue_stuck_replies() -> None:
    """Every minute, in every worker: replies whose sending was cut off, and retrying replies
    whose next attempt is due, go out again."""
    from samen.inbox.actions import do_requeue_stuck_replies

    do_requeue_stuck_replies()


def _refresh_day_summary() -> None:
    """Every minute, in every worker: recount the days whose conversations changed, so the
    dashboard's first read after a busy minute finds little to do (ADR 0247)."""
    from samen.inbox.actions import do_refresh_conversation_days

    do_refresh_conversation_days()


class InboxConfig(AppConfig):
    name = "samen.inbox"
    label = "inbox"
    verbose_name = _("Inbox")

    def ready(self) -> None:
        from samen.core.worker import every_minute
        from samen.understanding.signals import posts_understood

        posts_understood.connect(_on_posts_understood, dispatch_uid="inbox.receive_posts")
        every_minute(_requeue_stuck_replies)
        every_minute(_refresh_day_summary)
