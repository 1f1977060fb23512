"""Small display helpers for the inbox templates."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(minutes: int | None) -> str:
    """``135`` → "2 h 15 min"; negative values read as time overdue."""
    if minutes is None:
        return ""
    m = abs(int(minutes))
    days, rest = divmod(m, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        text = _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    elif hours:
        text = _("%(h)d h %(m)d min") % {"h": hours, "m": mins}
    else:
        text = _("%(m)d min") % {"m": mins}
    return _("%(time)s overdue") % {"time": text} if minutes < 0 else \
        _("%(time)s left") % {"time": text}
