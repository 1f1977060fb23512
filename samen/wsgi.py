"""WSGI entry point for gunicorn and other servers; refuses to start without a secret key."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samen.settings")

application = get_wsgi_application()

from samen.core.checks import secret_key_problem  # noqa: E402

_problem = secret_key_problem()
if _problem:
    raise ImproperlyConfigured(_problem)
