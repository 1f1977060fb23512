"""The roles of the model (MODEL.md): who may do what in Samen.

Kept in one small module so views, actions and tests name roles the same way.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A person may hold several roles; every employee is at least an ambassador."""

    COMMS_LEAD = "comms_lead", _("Comms lead")
    TEAM = "team", _("Conversation team")
    MANAGER = "manager", _("Manager")
    AMBASSADOR = "ambassador", _("Ambassador")


# Where each role lands after logging in, in order of precedence when a person holds several.
HOME_ORDER: tuple[Role, ...] = (Role.COMMS_LEAD, Role.TEAM, Role.MANAGER, Role.AMBASSADOR)

ROLE_DESCRIPTIONS = {
    Role.COMMS_LEAD: _("Runs Samen: sources, rules, policy and people."),
    Role.TEAM: _("Works the inbox; may hold the mandate to reply on behalf of the organisation."),
    Role.MANAGER: _("Sees dashboards, decides escalations and approves sensitive replies."),
    Role.AMBASSADOR: _("Every employee: guidelines, content to share and peer learning."),
}
