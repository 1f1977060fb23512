"""Background work of the inbox: thin shells around actions (STYLE.md)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_reply(*, reply_id: int) -> str:
    """Send one queued reply; safe to run twice (the action claims the reply first)."""
    from samen.inbox.actions import do_deliver_reply

    return do_deliver_reply(reply_id=reply_id).state
