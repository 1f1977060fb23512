"""Builders for the ambassadors tests, through the actions layer."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from samen.ambassadors import actions
from samen.ambassadors.models import HubItem, PrivacyGuide
from samen.core.models import Person


def hub_item(*, by: Person, title: str = "Nieuwe fietsstraten",
             url: str = "https://stad.example/nieuws/fietsstraten", department: str = "",
             ends_on: date | None = None, text_en: str = "Cycle streets from Monday!",
             text_nl: str = "Fietsstraten vanaf maandag!",
             text_fr: str = "Rues cyclables dès lundi !") -> HubItem:
    return actions.do_save_hub_item(
        title=title, url=url, text_nl=text_nl, text_fr=text_fr, text_en=text_en,
        department=department, ends_on=ends_on or timezone.localdate() + timedelta(days=7),
        by=by)


def privacy_guide(*, network: str = "mastodon", steps: int = 3) -> PrivacyGuide:
    return actions.do_save_privacy_guide(
        data=actions.GuideData(
            network=network, name=network.capitalize(), last_checked=timezone.localdate(),
            intro={"en": "Intro", "nl": "Inleiding", "fr": "Introduction"},
            steps=[{"en": f"Step {i}", "nl": f"Stap {i}", "fr": f"Étape {i}"}
                   for i in range(1, steps + 1)]),
        owner=None, by=None)
