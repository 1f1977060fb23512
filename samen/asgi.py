"""ASGI entry point (for servers that prefer it); same start-up checks as WSGI."""

import os

from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samen.settings")

application = get_asgi_application()

from samen.core.checks import secret_key_problem  # noqa: E402

_problem = secret_key_problem()
if _problem:
    raise ImproperlyConfigured(_problem)
