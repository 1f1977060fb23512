"""Background tasks of the core. Tasks are thin shells that call actions (STYLE.md)."""

from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(*, subject: str, body: str, to: list[str]) -> int:
    """Send one e-mail outside the request, so a slow mail server never slows a page."""
    return send_mail(subject, body, None, to, fail_silently=False)


@task()
def ping(*, value: str) -> str:
    """A no-op round trip, used by health checks and tests of the worker set-up."""
    return value
