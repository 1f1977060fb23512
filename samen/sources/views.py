"""The comms lead's pages for sources: connect, follow, pause, remove, and see each one's state."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samen.core.permissions import role_required
from samen.core.roles import Role
from samen.sources import actions, selectors
from samen.sources.base import StreamKind
from samen.sources.forms import AccountForm, ReconnectForm, StreamForm
from samen.sources.models import Account, Stream


def stream_labels() -> dict[str, str]:
    return {
        StreamKind.MENTIONS.value: _("Mentions and replies"),
        StreamKind.DIRECT.value: _("Direct messages"),
        StreamKind.HASHTAG.value: _("Hashtag"),
        StreamKind.KEYWORD.value: _("Keyword"),
        StreamKind.FEED.value: _("Feed"),
    }


@role_required(Role.COMMS_LEAD)
def accounts(request: HttpRequest) -> HttpResponse:
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = actions.do_connect_account(
                provider=form.cleaned_data["provider"], name=form.cleaned_data["name"],
                handle=form.cleaned_data.get("handle") or "",
                base_url=form.cleaned_data["base_url"], credentials=form.credentials(),
                streams=form.streams(), by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s is connected. Samen starts listening with "
                                        "the next round of `samen listen`.") %
                             {"name": account.name})
            return redirect("sources:account", pk=account.pk)
    return render(request, "sources/accounts.html", {
        "accounts": selectors.accounts_overview(), "form": form,
        "stream_labels": stream_labels(),
    })


@role_required(Role.COMMS_LEAD)
def account(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(Account, pk=pk)
    stream_form = StreamForm(request.POST if request.POST.get("form") == "stream" else None)
    reconnect_form = ReconnectForm(
        request.POST if request.POST.get("form") == "reconnect" else None)
    by = request.user
    if request.method == "POST":
        what = request.POST.get("form")
        if what == "stream" and stream_form.is_valid():
            actions.do_add_stream(account=obj, kind=stream_form.cleaned_data["kind"],
                                  query=stream_form.cleaned_data["query"], by=by)  # type: ignore[arg-type]
            messages.success(request, _("Samen now follows this too."))
            return redirect("sources:account", pk=obj.pk)
        if what == "reconnect" and reconnect_form.is_valid():
            key = "app_password" if obj.provider == "bluesky" else "access_token"
            actions.do_reactivate_account(
                account=obj, credentials={**obj.credentials,
                                          key: reconnect_form.cleaned_data["secret"]},
                by=by)  # type: ignore[arg-type]
            messages.success(request, _("The account is active again."))
            return redirect("sources:account", pk=obj.pk)
    streams = list(obj.streams.order_by("kind", "query"))
    return render(request, "sources/account.html", {
        "account": obj, "streams": streams, "stream_form": stream_form,
        "reconnect_form": reconnect_form,
        "can_add_streams": obj.provider in {"mastodon", "bluesky"},
        "stream_labels": stream_labels(),
    })


@require_POST
@role_required(Role.COMMS_LEAD)
def account_pause(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(Account, pk=pk)
    paused = request.POST.get("paused") == "1"
    actions.do_set_account_paused(account=obj, paused=paused, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Paused.") if paused else _("Listening again."))
    return redirect("sources:account", pk=obj.pk)


@require_POST
@role_required(Role.COMMS_LEAD)
def account_remove(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(Account, pk=pk)
    try:
        actions.do_remove_account(account=obj, by=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("sources:account", pk=obj.pk)
    messages.success(request, _("The account was removed; the posts it brought in stay."))
    return redirect("sources:accounts")


@require_POST
@role_required(Role.COMMS_LEAD)
def stream_remove(request: HttpRequest, pk: int) -> HttpResponse:
    stream = get_object_or_404(Stream, pk=pk)
    account_pk = stream.account_id
    actions.do_remove_stream(stream=stream, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Samen no longer follows this."))
    return redirect("sources:account", pk=account_pk)
