"""Start-up checks: refuse to run in production without what production needs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


def secret_key_problem() -> str | None:
    """A clear sentence when the secret key is missing or weak, else None."""
    if not settings.SECRET_KEY:
        return (
            "SAMEN_SECRET_KEY is not set. Samen refuses to start in production without a "
            "secret key. Generate one with `python -c \"import secrets; "
            "print(secrets.token_urlsafe(50))\"` and set SAMEN_SECRET_KEY; for a try-out use "
            "`samen demo`."
        )
    if len(settings.SECRET_KEY) < 32:
        return "SAMEN_SECRET_KEY is shorter than 32 characters; use a long random value."
    return None


@register(Tags.security, deploy=False)
def require_secret_key(app_configs: Any, **kwargs: Any) -> list[Error]:
    problem = secret_key_problem()
    return [Error(problem, id="samen.E001")] if problem else []
