"""Pages of the core: log-in, role homes, people, organisation policy, audit log, health.

Views parse the request and delegate to actions and selectors; they never save models.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from samen.core import actions, selectors
from samen.core.forms import OrganisationForm, PersonForm, PreferencesForm, RolesForm
from samen.core.models import Person, WorkerHeartbeat
from samen.core.permissions import role_required
from samen.core.roles import HOME_ORDER, ROLE_DESCRIPTIONS, Role

HOME_URLS = {
    Role.COMMS_LEAD: "core:lead_home",
    Role.TEAM: "inbox:list",  # the team lives in the inbox
    Role.MANAGER: "core:manager_home",
    Role.AMBASSADOR: "core:ambassador_home",
}


def home_url_for(person: Person) -> str:
    for role in HOME_ORDER:
        if person.has_role(role):
            return reverse(HOME_URLS[role])
    return reverse("core:ambassador_home")


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors log in (in their browser's language); people land on their home."""
    if not request.user.is_authenticated:
        return redirect("core:login")
    return redirect(home_url_for(request.user))  # type: ignore[arg-type]


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


@role_required(Role.COMMS_LEAD)
def lead_home(request: HttpRequest) -> HttpResponse:
    counts = selectors.role_counts()
    return render(request, "core/lead_home.html", {
        "role_counts": [(role.label, ROLE_DESCRIPTIONS[role], counts.get(role, 0))
                        for role in Role],
        "recent_events": selectors.audit_events()[:8],
        "organisation": selectors.current_organisation(),
    })


@role_required(Role.TEAM)
def team_home(request: HttpRequest) -> HttpResponse:
    from samen.sources import selectors as source_selectors

    return render(request, "core/team_home.html", {
        "mandates": source_selectors.mandates_of(request.user),  # type: ignore[arg-type]
    })


@role_required(Role.MANAGER)
def manager_home(request: HttpRequest) -> HttpResponse:
    from samen.sources import selectors as source_selectors

    accounts = source_selectors.accounts().prefetch_related("mandates__person")
    return render(request, "core/manager_home.html", {
        "accounts": accounts,
        "team": selectors.people_with_role(Role.TEAM),
        "organisation": selectors.current_organisation(),
    })


@role_required()
def ambassador_home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/ambassador_home.html", {
        "organisation": selectors.current_organisation(),
    })


@role_required(Role.COMMS_LEAD)
def people(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PersonForm(request.POST)
        if form.is_valid():
            try:
                person = actions.do_create_person(
                    password=None, by=request.user, **form.cleaned_data  # type: ignore[arg-type]
                )
            except ValidationError as exc:
                form.add_error("username", exc)
            else:
                messages.success(request, _("%(name)s was added.") % {"name": person})
                return redirect("core:people")
    else:
        form = PersonForm()
    return render(request, "core/people.html", {
        "people": selectors.people_with_roles(), "form": form,
    })


@role_required(Role.COMMS_LEAD)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from samen.sources import actions as source_actions
    from samen.sources import selectors as source_selectors

    person = get_object_or_404(Person, pk=pk, is_active=True)
    form = RolesForm(initial={"roles": sorted(person.roles)})
    if request.method == "POST":
        if "roles" in request.POST or request.POST.get("form") == "roles":
            form = RolesForm(request.POST)
            if form.is_valid():
                try:
                    actions.do_set_roles(person=person, roles=form.cleaned_data["roles"],
                                         by=request.user)  # type: ignore[arg-type]
                except ValidationError as exc:
                    form.add_error("roles", exc)
                else:
                    messages.success(request, _("Roles saved."))
                    return redirect("core:person", pk=person.pk)
        elif request.POST.get("form") == "mandate":
            account = get_object_or_404(source_selectors.accounts(),
                                        pk=request.POST.get("account"))
            try:
                if request.POST.get("grant") == "1":
                    source_actions.do_grant_mandate(person=person, account=account,
                                                    by=request.user)  # type: ignore[arg-type]
                    messages.success(request, _("Mandate granted."))
                else:
                    source_actions.do_revoke_mandate(person=person, account=account,
                                                     by=request.user)  # type: ignore[arg-type]
                    messages.success(request, _("Mandate revoked."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("core:person", pk=person.pk)
    held = {m.account_id for m in source_selectors.mandates_of(person)}
    return render(request, "core/person.html", {
        "person": person, "form": form,
        "accounts": [(a, a.pk in held) for a in source_selectors.accounts()],
        "is_team": person.has_role(Role.TEAM),
    })


@role_required(Role.COMMS_LEAD)
def organisation(request: HttpRequest) -> HttpResponse:
    org = actions.get_or_create_organisation()
    if request.method == "POST":
        form = OrganisationForm(request.POST)
        if form.is_valid():
            actions.do_update_organisation(organisation=org, by=request.user,  # type: ignore[arg-type]
                                           **form.cleaned_data)
            messages.success(request, _("Organisation settings saved."))
            return redirect("core:organisation")
    else:
        form = OrganisationForm(initial={
            "name": org.name, "languages": org.languages,
            "default_language": org.default_language, "crisis_mode": org.crisis_mode,
        })
    return render(request, "core/organisation.html", {"form": form})


@role_required(Role.COMMS_LEAD)
def audit_log(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("action", "")
    events = selectors.audit_events(action=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {
        "page": page, "action": action, "actions": sorted(selectors.audit_action_codes()),
    })


@role_required()
def preferences(request: HttpRequest) -> HttpResponse:
    person: Person = request.user  # type: ignore[assignment]
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            actions.do_set_language(person=person, language=form.cleaned_data["language"])
            if form.cleaned_data["language"]:
                translation.activate(form.cleaned_data["language"])
            messages.success(request, _("Your preferences were saved."))
            response = redirect("core:preferences")
            _set_language_cookie(response, form.cleaned_data["language"])
            return response
    else:
        form = PreferencesForm(initial={"language": person.language})
    return render(request, "core/preferences.html", {"form": form})


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    if language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600,
                            samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The switcher in every page: sets the cookie, and the person's preference if logged in."""
    language = request.POST.get("language", "")
    if language not in {code for code, _n in settings.LANGUAGES}:
        language = ""
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language:
        if request.user.is_authenticated:
            actions.do_set_language(person=request.user, language=language)  # type: ignore[arg-type]
        _set_language_cookie(response, language)
    return response


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Monitoring: the database must answer; the worker must have been seen recently."""
    body: dict[str, Any] = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        body["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # any database failure is reported, not raised
        body["status"] = "error"
        body["database"] = {"status": "error", "error": exc.__class__.__name__}
        body["worker"] = {"status": "unknown"}
        return JsonResponse(body, status=503)
    latest = WorkerHeartbeat.objects.order_by("-seen_at").first()
    if latest is None:
        body["worker"] = {"status": "down", "detail": "no worker has reported"}
    else:
        age = (timezone.now() - latest.seen_at).total_seconds()
        body["worker"] = {
            "status": "ok" if age < 60 else "down",
            "last_seen_seconds": round(age, 1),
            "backend": latest.backend,
        }
    if body["worker"]["status"] != "ok":
        body["status"] = "degraded"
    return JsonResponse(body)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/404.html", status=404)
