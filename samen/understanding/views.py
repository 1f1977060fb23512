"""Listening pages: rules (with a live preview), the posts of a rule, trend alerts, settings.

Views parse the request and delegate to actions and selectors; they never save models. Every
flow works without JavaScript; htmx only makes the preview follow the typing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samen.core.actions import get_or_create_organisation
from samen.core.models import Person
from samen.core.permissions import role_required
from samen.core.roles import Role
from samen.understanding import actions, selectors
from samen.understanding.forms import RuleForm, SettingsForm, explain
from samen.understanding.models import ListeningRule, TrendAlert
from samen.understanding.postviews import highlight, view_of
from samen.understanding.rules import RuleSyntaxError, evaluate, parse
from samen.understanding.rules.nodes import Node

PREVIEW_POSTS = 500  # how many recent posts the preview looks through
PREVIEW_SHOWN = 20

READERS = (Role.COMMS_LEAD, Role.MANAGER)


def _person(request: HttpRequest) -> Person:
    return request.user  # type: ignore[return-value]


# --- preview ------------------------------------------------------------------------------

def _error_context(query: str, err: RuleSyntaxError) -> dict[str, Any]:
    """The message, and the rule cut at the column so the page can mark the place."""
    at = max(err.column - 1, 0)
    return {
        "message": explain(err), "column": err.column,
        "before": query[:at], "at": query[at:at + 1], "after": query[at + 1:],
    }


def preview_context(query: str, *, limit: int = PREVIEW_POSTS) -> dict[str, Any]:
    """What the preview shows for a rule being written: its error, or its matches among the
    last ``limit`` posts with the words it looks for marked."""
    query = query.strip()
    if not query:
        return {"preview": {"empty": True}}
    try:
        node: Node = parse(query)
    except RuleSyntaxError as err:
        return {"preview": {"error": _error_context(query, err)}}
    posts = selectors.recent_posts(limit)
    hits = [p for p in posts if evaluate(node, view_of(p))]
    shown = [{"post": p, "text": highlight(p.text, node)} for p in hits[:PREVIEW_SHOWN]]
    return {"preview": {"understood": str(node), "count": len(hits), "looked_at": len(posts),
                        "shown": shown}}


@role_required(Role.COMMS_LEAD)
def preview(request: HttpRequest) -> HttpResponse:
    """The preview fragment (htmx asks for it as the rule is typed)."""
    return render(request, "understanding/_preview.html",
                  preview_context(request.GET.get("query", "")))


# --- rules ----------------------------------------------------------------------------------

@role_required(*READERS)
def rule_list(request: HttpRequest) -> HttpResponse:
    return render(request, "understanding/rules.html", {
        "rules": selectors.rules_with_counts(),
        "open_alerts": selectors.open_alert_count(),
        "broken": selectors.compiled_rules().broken,
        "can_edit": _person(request).has_role(Role.COMMS_LEAD),
    })


def _rule_form_page(request: HttpRequest, rule: ListeningRule | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if rule is not None:
        initial = {k: getattr(rule, k) for k in actions.RULE_FIELDS}
    form = RuleForm(request.POST or None, initial=initial)
    query = request.POST.get("query", "") if request.method == "POST" else initial.get("query", "")
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        data = form.cleaned_data
        if rule is None:
            rule = actions.do_create_rule(by=_person(request), **data)
            messages.success(request, _("Rule “%(name)s” was created.") % {"name": rule.name})
        else:
            actions.do_update_rule(rule=rule, by=_person(request), **data)
            messages.success(request, _("Rule “%(name)s” was saved.") % {"name": rule.name})
        return redirect("understanding:rules")
    context = {"form": form, "rule": rule, **preview_context(query)}
    if request.method == "POST" and "preview" in request.POST:
        form.errors.clear()  # a preview is not a failed save
    return render(request, "understanding/rule_form.html", context)


@role_required(Role.COMMS_LEAD)
def rule_new(request: HttpRequest) -> HttpResponse:
    return _rule_form_page(request, None)


@role_required(Role.COMMS_LEAD)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _rule_form_page(request, get_object_or_404(selectors.rules(), pk=pk))


@require_POST
@role_required(Role.COMMS_LEAD)
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(selectors.rules(), pk=pk)
    actions.do_delete_rule(rule=rule, by=_person(request))
    messages.success(request, _("Rule “%(name)s” was deleted.") % {"name": rule.name})
    return redirect("understanding:rules")


@role_required(Role.COMMS_LEAD, Role.MANAGER, Role.TEAM)
def rule_posts(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(selectors.rules(), pk=pk)
    page = Paginator(selectors.posts_of_rule(rule), 50).get_page(request.GET.get("page"))
    try:
        node: Node | None = parse(rule.query)
    except RuleSyntaxError:
        node = None
    return render(request, "understanding/rule_posts.html", {
        "rule": rule, "page": page,
        "posts": [{"post": p, "text": highlight(p.text, node)} for p in page.object_list],
    })


# --- alerts ---------------------------------------------------------------------------------

@role_required(*READERS)
def alert_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    page = Paginator(selectors.alerts(open_only=show != "all"), 25).get_page(
        request.GET.get("page"))
    alerts: list[TrendAlert] = list(page.object_list)
    examples = selectors.example_posts(alerts)
    return render(request, "understanding/alerts.html", {
        "page": page, "show": show, "open_alerts": selectors.open_alert_count(),
        "alerts": [{"alert": a, "examples": examples.get(a.pk, [])} for a in alerts],
    })


@role_required(*READERS)
def alert_count(request: HttpRequest) -> HttpResponse:
    """A small fragment with the number of open alerts, for other pages to include."""
    return render(request, "understanding/_alert_count.html",
                  {"open_alerts": selectors.open_alert_count()})


@require_POST
@role_required(*READERS)
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(selectors.alerts(), pk=pk)
    actions.do_acknowledge_alert(alert=alert, by=_person(request))
    messages.success(request, _("Alert acknowledged."))
    return redirect("understanding:alerts")


# --- settings -------------------------------------------------------------------------------

@role_required(Role.COMMS_LEAD)
def settings_page(request: HttpRequest) -> HttpResponse:
    current = selectors.understanding_settings()
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            actions.do_update_settings(organisation=get_or_create_organisation(),
                                       by=_person(request), **form.cleaned_data)
            messages.success(request, _("Listening settings saved."))
            return redirect("understanding:settings")
    else:
        form = SettingsForm(initial={"trend_sensitivity": current.trend_sensitivity,
                                     "languages": current.languages,
                                     "email_alerts": current.email_alerts})
    return render(request, "understanding/settings.html", {"form": form})
