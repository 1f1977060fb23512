"""Forms of the insights pages: dashboard filters, scan rounds and the scan itself."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samen.insights import scan
from samen.insights.dashboard import PERIOD_CHOICES


class FilterForm(forms.Form):
    """Dashboard filters, read from the query string so every view is a link to share."""

    days = forms.TypedChoiceField(
        label=_("Period"), coerce=int, required=False, initial=28,
        choices=[(7, _("Last 7 days")), (28, _("Last 4 weeks")), (91, _("Last 3 months")),
                 (365, _("Last 12 months"))],
    )
    end = forms.DateField(label=_("Up to and including"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)

    def __init__(self, *args: Any, channels: list[tuple[str, str]],
                 languages: list[tuple[str, str]], teams: list[tuple[str, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel_field = self.fields["channel"]
        language_field = self.fields["language"]
        assert isinstance(channel_field, forms.ChoiceField)
        assert isinstance(language_field, forms.ChoiceField)
        channel_field.choices = [("", _("All channels")), *channels]
        language_field.choices = [("", _("All languages")), *languages]
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ChoiceField)
        if teams:
            team_field.choices = [("", _("All teams")), *teams]
        else:  # no teams yet: no filter to offer
            del self.fields["team"]

    def clean_days(self) -> int:
        value = self.cleaned_data.get("days") or 28
        return value if value in PERIOD_CHOICES else 28


class SubscriptionForm(forms.Form):
    subscribe = forms.BooleanField(label=_("Send me the weekly report by e-mail"),
                                   required=False)


class ScanRoundForm(forms.Form):
    name = forms.CharField(label=_("Name of the round"), max_length=120,
                           help_text=_("For example: Spring 2027."))
    min_respondents = forms.IntegerField(
        label=_("Minimum number of respondents"), min_value=3, max_value=1000, initial=5,
        help_text=_("Results stay hidden until at least this many people answered."))


class ScanForm(forms.Form):
    """One radio group per statement, grouped by element in the template."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for statement in scan.STATEMENTS:
            self.fields[statement.key] = forms.TypedChoiceField(
                label=str(statement.text), choices=scan.SCALE, coerce=int,
                widget=forms.RadioSelect, required=True,
                error_messages={"required": _("Please choose how much you agree.")},
            )

    def answers(self) -> dict[str, int]:
        return {s.key: int(self.cleaned_data[s.key]) for s in scan.STATEMENTS}
