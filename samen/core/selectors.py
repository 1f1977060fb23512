"""Reads for people, roles and the audit log."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from samen.core.models import AuditEvent, Organisation, Person, RoleGrant


def current_organisation() -> Organisation | None:
    return Organisation.objects.order_by("pk").first()


def people_with_roles() -> QuerySet[Person]:
    """Everyone with their role grants prefetched (two queries, whatever the count)."""
    return Person.objects.filter(is_active=True).prefetch_related(
        Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role"))
    )


def role_counts() -> dict[str, int]:
    """Active people per role, counted by the database in one query."""
    rows = (RoleGrant.objects.filter(person__is_active=True).order_by()
            .values_list("role").annotate(n=Count("id")))
    return dict(rows)


def people_with_role(role: str) -> QuerySet[Person]:
    return Person.objects.filter(is_active=True, role_grants__role=role).distinct()


def audit_events(*, action: str = "", actor_id: int | None = None) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("actor")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    return qs


def audit_action_codes() -> list[str]:
    return list(AuditEvent.objects.order_by().values_list("action", flat=True).distinct())
