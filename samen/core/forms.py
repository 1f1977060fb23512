from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from samen.core.roles import Role

LANGUAGE_CHOICES = [("", _("Follow my browser")), *settings.LANGUAGES]
WORK_LANGUAGES = [("nl", _("Dutch")), ("fr", _("French")), ("en", _("English")),
                  ("de", _("German"))]


class PersonForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    department = forms.CharField(label=_("Department"), max_length=120, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple,
        required=False, help_text=_("Everyone is an ambassador."),
    )


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple,
        required=False, help_text=_("Everyone is an ambassador."),
    )


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    languages = forms.MultipleChoiceField(
        label=_("Languages the organisation works in"), choices=WORK_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    default_language = forms.ChoiceField(label=_("Default language"), choices=WORK_LANGUAGES)
    crisis_mode = forms.BooleanField(
        label=_("Crisis mode"), required=False,
        help_text=_("In crisis mode every reply goes to management for approval."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("languages") and data.get("default_language") not in data["languages"]:
            self.add_error("default_language",
                           _("The default language must be one of the languages."))
        return data


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
