"""Background work of peer learning. Tasks are thin shells that call actions."""

from __future__ import annotations

from django_tasks import task


@task()
def send_session_reminder(*, rsvp_id: int, starts_at: str) -> bool:
    """The day-before reminder of one RSVP (see ``actions.do_send_reminder``)."""
    from samen.learning.actions import do_send_reminder

    return do_send_reminder(rsvp_id=rsvp_id, starts_at=starts_at)
