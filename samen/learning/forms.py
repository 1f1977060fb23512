from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samen.learning.models import Level


class SessionForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    video_url = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=1000, initial=12)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The session must end after it starts."))
        if not (data.get("place") or data.get("video_url")) and not self.has_error("place"):
            self.add_error("place", _("Give a place or a video link."))
        return data


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    url = forms.URLField(label=_("Link"), max_length=500, assume_scheme="https")


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("How useful was it? (1 to 5)"), coerce=int,
                                    choices=[(i, str(i)) for i in range(1, 6)],
                                    widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    url = forms.URLField(label=_("Link"), max_length=500, assume_scheme="https")
    provider = forms.CharField(label=_("By"), max_length=120, required=False)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    network = forms.CharField(label=_("Network"), max_length=40, required=False,
                              help_text=_("Empty: about social media in general."))
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=[
        ("", "—"), ("nl", _("Dutch")), ("fr", _("French")), ("en", _("English"))])
    own_material = forms.BooleanField(label=_("Our own material"), required=False)
