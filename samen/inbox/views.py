"""Pages of the inbox. Views parse the request and delegate to actions and selectors.

Every page works without JavaScript (plain forms and links); htmx adds polling for new posts
and for colleagues' presence, and ``inbox.js`` adds the keyboard shortcuts.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samen.core.models import Person
from samen.core.permissions import role_required
from samen.core.roles import Role
from samen.inbox import actions, forms, selectors, workflow
from samen.inbox.models import (
    Contact,
    ContactHandle,
    Conversation,
    Reply,
    RoutingRule,
    SavedFilter,
)
from samen.inbox.models.conversations import STATE_LABELS
from samen.inbox.workflow import InvalidTransition, State

INBOX_ROLES = (Role.TEAM, Role.COMMS_LEAD)
PAGE_SIZE = 50

def _view_labels() -> list[tuple[str, str]]:
    return [("mine", _("Mine")), ("unassigned", _("Unassigned")), ("team", _("My team's")),
            ("urgent", _("Urgent")), ("waiting", _("Waiting")), ("breached", _("SLA breached")),
            ("open", _("All open")), ("done", _("Done"))]


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("That is not allowed.")


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    return redirect(request.POST.get("next") or fallback) \
        if str(request.POST.get("next", "")).startswith("/") else redirect(fallback)


# ----------------------------------------------------------------------------- the list


def _list_query(request: HttpRequest) -> selectors.ListQuery:
    get = request.GET
    try:
        page = max(1, int(get.get("page", "1")))
    except ValueError:
        page = 1
    return selectors.ListQuery(view=get.get("view", "mine"), channel=get.get("channel", ""),
                               language=get.get("language", ""), rule=get.get("rule", ""),
                               q=get.get("q", "").strip()[:200], page=page)


@role_required(*INBOX_ROLES)
def inbox_list(request: HttpRequest) -> HttpResponse:
    """The inbox: views, filters, search, saved views; rows refresh by polling."""
    person: Person = request.user  # type: ignore[assignment]
    query = _list_query(request)
    if request.method == "POST":
        form = forms.SavedFilterForm(request.POST)
        if form.is_valid():
            params = {k: v for k, v in request.GET.items() if k != "page" and v}
            actions.do_save_filter(person=person, name=form.cleaned_data["name"],
                                   query=urlencode(params))
            messages.success(request, _("View saved."))
        return redirect(request.get_full_path())
    found = selectors.find(query.q) if query.q else None  # once for the rows and the contacts
    qs = selectors.conversations_for(person=person, query=query, found=found)
    rows, has_more = selectors.page_of(qs, page=query.page, size=PAGE_SIZE)
    now = timezone.now()
    items = [(c, selectors.sla_status(c, now=now)) for c in rows]
    context: dict[str, Any] = {
        "items": items, "query": query, "has_more": has_more,
        "next_page": query.page + 1, "prev_page": query.page - 1,
        "base_params": urlencode({k: v for k, v in request.GET.items() if k != "page" and v}),
    }
    if request.headers.get("HX-Target") == "inbox-rows":
        return render(request, "inbox/_rows.html", context)
    context.update({
        "views": _view_labels(), "counts": selectors.view_counts(person),
        "saved": selectors.saved_filters(person), "filter_form": forms.SavedFilterForm(),
        "channels": forms.CHANNEL_CHOICES, "languages": forms.LANGUAGE_CHOICES,
        "contacts": selectors.search_contacts(query.q, found=found) if query.q else [],
        "away": selectors.is_away(person),
        "unread": selectors.unread_notice_count(person),
    })
    return render(request, "inbox/list.html", context)


@require_POST
@role_required(*INBOX_ROLES)
def delete_filter(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedFilter, pk=pk)
    try:
        actions.do_delete_filter(saved=saved, person=request.user)  # type: ignore[arg-type]
    except PermissionDenied as exc:
        messages.error(request, _error_text(exc))
    return redirect("inbox:list")


@role_required(*INBOX_ROLES)
def away(request: HttpRequest) -> HttpResponse:
    """Say you are away (routing skips you) or back."""
    person: Person = request.user  # type: ignore[assignment]
    if request.method == "POST":
        now_away = request.POST.get("away") == "1"
        actions.do_set_away(person=person, away=now_away, by=person)
        messages.success(request, _("You are marked as away: routing skips you.") if now_away
                         else _("Welcome back: routing includes you again."))
        return _back(request, reverse("inbox:list"))
    return render(request, "inbox/away.html", {"away": selectors.is_away(person)})


# ------------------------------------------------------------------------- a conversation


def _get_conversation(pk: int) -> Conversation:
    try:
        return selectors.conversation(pk)
    except Conversation.DoesNotExist:
        from django.http import Http404

        raise Http404 from None


@role_required(*INBOX_ROLES, Role.MANAGER)
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    person: Person = request.user  # type: ignore[assignment]
    conv = _get_conversation(pk)
    actions.do_touch_presence(conversation=conv, person=person, typing=False)
    thread = selectors.thread(conv)
    draft = selectors.draft_in(thread, person)
    initial = draft.text if draft else ""
    saved = selectors.saved_replies_for(conv, person)
    last = selectors.latest_post_in(thread)
    suggestions = selectors.suggested_replies(conv, last.text) if last else []
    if request.GET.get("use"):
        chosen = next((s for s in saved if str(s["reply"].pk) == request.GET["use"]), None)
        initial = chosen["text"] if chosen else initial
    elif request.GET.get("suggest", "").isdigit():
        n = int(request.GET["suggest"])
        initial = suggestions[n].answer if n < len(suggestions) else initial
    allowed = sorted(workflow.ALLOWED_TRANSITIONS[State(conv.state)])
    return render(request, "inbox/conversation.html", {
        "conv": conv, "thread": thread, "history": selectors.history(conv),
        "sla": selectors.sla_status(conv), "reply_form": forms.ReplyForm(initial={"text": initial}),
        "draft": draft, "note_form": forms.NoteForm(prefix="note"),
        "priority_form": forms.PriorityForm(initial={"priority": conv.priority,
                                                     "urgent": conv.urgent}),
        "transitions": [(s.value, STATE_LABELS[s]) for s in allowed],
        "saved_replies": saved, "suggestions": suggestions,
        "can_send": selectors.can_send(person, conv),
        "others": selectors.others_present(conv, person),
        "team_members": selectors.team_members(),
        "is_team": person.has_role(Role.TEAM),
    })


@require_POST
@role_required(*INBOX_ROLES, Role.MANAGER)
def presence(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by htmx: record that I am here (and maybe typing); show who else is."""
    person: Person = request.user  # type: ignore[assignment]
    conv = _get_conversation(pk)
    actions.do_touch_presence(conversation=conv, person=person,
                              typing=request.POST.get("typing") == "1")
    return render(request, "inbox/_presence.html",
                  {"others": selectors.others_present(conv, person), "conv": conv})


@require_POST
@role_required(*INBOX_ROLES)
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    person: Person = request.user  # type: ignore[assignment]
    conv = _get_conversation(pk)
    to_value = request.POST.get("to", "me")
    to: Person | None
    if to_value == "me":
        to = person
    elif to_value == "":
        to = None
    else:
        to = get_object_or_404(Person, pk=to_value)
    try:
        actions.do_assign(conversation=conv, to=to, by=person)
        messages.success(request, _("Assigned to %(name)s.") % {"name": to} if to
                         else _("The conversation is unassigned."))
    except PermissionDenied as exc:
        messages.error(request, _error_text(exc))
    return _back(request, reverse("inbox:conversation", args=[pk]))


@require_POST
@role_required(*INBOX_ROLES)
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    conv = _get_conversation(pk)
    try:
        actions.do_transition(conversation=conv, to=request.POST.get("to", ""),
                              by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("State changed."))
    except (InvalidTransition, ValueError):
        messages.error(request, _("That state change is not possible from here."))
    return _back(request, reverse("inbox:conversation", args=[pk]))


@require_POST
@role_required(*INBOX_ROLES)
def priority(request: HttpRequest, pk: int) -> HttpResponse:
    conv = _get_conversation(pk)
    form = forms.PriorityForm(request.POST)
    if form.is_valid():
        actions.do_set_priority(conversation=conv, priority=form.cleaned_data["priority"],
                                urgent=form.cleaned_data["urgent"], by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Priority saved."))
    return redirect("inbox:conversation", pk=pk)


@require_POST
@role_required(*INBOX_ROLES, Role.MANAGER)
def note(request: HttpRequest, pk: int) -> HttpResponse:
    conv = _get_conversation(pk)
    form = forms.NoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            actions.do_add_note(conversation=conv, by=request.user,  # type: ignore[arg-type]
                                text=form.cleaned_data["text"])
            messages.success(request, _("Note added."))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    else:
        messages.error(request, _("A note cannot be empty."))
    return redirect(reverse("inbox:conversation", args=[pk]) + "#history")


@require_POST
@role_required(*INBOX_ROLES)
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Save a draft, or send it (mandate needed; may go to management for approval)."""
    person: Person = request.user  # type: ignore[assignment]
    conv = _get_conversation(pk)
    form = forms.ReplyForm(request.POST)
    url = reverse("inbox:conversation", args=[pk]) + "#composer"
    if not form.is_valid():
        messages.error(request, _("A reply cannot be empty."))
        return redirect(url)
    draft = selectors.open_draft(conv, person)
    try:
        saved = actions.do_save_draft(conversation=conv, by=person,
                                      text=form.cleaned_data["text"], reply=draft)
        if request.POST.get("send") == "1":
            saved = actions.do_submit_reply(reply=saved, by=person)
            if saved.state == "pending":
                messages.success(request, _("Your reply went to management for approval."))
            else:
                messages.success(request, _("Your reply is queued for sending."))
        else:
            messages.success(request, _("Draft saved."))
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    return redirect(url)


@require_POST
@role_required(*INBOX_ROLES)
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Reply, pk=pk)
    try:
        actions.do_retry_reply(reply=found, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("The reply is queued again."))
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    return redirect("inbox:conversation", pk=found.conversation_id)


# ------------------------------------------------------------------------ management


@role_required(Role.MANAGER)
def approvals(request: HttpRequest) -> HttpResponse:
    """Replies waiting for a manager, each with its context."""
    pending = list(selectors.approvals_queue())
    items = [{"reply": r, "last": selectors.last_post(r.conversation),
              "form": forms.DecisionForm(initial={"text": r.text}, prefix=f"r{r.pk}")}
             for r in pending]
    return render(request, "inbox/approvals.html", {"items": items})


@require_POST
@role_required(Role.MANAGER)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Reply, pk=pk)
    form = forms.DecisionForm(request.POST, prefix=f"r{pk}")
    if not form.is_valid():
        messages.error(request, _("The reply text cannot be empty."))
        return redirect("inbox:approvals")
    approve = request.POST.get("decision") == "approve"
    try:
        actions.do_decide_reply(reply=found, by=request.user,  # type: ignore[arg-type]
                                approve=approve, text=form.cleaned_data["text"],
                                comment=form.cleaned_data["comment"])
        messages.success(request, _("Approved: the reply is being sent.") if approve
                         else _("Rejected: the author has been told."))
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    return redirect("inbox:approvals")


# ----------------------------------------------------------------------------- contacts


@role_required(*INBOX_ROLES, Role.MANAGER)
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    """The contact's whole story: every conversation on every channel, in time order."""
    found = get_object_or_404(Contact, pk=pk)
    if found.merged_into_id:
        return redirect("inbox:contact", pk=found.merged_into_id)
    if request.method == "POST":
        form = forms.ContactForm(request.POST)
        if form.is_valid():
            actions.do_update_contact(contact=found, by=request.user,  # type: ignore[arg-type]
                                      **form.cleaned_data)
            messages.success(request, _("Contact saved."))
            return redirect("inbox:contact", pk=pk)
    else:
        form = forms.ContactForm(initial={
            "display_name": found.display_name, "language": found.language,
            "kind": found.kind, "followers": found.followers, "notes": found.notes})
    story = selectors.contact_story(found)
    posts = selectors.story_posts(story)
    q = request.GET.get("q", "").strip()[:100]
    candidates = [c for c in selectors.search_contacts(q) if c.pk != found.pk] if q else []
    return render(request, "inbox/contact.html", {
        "contact": found, "form": form, "handles": selectors.handles_of(found),
        "story": [(c, posts.get(c.pk, [])) for c in story], "q": q, "candidates": candidates,
        "events": found.events.select_related("actor"),
    })


@require_POST
@role_required(*INBOX_ROLES)
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge the contact given in the form into this one."""
    into = get_object_or_404(Contact, pk=pk)
    source = get_object_or_404(Contact, pk=request.POST.get("source", "0") or 0)
    try:
        actions.do_merge_contacts(source=source, into=into, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Contacts merged."))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("inbox:contact", pk=pk)


@require_POST
@role_required(*INBOX_ROLES)
def split(request: HttpRequest, pk: int) -> HttpResponse:
    handle = get_object_or_404(ContactHandle, pk=pk)
    old = handle.contact_id
    try:
        new = actions.do_split_handle(handle=handle, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("The handle now has a contact of its own."))
        return redirect("inbox:contact", pk=new.pk)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("inbox:contact", pk=old)


# ------------------------------------------------------------------------------ notices


@role_required(Role.TEAM, Role.MANAGER, Role.COMMS_LEAD)
def notices(request: HttpRequest) -> HttpResponse:
    person: Person = request.user  # type: ignore[assignment]
    if request.method == "POST":
        actions.do_mark_notices_read(person=person)
        return redirect("inbox:notices")
    return render(request, "inbox/notices.html", {"notices": selectors.notices_for(person)})


# ------------------------------------------------------------------------------- policy


@role_required(Role.COMMS_LEAD)
def policy_page(request: HttpRequest) -> HttpResponse:
    """Organisation policy for the inbox: SLA targets, routing, teams, saved replies."""
    person: Person = request.user  # type: ignore[assignment]
    people = selectors.team_members()
    sla_form = forms.SlaForm(prefix="sla")
    rule_form = forms.RoutingRuleForm(prefix="rule", teams=selectors.teams(), people=people)
    team_form = forms.TeamForm(prefix="team", people=people)
    reply_form = forms.SavedReplyForm(prefix="saved")
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "sla":
                sla_form = forms.SlaForm(request.POST, prefix="sla")
                if sla_form.is_valid():
                    d = sla_form.cleaned_data
                    actions.do_set_sla_target(
                        channel=d["channel"], priority=d["priority"],
                        first_response_minutes=d["first_response_minutes"],
                        resolution_minutes=d["resolution_minutes"], by=person)
                    messages.success(request, _("SLA target saved."))
                    return redirect("inbox:policy")
            elif which == "rule":
                rule_form = forms.RoutingRuleForm(request.POST, prefix="rule",
                                                  teams=selectors.teams(), people=people)
                if rule_form.is_valid():
                    d = rule_form.cleaned_data
                    actions.do_create_routing_rule(
                        name=d["name"], conditions=rule_form.conditions(), team=d["team"],
                        person=d["person"], priority=d["priority"], position=d["position"],
                        by=person)
                    messages.success(request, _("Routing rule added."))
                    return redirect("inbox:policy")
            elif which == "delete_rule":
                rule = get_object_or_404(RoutingRule, pk=request.POST.get("rule", 0) or 0)
                actions.do_delete_routing_rule(rule=rule, by=person)
                messages.success(request, _("Routing rule removed."))
                return redirect("inbox:policy")
            elif which == "team":
                team_form = forms.TeamForm(request.POST, prefix="team", people=people)
                if team_form.is_valid():
                    actions.do_create_team(name=team_form.cleaned_data["name"],
                                           members=team_form.cleaned_data["members"], by=person)
                    messages.success(request, _("Team saved."))
                    return redirect("inbox:policy")
            elif which == "saved":
                reply_form = forms.SavedReplyForm(request.POST, prefix="saved")
                if reply_form.is_valid():
                    actions.do_create_saved_reply(by=person, **reply_form.cleaned_data)
                    messages.success(request, _("Saved reply added."))
                    return redirect("inbox:policy")
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    return render(request, "inbox/policy.html", {
        "sla_rows": selectors.sla_targets(), "sla_form": sla_form,
        "rules": selectors.routing_rules(), "rule_form": rule_form,
        "teams": selectors.teams(), "team_form": team_form,
        "saved_replies": selectors.saved_replies(), "reply_form": reply_form,
        "breaches": selectors.sla_breaches()[:20],
    })
