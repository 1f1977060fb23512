"""Top-level URLs: each app mounts its own ``urls.py`` under its prefix."""

from importlib.util import find_spec

from django.urls import include, path

handler403 = "samen.core.views.permission_denied"
handler404 = "samen.core.views.page_not_found"

urlpatterns = [path("", include("samen.core.urls"))]

# Apps that have pages mount them here; an app without urls.py only reserves its place.
for _app, _prefix in [
    ("sources", "sources/"), ("understanding", "listening/"), ("inbox", "inbox/"),
    ("ambassadors", "ambassadors/"), ("learning", "learning/"), ("insights", "insights/"),
    ("archive", "archive/"), ("api", "api/"),
]:
    if find_spec(f"samen.{_app}.urls") is not None:
        urlpatterns.append(path(_prefix, include(f"samen.{_app}.urls")))
