"""The inbox's own errors, with messages meant for the person who clicked."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError


class MandateRequired(PermissionDenied):
    """Only a holder of the mandate for the account may send; others keep a draft."""


class NotAllowed(PermissionDenied):
    """The person's role does not allow this move (e.g. deciding an escalation)."""


class ReplyStateError(ValidationError):
    """The reply is not in a state where this move makes sense (e.g. sending it twice)."""
