from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samen.core.models import Person


class GuidelinesForm(forms.Form):
    body_nl = forms.CharField(label=_("Text in Dutch (Markdown)"), widget=forms.Textarea,
                              required=False)
    body_fr = forms.CharField(label=_("Text in French (Markdown)"), widget=forms.Textarea,
                              required=False)
    body_en = forms.CharField(label=_("Text in English (Markdown)"), widget=forms.Textarea,
                              required=False)
    change_note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class PreferencesForm(forms.Form):
    mastodon_instance = forms.CharField(
        label=_("Your Mastodon server"), max_length=200, required=False,
        help_text=_("For example mastodon.social; share links open on your own server."))
    leaderboard_opt_in = forms.BooleanField(
        label=_("Show me on the leaderboard"), required=False,
        help_text=_("Off unless you switch it on. Your own counts are always visible to you."))


class HubItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    url = forms.URLField(label=_("Link"), max_length=500, assume_scheme="https")
    text_nl = forms.CharField(label=_("Suggested text (Dutch)"), widget=forms.Textarea(
        attrs={"rows": 3}), required=False)
    text_fr = forms.CharField(label=_("Suggested text (French)"), widget=forms.Textarea(
        attrs={"rows": 3}), required=False)
    text_en = forms.CharField(label=_("Suggested text (English)"), widget=forms.Textarea(
        attrs={"rows": 3}), required=False)
    department = forms.CharField(label=_("For department"), max_length=120, required=False,
                                 help_text=_("Empty: everyone."))
    ends_on = forms.DateField(label=_("Show until"),
                              widget=forms.DateInput(attrs={"type": "date"}))


class ShareForm(forms.Form):
    text = forms.CharField(label=_("Your text"), widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=2000, required=False,
                           help_text=_("Edit it as you like; your link is added at the end."))


def _steps_field(label: Any) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 8}),
                           required=False, help_text=_("One step per line."))


class PrivacyGuideForm(forms.Form):
    name = forms.CharField(label=_("Network"), max_length=80)
    last_checked = forms.DateField(label=_("Last checked"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Person.objects.filter(
        is_active=True), required=False)
    intro_nl = forms.CharField(label=_("Introduction (Dutch)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    intro_fr = forms.CharField(label=_("Introduction (French)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    intro_en = forms.CharField(label=_("Introduction (English)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    steps_nl = _steps_field(_("Steps (Dutch)"))
    steps_fr = _steps_field(_("Steps (French)"))
    steps_en = _steps_field(_("Steps (English)"))

    def steps(self) -> list[dict[str, str]]:
        lines = {lang: [line.strip() for line in self.cleaned_data[f"steps_{lang}"].splitlines()
                        if line.strip()] for lang in ("nl", "fr", "en")}
        count = max(len(v) for v in lines.values())
        return [{lang: (lines[lang][i] if i < len(lines[lang]) else "")
                 for lang in ("nl", "fr", "en")} for i in range(count)]
