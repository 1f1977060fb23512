from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from samen.core.navigation import items_for


def samen(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    roles = user.roles if user is not None and user.is_authenticated else frozenset()
    current = getattr(request, "resolver_match", None)
    return {
        "nav_items": items_for(roles) if roles else [],
        "current_view": current.view_name if current else "",
        "samen_languages": settings.LANGUAGES,
        "samen_demo": settings.DEMO,
    }
