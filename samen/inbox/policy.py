"""Pure policy: routing conditions, SLA targets, escalation reasons, reply placeholders.

No Django import, so each rule is a plain function of plain facts (NetBox's habit: conditions
are data, evaluated by one small module).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# Facts a routing rule may test, and the values the UI offers.
ROUTING_FACTS = ("language", "channel", "rule", "intent", "sentiment", "urgent")


def conditions_match(conditions: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    """True when every condition holds. A condition is ``fact: [allowed values]``; an empty
    list or a missing fact in ``conditions`` means "any". ``rule`` matches when any of the
    conversation's listening rules is allowed."""
    for fact, allowed in conditions.items():
        if allowed in (None, "", []):
            continue
        values = allowed if isinstance(allowed, list) else [allowed]
        actual = facts.get(fact)
        if isinstance(actual, list | tuple | set | frozenset):
            if not set(map(str, actual)) & set(map(str, values)):
                return False
        elif str(actual).lower() not in {str(v).lower() for v in values}:
            return False
    return True


def round_robin(member_ids: Sequence[int], away_ids: set[int], pointer: int) -> tuple[int | None,
                                                                                     int]:
    """The next member who is not away, starting at ``pointer``; returns (member, new pointer).

    (None, pointer) when everyone is away: the conversation waits for the team.
    """
    n = len(member_ids)
    for step in range(n):
        index = (pointer + step) % n
        if member_ids[index] not in away_ids:
            return member_ids[index], (index + 1) % n
    return None, pointer


# --- SLA -----------------------------------------------------------------------------------

# Used until the comms lead sets targets in the UI: minutes (first response, resolution).
DEFAULT_SLA: dict[str, tuple[int, int]] = {
    "high": (60, 8 * 60),
    "normal": (4 * 60, 48 * 60),
    "low": (24 * 60, 5 * 24 * 60),
}


@dataclass(frozen=True, slots=True)
class Target:
    first_response_minutes: int
    resolution_minutes: int


def pick_target(targets: Mapping[tuple[str, str], Target], *, channel: str,
                priority: str) -> Target:
    """A channel's own target wins over the any-channel one, which wins over the default."""
    for key in ((channel, priority), ("", priority)):
        if key in targets:
            return targets[key]
    first, resolution = DEFAULT_SLA.get(priority, DEFAULT_SLA["normal"])
    return Target(first, resolution)


def due_times(target: Target, start: datetime) -> tuple[datetime, datetime]:
    return (start + timedelta(minutes=target.first_response_minutes),
            start + timedelta(minutes=target.resolution_minutes))


# --- escalation ----------------------------------------------------------------------------

HIGH_REACH = 5000  # followers from which a negative conversation goes to management


def escalation_reasons(*, urgent: bool, contact_kind: str, sentiment: str, followers: int,
                       crisis_mode: bool) -> list[str]:
    """Why a reply needs a manager's approval before it goes out (empty: it does not)."""
    reasons = []
    if crisis_mode:
        reasons.append("crisis_mode")
    if urgent:
        reasons.append("urgent")
    if contact_kind in ("press", "public_figure"):
        reasons.append(contact_kind)
    if sentiment == "negative" and followers >= HIGH_REACH:
        reasons.append("negative_high_reach")
    return reasons


# --- placeholders and mentions ---------------------------------------------------------------

PLACEHOLDERS = ("contact_name", "agent_first_name")


_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def fill_placeholders(body: str, *, contact_name: str, agent_first_name: str) -> str:
    """Replace the known placeholders; anything else in braces stays as written."""
    values = {"contact_name": contact_name, "agent_first_name": agent_first_name}
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], body)


MENTION = re.compile(r"(?<![\w@])@([\w.\-]+)")


def mentioned_usernames(text: str) -> list[str]:
    """``@username`` words in an internal note, in order, once each."""
    seen: list[str] = []
    for name in MENTION.findall(text):
        name = name.rstrip(".-")
        if name and name not in seen:
            seen.append(name)
    return seen


def fold_accents(text: str) -> str:
    """"Café inondée" → "Cafe inondee"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed
                                                if not unicodedata.combining(c)))
