"""Forms of the listening pages. A rule that does not parse is refused with the core's
positioned error, said in the reader's language."""

from __future__ import annotations

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from samen.understanding.models import Colour, Sensitivity
from samen.understanding.rules import RuleSyntaxError, format_error, parse
from samen.understanding.rules.nodes import Node

WORK_LANGUAGES = [("nl", _("Dutch")), ("fr", _("French")), ("en", _("English")),
                  ("de", _("German"))]


def explain(err: RuleSyntaxError) -> str:
    """The error in the active language, from the rules core's own message tables."""
    return format_error(err, translation.get_language() or "en")


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    query = forms.CharField(
        label=_("Rule"), max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_('Words, "exact phrases", AND, OR, NOT, parentheses, NEAR/3, zorg*, and '
                    "fields such as lang:nl, hashtag:geefomjedarm, from:@handle, "
                    "sentiment:negative, intent:question."),
    )
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    to_inbox = forms.BooleanField(label=_("Send matches to the inbox"), required=False)
    priority = forms.IntegerField(label=_("Priority"), min_value=0, max_value=100, initial=0,
                                  help_text=_("Higher comes first in lists and in the inbox."))
    colour = forms.ChoiceField(label=_("Colour"), choices=Colour.choices, initial=Colour.BLUE)

    syntax_error: RuleSyntaxError | None = None
    parsed: Node | None = None

    def clean_query(self) -> str:
        query = self.cleaned_data["query"].strip()
        try:
            self.parsed = parse(query)
        except RuleSyntaxError as err:
            self.syntax_error = err
            raise forms.ValidationError(explain(err), code=err.code) from err
        return query


class SettingsForm(forms.Form):
    trend_sensitivity = forms.ChoiceField(
        label=_("Trend sensitivity"), choices=Sensitivity.choices, widget=forms.RadioSelect,
        help_text=_("High warns earlier and more often; low only for strong rises."))
    languages = forms.MultipleChoiceField(
        label=_("Languages to recognise"), choices=WORK_LANGUAGES,
        widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("None ticked: the organisation's languages."))
    email_alerts = forms.BooleanField(
        label=_("E-mail trend alerts to comms leads and managers"), required=False)
