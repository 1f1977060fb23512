"""A small base for history tables that are only ever appended to."""

from __future__ import annotations

from typing import Any

from django.db import models


class AppendOnlyQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def update(self, **kwargs: Any) -> int:
        raise RuntimeError("This history is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise RuntimeError("This history is append-only.")


class AppendOnlyModel(models.Model):
    """Rows are inserted once and never changed: the history is the audit trail."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise RuntimeError("This history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("This history is append-only.")
