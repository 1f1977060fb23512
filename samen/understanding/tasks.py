"""Background work of understanding: thin shells around selectors and the mail layer."""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from samen.core.models import Person
from samen.core.roles import Role
from samen.understanding import selectors


def alert_recipients() -> list[Person]:
    """Comms leads and managers with an e-mail address: the people alerts are for."""
    return list(Person.objects.filter(is_active=True,
                                      role_grants__role__in=[Role.COMMS_LEAD, Role.MANAGER])
                .exclude(email="").distinct())


@task()
def email_alerts(*, alert_ids: list[int]) -> int:
    """E-mail new trend alerts to comms leads and managers, each in their own language.

    Returns the number of messages sent. Runs outside the request and the ingest batch, so a
    slow mail server slows neither.
    """
    found = list(selectors.alerts().filter(pk__in=alert_ids))
    if not found:
        return 0
    sent = 0
    for person in alert_recipients():
        with translation.override(person.language or "nl"):
            lines = [
                _("%(what)s: %(observed)s posts in the last hour, expected %(expected)s "
                  "(rising since %(since)s).") % {
                    "what": a.label, "observed": a.observed,
                    "expected": f"{a.expected:.1f}", "since": a.since.strftime("%H:%M")}
                for a in found
            ]
            subject = ngettext("Samen: %(count)s new trend alert",
                               "Samen: %(count)s new trend alerts", len(found)) % {
                "count": len(found)}
            body = "\n".join([*lines, "", _("See all alerts in Samen under Listening.")])
        sent += send_mail(subject, body, None, [person.email], fail_silently=False)
    return sent
