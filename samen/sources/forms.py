from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samen.sources.base import StreamKind


class AccountForm(forms.Form):
    """Connect an account; which fields are needed depends on the network."""

    provider = forms.ChoiceField(label=_("Network"), choices=[
        ("mastodon", "Mastodon"), ("bluesky", "Bluesky"), ("feed", _("RSS/Atom feed")),
    ])
    name = forms.CharField(label=_("Name shown in Samen"), max_length=200)
    base_url = forms.URLField(
        label=_("Server or feed address"), max_length=500, assume_scheme="https",
        help_text=_("Mastodon: your instance, e.g. https://social.example. Bluesky: your PDS, "
                    "e.g. https://bsky.social. Feed: the feed's address."),
    )
    handle = forms.CharField(
        label=_("Handle"), max_length=300, required=False,
        help_text=_("Mastodon: @name@instance. Bluesky: name.bsky.social. Not for feeds."),
    )
    secret = forms.CharField(
        label=_("Access token or app password"), required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Mastodon: an access token of the account. Bluesky: an app password, "
                    "never the main password. Not for feeds."),
    )
    hashtags = forms.CharField(
        label=_("Hashtags to follow"), required=False,
        help_text=_("Separated by commas, without #. Not for feeds."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        provider = data.get("provider")
        if provider in {"mastodon", "bluesky"}:
            if not data.get("handle"):
                self.add_error("handle", _("The handle is needed for this network."))
            if not data.get("secret"):
                self.add_error("secret", _("Samen needs a token or app password to listen "
                                           "and reply."))
        return data

    def credentials(self) -> dict[str, str]:
        secret = self.cleaned_data.get("secret") or ""
        provider = self.cleaned_data["provider"]
        if provider == "mastodon":
            return {"access_token": secret}
        if provider == "bluesky":
            return {"app_password": secret}
        return {}

    def streams(self) -> list[tuple[str, str]]:
        provider = self.cleaned_data["provider"]
        if provider == "feed":
            return [(StreamKind.FEED.value, "")]
        streams = [(StreamKind.MENTIONS.value, "")]
        if provider == "mastodon":
            streams.append((StreamKind.DIRECT.value, ""))
        tags = [t.strip().lstrip("#").lower() for t in
                (self.cleaned_data.get("hashtags") or "").split(",") if t.strip()]
        streams += [(StreamKind.HASHTAG.value, tag) for tag in dict.fromkeys(tags)]
        return streams


class StreamForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to follow"), choices=[
        (StreamKind.HASHTAG.value, _("A hashtag")), (StreamKind.KEYWORD.value, _("A keyword")),
    ])
    query = forms.CharField(label=_("Hashtag or keyword"), max_length=300)

    def clean_query(self) -> str:
        return str(self.cleaned_data["query"]).strip().lstrip("#")


class ReconnectForm(forms.Form):
    secret = forms.CharField(label=_("New access token or app password"),
                             widget=forms.PasswordInput(render_value=False))
