"""Writing to the audit log. Only actions call this, so every write users see is recorded."""

from __future__ import annotations

from typing import Any

from django.db import models

from samen.core.models import AuditEvent, Person


def record(
    *,
    actor: Person | None,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. ``action`` is a stable dotted code such as ``core.role.granted``."""
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=str(actor) if actor else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:300] if target is not None else "",
        data=data or {},
    )
