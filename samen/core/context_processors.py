from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from samen.core.navigation import FLAT_LIMIT, groups_for, items_for


def samen(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    roles = user.roles if user is not None and user.is_authenticated else frozenset()
    current = getattr(request, "resolver_match", None)
    items = items_for(roles) if roles else []
    return {
        "nav_items": items,
        # Several roles make a long menu: then it comes in groups (see navigation.FLAT_LIMIT).
        "nav_groups": groups_for(roles) if len(items) > FLAT_LIMIT else [],
        "current_view": current.view_name if current else "",
        "samen_languages": settings.LANGUAGES,
        "samen_demo": settings.DEMO,
    }
