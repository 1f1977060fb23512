"""The comms lead's pages for sources: accounts and feeds, their state, their streams.

Views parse and delegate; writes go through ``sources.actions``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samen.core.permissions import role_required
from samen.core.roles import Role
from samen.sources import actions, selectors
from samen.sources.forms import AccountForm, ReconnectForm, StreamForm
from samen.sources.models import Account, AccountState, Stream


@role_required(Role.COMMS_LEAD)
def index(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = AccountForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            account = actions.do_connect_account(
                provider=data["provider"], name=data["name"], handle=data["handle"],
                base_url=data["base_url"], secret=data["secret"],
                by=request.user)  # type: ignore[arg-type]
            messages.success(request, _("%(name)s was added; Samen starts listening.") %
                             {"name": account.name})
            return redirect("sources:account", pk=account.pk)
    else:
        form = AccountForm()
    return render(request, "sources/index.html", {
        "accounts": selectors.account_overview(), "form": form,
    })


@role_required(Role.COMMS_LEAD)
def account(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Account, pk=pk)
    stream_form = StreamForm()
    reconnect_form = ReconnectForm()
    if request.method == "POST" and request.POST.get("form") == "stream":
        stream_form = StreamForm(request.POST)
        if stream_form.is_valid():
            actions.do_add_stream(account=item, kind=stream_form.cleaned_data["kind"],
                                  query=stream_form.cleaned_data["query"],
                                  by=request.user)  # type: ignore[arg-type]
            messages.success(request, _("Samen now listens to this too."))
            return redirect("sources:account", pk=item.pk)
    elif request.method == "POST" and request.POST.get("form") == "reconnect":
        reconnect_form = ReconnectForm(request.POST)
        if reconnect_form.is_valid():
            credentials = None
            secret = reconnect_form.cleaned_data["secret"]
            if secret:
                key = "app_password" if item.provider == "bluesky" else "access_token"
                credentials = {**(item.credentials or {}), key: secret}
            actions.do_reactivate_account(account=item, credentials=credentials,
                                          by=request.user)  # type: ignore[arg-type]
            messages.success(request, _("The account is active again."))
            return redirect("sources:account", pk=item.pk)
    return render(request, "sources/account.html", {
        "account": item, "streams": selectors.streams_of(item),
        "deliveries": selectors.deliveries(account=item),
        "stream_form": stream_form, "reconnect_form": reconnect_form,
        "active": item.state == AccountState.ACTIVE,
    })


@role_required(Role.COMMS_LEAD)
@require_POST
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Account, pk=pk)
    actions.do_pause_account(account=item, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Samen no longer listens through this account."))
    return redirect("sources:account", pk=item.pk)


@role_required(Role.COMMS_LEAD)
@require_POST
def toggle_stream(request: HttpRequest, pk: int) -> HttpResponse:
    stream = get_object_or_404(Stream, pk=pk)
    actions.do_set_stream_enabled(stream=stream, enabled=not stream.enabled,
                                  by=request.user)  # type: ignore[arg-type]
    return redirect("sources:account", pk=stream.account_id)
