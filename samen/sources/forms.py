"""Forms of the sources pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samen.sources.base import StreamKind
from samen.sources.models import Provider


class AccountForm(forms.Form):
    provider = forms.ChoiceField(label=_("Network"), choices=[
        c for c in Provider.choices if c[0] != Provider.IMPORT])
    name = forms.CharField(label=_("Name"), max_length=200)
    base_url = forms.URLField(label=_("Server or feed address"), max_length=500,
                              assume_scheme="https",
                              help_text=_("E.g. https://mastodon.social, https://bsky.social, "
                                          "or the address of the feed."))
    handle = forms.CharField(label=_("Handle"), max_length=300, required=False,
                             help_text=_("Bluesky: the account's handle, e.g. stad.bsky.social."))
    secret = forms.CharField(label=_("Access token or app password"), required=False,
                             widget=forms.PasswordInput(render_value=False),
                             help_text=_("Mastodon: an access token; Bluesky: an app password "
                                         "(never the main password). Not needed for feeds."))

    def clean(self) -> dict:
        data = super().clean() or {}
        provider = data.get("provider")
        if provider in {"mastodon", "bluesky"} and not data.get("secret"):
            self.add_error("secret", _("This network needs a token or app password."))
        if provider == "bluesky" and not data.get("handle"):
            self.add_error("handle", _("Bluesky needs the account's handle."))
        return data


class StreamForm(forms.Form):
    kind = forms.ChoiceField(label=_("Listen to"), choices=[
        (StreamKind.MENTIONS.value, _("Mentions and replies")),
        (StreamKind.DIRECT.value, _("Direct messages")),
        (StreamKind.HASHTAG.value, _("A hashtag")),
        (StreamKind.KEYWORD.value, _("A keyword")),
    ])
    query = forms.CharField(label=_("Hashtag or keyword"), max_length=300, required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("kind") in {"hashtag", "keyword"} and not data.get("query"):
            self.add_error("query", _("Say which hashtag or keyword."))
        if data.get("kind") in {"mentions", "direct"}:
            data["query"] = ""
        return data


class ReconnectForm(forms.Form):
    secret = forms.CharField(label=_("New access token or app password"), required=False,
                             widget=forms.PasswordInput(render_value=False),
                             help_text=_("Leave empty to try again with the stored one."))
