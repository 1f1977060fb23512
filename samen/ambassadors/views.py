"""Pages of the ambassadors app. Views parse and delegate to actions and selectors."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from samen.ambassadors import actions, selectors
from samen.ambassadors.forms import (
    GuidelinesForm,
    HubItemForm,
    PreferencesForm,
    PrivacyGuideForm,
    ShareForm,
)
from samen.ambassadors.models import GuidelineVersion, HubItem, Network, PrivacyGuide
from samen.ambassadors.rendering import render_markdown
from samen.core.models import Person
from samen.core.permissions import role_required
from samen.core.roles import Role

VISITOR_COOKIE = "samen_visitor"
VISITOR_COOKIE_AGE = 24 * 3600  # long enough to count once per day, no longer


def _lang() -> str:
    return (translation.get_language() or "en")[:2]


# --- guidelines -------------------------------------------------------------------------

@role_required()
def guidelines(request: HttpRequest) -> HttpResponse:
    person: Person = request.user  # type: ignore[assignment]
    version = selectors.current_guidelines()
    if request.method == "POST" and version is not None:
        posted = get_object_or_404(GuidelineVersion, pk=request.POST.get("version"))
        try:
            actions.do_acknowledge_guidelines(person=person, version=posted)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Thank you: you acknowledged the guidelines."))
        return redirect("ambassadors:guidelines")
    return render(request, "ambassadors/guidelines.html", {
        "version": version,
        "body": render_markdown(version.body(_lang())) if version else "",
        "acknowledged": selectors.has_acknowledged(person=person, version=version),
    })


@role_required()
def guidelines_history(request: HttpRequest) -> HttpResponse:
    versions = [(v, render_markdown(v.body(_lang()))) for v in selectors.guideline_history()]
    return render(request, "ambassadors/guidelines_history.html", {"versions": versions})


@role_required(Role.COMMS_LEAD)
def guidelines_manage(request: HttpRequest) -> HttpResponse:
    version = selectors.current_guidelines()
    if request.method == "POST":
        form = GuidelinesForm(request.POST)
        if form.is_valid():
            try:
                new = actions.do_publish_guidelines(by=request.user,  # type: ignore[arg-type]
                                                    **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Version %(number)s is published.")
                                 % {"number": new.number})
                return redirect("ambassadors:guidelines_manage")
    else:
        form = GuidelinesForm(initial={
            "body_nl": version.body_nl, "body_fr": version.body_fr, "body_en": version.body_en,
        } if version else None)
    return render(request, "ambassadors/guidelines_manage.html", {
        "form": form, "version": version, "counts": selectors.acknowledgement_counts(version),
    })


# --- privacy guides ---------------------------------------------------------------------

@role_required()
def privacy(request: HttpRequest) -> HttpResponse:
    person: Person = request.user  # type: ignore[assignment]
    ticked = selectors.ticked_step_ids(person=person)
    guides = []
    for guide in selectors.privacy_guides():
        steps = list(guide.steps.all())
        guides.append({"guide": guide, "total": len(steps),
                       "done": sum(1 for s in steps if s.pk in ticked),
                       "stale": selectors.is_stale(guide)})
    return render(request, "ambassadors/privacy.html", {"guides": guides})


@role_required()
def privacy_guide(request: HttpRequest, network: str) -> HttpResponse:
    person: Person = request.user  # type: ignore[assignment]
    guide = get_object_or_404(selectors.privacy_guides(), network=network)
    steps = list(guide.steps.all())
    if request.method == "POST":
        wanted = set(request.POST.getlist("step"))
        for step in steps:
            actions.do_set_step_tick(person=person, step=step, ticked=str(step.pk) in wanted)
        messages.success(request, _("Your checklist is saved. Only you can see it."))
        return redirect("ambassadors:privacy_guide", network=guide.network)
    ticked = selectors.ticked_step_ids(person=person)
    lang = _lang()
    return render(request, "ambassadors/privacy_guide.html", {
        "guide": guide, "intro": guide.intro(lang), "stale": selectors.is_stale(guide),
        "steps": [{"step": s, "text": s.text(lang), "ticked": s.pk in ticked} for s in steps],
        "can_edit": person.has_role(Role.COMMS_LEAD),
    })


@role_required(Role.COMMS_LEAD)
def privacy_guide_edit(request: HttpRequest, network: str) -> HttpResponse:
    guide = get_object_or_404(PrivacyGuide, network=network)
    if request.method == "POST":
        form = PrivacyGuideForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_save_privacy_guide(
                    data=actions.GuideData(
                        network=guide.network, name=data["name"],
                        last_checked=data["last_checked"], order=guide.order,
                        intro={lang: data[f"intro_{lang}"] for lang in ("nl", "fr", "en")},
                        steps=form.steps()),
                    owner=data["owner"], by=request.user)  # type: ignore[arg-type]
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The guide is saved."))
                return redirect("ambassadors:privacy_guide", network=guide.network)
    else:
        steps = list(guide.steps.all())
        form = PrivacyGuideForm(initial={
            "name": guide.name, "last_checked": guide.last_checked, "owner": guide.owner,
            **{f"intro_{lang}": getattr(guide, f"intro_{lang}") for lang in ("nl", "fr", "en")},
            **{f"steps_{lang}": "\n".join(getattr(s, f"text_{lang}") for s in steps)
               for lang in ("nl", "fr", "en")},
        })
    return render(request, "ambassadors/privacy_guide_edit.html", {"form": form, "guide": guide})


# --- content hub ------------------------------------------------------------------------

@role_required()
def hub(request: HttpRequest) -> HttpResponse:
    person: Person = request.user  # type: ignore[assignment]
    lang = _lang()
    items = [{"item": i, "text": i.text(lang)} for i in selectors.current_items_for(person)]
    return render(request, "ambassadors/hub.html", {
        "items": items, "my_links": selectors.my_links(person),
        "leaderboard": selectors.leaderboard(),
        "preference": selectors.preference_of(person),
    })


def _link_base(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("ambassadors:short", args=["x"]))[:-1]


@role_required()
def share(request: HttpRequest, pk: int) -> HttpResponse:
    person: Person = request.user  # type: ignore[assignment]
    item = get_object_or_404(selectors.current_items_for(person), pk=pk)
    preference = selectors.preference_of(person)
    if request.method == "POST":
        form = ShareForm(request.POST)
        network = request.POST.get("network", "")
        if form.is_valid():
            try:
                result = actions.do_share(person=person, item=item, network=network,
                                          text=form.cleaned_data["text"],
                                          link_base=_link_base(request))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                # The composer of the person's own network: a URL Samen built, not one given.
                return HttpResponseRedirect(result.intent_url)
    else:
        form = ShareForm(initial={"text": item.text(_lang())})
    return render(request, "ambassadors/share.html", {
        "item": item, "form": form, "networks": Network.choices, "preference": preference,
    }, status=400 if form.errors else 200)


@role_required(Role.COMMS_LEAD, Role.TEAM)
def hub_manage(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = HubItemForm(request.POST)
        if form.is_valid():
            actions.do_save_hub_item(by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            messages.success(request, _("The item is in the hub."))
            return redirect("ambassadors:hub_manage")
    else:
        initial: dict[str, object] = {"ends_on": timezone.localdate() + timedelta(days=14)}
        post = selectors.post_for_hub(request.GET.get("from_post", ""))
        if post is not None:
            # Start from one of the organisation's own posts: its text in its language.
            lang = post.language if post.language in ("nl", "fr", "en") else _lang()
            initial.update({"title": post.text[:80].split("\n")[0] or post.url, "url": post.url,
                            f"text_{lang}": post.text})
        form = HubItemForm(initial=initial)
    return render(request, "ambassadors/hub_manage.html", {
        "form": form, "items": selectors.all_items(), "today": timezone.localdate(),
        "posts": selectors.shareable_posts(),
    })


@role_required(Role.COMMS_LEAD, Role.TEAM)
def hub_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(HubItem, pk=pk)
    if request.method == "POST":
        form = HubItemForm(request.POST)
        if form.is_valid():
            actions.do_save_hub_item(item=item, by=request.user,  # type: ignore[arg-type]
                                     **form.cleaned_data)
            messages.success(request, _("The item is saved."))
            return redirect("ambassadors:hub_item", pk=item.pk)
    else:
        form = HubItemForm(initial={f: getattr(item, f) for f in HubItemForm.base_fields})
    return render(request, "ambassadors/hub_item.html", {
        "item": item, "form": form, "per_network": selectors.clicks_per_network(item),
    })


@role_required()
def preferences(request: HttpRequest) -> HttpResponse:
    person: Person = request.user  # type: ignore[assignment]
    pref = selectors.preference_of(person)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                actions.do_set_ambassador_preferences(person=person, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error("mastodon_instance", exc)
            else:
                messages.success(request, _("Your preferences were saved."))
                next_item = request.POST.get("next_item", "")
                if next_item.isdigit():
                    return redirect("ambassadors:share", pk=int(next_item))
                return redirect("ambassadors:preferences")
    else:
        form = PreferencesForm(initial={"mastodon_instance": pref.mastodon_instance,
                                        "leaderboard_opt_in": pref.leaderboard_opt_in})
    return render(request, "ambassadors/preferences.html", {"form": form})


# --- the tracked redirect ---------------------------------------------------------------

@require_GET
def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """Public: anyone who sees a shared post may follow it. Only codes Samen issued resolve,
    each to the target stored when it was issued; anything else is a 404."""
    link = selectors.link_by_code(code)
    if link is None:
        raise Http404
    cookie = request.COOKIES.get(VISITOR_COOKIE, "")
    if len(cookie) > 64:
        cookie = ""
    new_cookie = "" if cookie else secrets.token_urlsafe(16)
    device = f"{request.META.get('REMOTE_ADDR', '')}|{request.META.get('HTTP_USER_AGENT', '')}"
    actions.do_record_click(link=link, cookie=cookie, device=device, new_cookie=new_cookie)
    response = HttpResponseRedirect(link.target_url)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    if new_cookie:
        response.set_cookie(VISITOR_COOKIE, new_cookie, max_age=VISITOR_COOKIE_AGE,
                            httponly=True, samesite="Lax", path=request.path.rsplit("/", 1)[0])
    return response
