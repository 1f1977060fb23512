"""Loading the starting set of privacy guides through the actions layer."""

from __future__ import annotations

from samen.ambassadors import actions
from samen.ambassadors.models import PrivacyGuide
from samen.ambassadors.starter_guides import GUIDES
from samen.core.models import Person


def load_starter_guides(*, owner: Person | None = None) -> int:
    """Add the guides that do not exist yet (edited guides are left alone). Returns how many
    were added."""
    existing = set(PrivacyGuide.objects.values_list("network", flat=True))
    added = 0
    for order, (network, name, checked, intro, steps) in enumerate(GUIDES):
        if network in existing:
            continue
        actions.do_save_privacy_guide(
            data=actions.GuideData(
                network=network, name=name, last_checked=checked, order=order,
                intro=dict(zip(("nl", "fr", "en"), intro, strict=True)),
                steps=[dict(zip(("nl", "fr", "en"), s, strict=True)) for s in steps]),
            owner=owner, by=None)
        added += 1
    return added
