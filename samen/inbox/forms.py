"""Forms of the inbox: they parse and validate; actions write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from samen.inbox.models import ContactKind, Priority

LANGUAGE_CHOICES = [("", _("Any")), *settings.LANGUAGES, ("de", _("German"))]
CHANNEL_CHOICES = [("", _("Any")), ("mastodon", "Mastodon"), ("bluesky", "Bluesky")]
INTENT_CHOICES = [("", _("Any")), ("question", _("Question")), ("complaint", _("Complaint")),
                  ("praise", _("Praise")), ("request", _("Request")), ("other", _("Other"))]
SENTIMENT_CHOICES = [("", _("Any")), ("negative", _("Negative")), ("neutral", _("Neutral")),
                     ("positive", _("Positive"))]


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}),
                           max_length=5000)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=5000,
                           help_text=_("Only colleagues see notes. Write @username to tell "
                                       "a colleague."))


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    urgent = forms.BooleanField(label=_("Urgent"), required=False)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Reply (you may edit it)"), widget=forms.Textarea(
        attrs={"rows": 4}), max_length=5000)
    comment = forms.CharField(label=_("Comment for the author"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ContactForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=300)
    language = forms.ChoiceField(label=_("Language preference"), choices=LANGUAGE_CHOICES,
                                 required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices)
    followers = forms.IntegerField(label=_("Reach (followers)"), min_value=0, initial=0)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 3}))


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Name of this view"), max_length=80)


class SlaForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNEL_CHOICES, required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    first_response_minutes = forms.IntegerField(label=_("First response within (minutes)"),
                                                min_value=1)
    resolution_minutes = forms.IntegerField(label=_("Resolved within (minutes)"), min_value=1)


class RoutingRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNEL_CHOICES, required=False)
    rule = forms.CharField(label=_("Listening rule"), max_length=120, required=False)
    intent = forms.ChoiceField(label=_("Intent"), choices=INTENT_CHOICES, required=False)
    sentiment = forms.ChoiceField(label=_("Sentiment"), choices=SENTIMENT_CHOICES,
                                  required=False)
    urgent_only = forms.BooleanField(label=_("Only urgent conversations"), required=False)
    team: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Team"), queryset=None,
                                                               required=False)
    person: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Person"),
                                                                 queryset=None, required=False)
    priority = forms.ChoiceField(label=_("Set priority"), required=False,
                                 choices=[("", _("Keep")), *Priority.choices])
    position = forms.IntegerField(label=_("Order"), initial=100, min_value=0)

    def __init__(self, *args: object, teams: object, people: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["person"].queryset = people  # type: ignore[attr-defined]

    def conditions(self) -> dict[str, list[object]]:
        data = self.cleaned_data
        out: dict[str, list[object]] = {}
        for fact in ("language", "channel", "rule", "intent", "sentiment"):
            if data.get(fact):
                out[fact] = [data[fact]]
        if data.get("urgent_only"):
            out["urgent"] = [True]
        return out


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=120)
    members: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: object, people: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["members"].queryset = people  # type: ignore[attr-defined]


class SavedReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    intent = forms.ChoiceField(label=_("Intent"), choices=INTENT_CHOICES, required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=5000,
                           help_text=_("Placeholders: {contact_name}, {agent_first_name}."))
