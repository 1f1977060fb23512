"""People, roles, the organisation's policy and the append-only audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samen.core.roles import Role


class Organisation(models.Model):
    """The one organisation this installation serves (ADR 0003: one installation, one org).

    Holds policy that the comms lead edits in the UI; server configuration stays in the
    environment.
    """

    name = models.CharField(_("name"), max_length=200)
    languages = models.JSONField(
        _("languages"), default=list, help_text=_("Languages the organisation works in.")
    )
    default_language = models.CharField(_("default language"), max_length=8, default="nl")
    crisis_mode = models.BooleanField(_("crisis mode"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("organisation")

    def __str__(self) -> str:
        return self.name


class Person(AbstractUser):
    """Someone who works with Samen. Roles are granted through :class:`RoleGrant`."""

    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language Samen speaks to this person; empty follows the browser."),
    )
    department = models.CharField(_("department"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def roles(self) -> frozenset[str]:
        """The person's roles, cached on the instance for the request."""
        cached: frozenset[str] | None = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = frozenset(self.role_grants.values_list("role", flat=True))
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class RoleGrant(models.Model):
    """One role held by one person; written only by ``core.actions``."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "role"], name="unique_role_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()}"


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit log is append-only.")


class AuditEvent(models.Model):
    """Who did what, when. Append-only: rows are only ever inserted (also enforced by
    database triggers, see migration 0002), because this is the organisation's account of
    its own actions.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)  # kept if the person is removed
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=80, blank=True)
    target_repr = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit log is append-only.")


class WorkerHeartbeat(models.Model):
    """Last sign of life of each background worker, for /healthz."""

    worker_id = models.CharField(max_length=100, unique=True)
    backend = models.CharField(max_length=100)
    seen_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.worker_id
