"""The maturity scan of the model: statements per element, written by us, and what to do
about the lowest elements.

Staff rate each statement from 1 (strongly disagree) to 5 (strongly agree). Keys are stable
(``customer.1`` …) because answer counts are stored per key; change the wording freely, but
never reuse a key for a different statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.util import find_spec

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from samen.insights.registry import Element


@dataclass(frozen=True)
class Statement:
    key: str
    element: str
    text: str | Promise


STATEMENTS: tuple[Statement, ...] = (
    # Customer at the centre
    Statement("customer.1", Element.CUSTOMER,
              _("When someone contacts us online, we know their earlier questions, whatever "
                "the channel.")),
    Statement("customer.2", Element.CUSTOMER,
              _("Questions we receive on social media get a useful answer quickly.")),
    Statement("customer.3", Element.CUSTOMER,
              _("We answer people in their own language.")),
    Statement("customer.4", Element.CUSTOMER,
              _("What people tell us online changes how we work.")),
    Statement("customer.5", Element.CUSTOMER,
              _("We listen to what is said about us, not only to what is said to us.")),
    # Culture of trust
    Statement("trust.1", Element.TRUST,
              _("I am allowed to talk about my work on social media.")),
    Statement("trust.2", Element.TRUST,
              _("If I make a mistake online, I know I will be supported, not blamed.")),
    Statement("trust.3", Element.TRUST,
              _("I know where to find our guidelines for social media, and they are clear.")),
    Statement("trust.4", Element.TRUST,
              _("Colleagues share what they know about social media with each other.")),
    Statement("trust.5", Element.TRUST,
              _("I feel equipped to take part in conversations about our organisation.")),
    # Top management
    Statement("management.1", Element.MANAGEMENT,
              _("Our management sees the value of conversations on social media.")),
    Statement("management.2", Element.MANAGEMENT,
              _("Managers use social media themselves, in a sensible way.")),
    Statement("management.3", Element.MANAGEMENT,
              _("When a sensitive reply needs a decision, management decides quickly.")),
    Statement("management.4", Element.MANAGEMENT,
              _("Management makes time and budget available for social media.")),
    Statement("management.5", Element.MANAGEMENT,
              _("Results of our social media work are discussed at management level.")),
    # Employees as ambassadors
    Statement("ambassadors.1", Element.AMBASSADORS,
              _("I sometimes share news from our organisation on my own accounts.")),
    Statement("ambassadors.2", Element.AMBASSADORS,
              _("I know how to set the privacy settings of the networks I use.")),
    Statement("ambassadors.3", Element.AMBASSADORS,
              _("I find content from our organisation that is worth sharing easily.")),
    Statement("ambassadors.4", Element.AMBASSADORS,
              _("I have learned something about social media from a colleague this year.")),
    Statement("ambassadors.5", Element.AMBASSADORS,
              _("I would recommend our organisation to friends as a place to work or to get "
                "help.")),
    # Conversation team
    Statement("team.1", Element.TEAM,
              _("It is clear who may speak on behalf of our organisation online.")),
    Statement("team.2", Element.TEAM,
              _("The conversation team has a direct line to management.")),
    Statement("team.3", Element.TEAM,
              _("Questions on social media never fall between two chairs.")),
    Statement("team.4", Element.TEAM,
              _("The conversation team has the mandate to answer without asking permission "
                "every time.")),
    Statement("team.5", Element.TEAM,
              _("The conversation team knows where to find the right answer in the "
                "organisation.")),
)

SCALE = (
    (1, _("Strongly disagree")),
    (2, _("Disagree")),
    (3, _("Neither agree nor disagree")),
    (4, _("Agree")),
    (5, _("Strongly agree")),
)


def statements_for(element: str) -> list[Statement]:
    return [s for s in STATEMENTS if s.element == element]


def statement_keys() -> set[str]:
    return {s.key for s in STATEMENTS}


@dataclass(frozen=True)
class Feature:
    """A part of Samen that helps an element grow; ``app`` and ``path`` make its link."""

    app: str
    path: str
    label: str | Promise

    @property
    def available(self) -> bool:
        return find_spec(f"samen.{self.app}.urls") is not None


INBOX = Feature("inbox", "/inbox/", _("the shared inbox"))
AMBASSADORS = Feature("ambassadors", "/ambassadors/", _("guidelines and the content hub"))
LEARNING = Feature("learning", "/learning/", _("lunch sessions and courses"))
INSIGHTS = Feature("insights", "/insights/", _("the dashboard and the weekly report"))

RECOMMENDATIONS: dict[str, tuple[str | Promise, tuple[Feature, ...]]] = {
    Element.CUSTOMER: (
        _("Bring every channel into one inbox so no question is lost, answer in the "
          "customer's language, and follow first-response times against your targets."),
        (INBOX, INSIGHTS),
    ),
    Element.TRUST: (
        _("Publish short guidelines whose main rule is to use your common sense, and let "
          "enthusiastic colleagues host lunch sessions where people learn from each other."),
        (AMBASSADORS, LEARNING),
    ),
    Element.MANAGEMENT: (
        _("Send management the weekly report, discuss it in their meeting, and let them "
          "decide escalations quickly; invite them to share the organisation's news "
          "themselves."),
        (INSIGHTS, INBOX),
    ),
    Element.AMBASSADORS: (
        _("Offer content worth sharing in the content hub, explain privacy settings per "
          "network, and thank colleagues who take part. Never watch private accounts."),
        (AMBASSADORS, LEARNING),
    ),
    Element.TEAM: (
        _("Give the conversation team a clear mandate per account, routing so every "
          "question has an owner, and a four-eyes escalation to management for sensitive "
          "replies."),
        (INBOX,),
    ),
}
