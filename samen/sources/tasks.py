"""Background tasks of sources: thin shells around actions (STYLE.md)."""

from __future__ import annotations

from django_tasks import task

from samen.sources.models import Delivery


@task()
def deliver(*, delivery_id: int) -> str:
    """Send one queued reply or post; returns its state afterwards."""
    from samen.sources.actions import do_attempt_delivery

    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    return str(do_attempt_delivery(delivery=delivery).state)
