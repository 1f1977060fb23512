"""The navigation registry: each app declares its pages and who may see them in ``nav.py``.

Keeps the base template free of knowledge about apps, and lets tests walk every page for
every role. Someone with several roles would see twenty links in a row, so past
``FLAT_LIMIT`` items the menu is shown in a few groups that open on demand.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Past this many links, the menu is grouped (an ambassador's seven links stay in one row).
FLAT_LIMIT = 8


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    roles: tuple[str, ...]  # empty: everyone who is logged in
    order: int = 100
    group: str = "conversations"  # a key of GROUPS


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str | Promise
    items: tuple[NavItem, ...]


# The groups follow the model: the conversation team's work, listening and what management
# sees, the ambassadors and peer learning, and running Samen.
GROUPS: dict[str, str | Promise] = {
    "conversations": _("Conversations"),
    "insights": _("Listening and insights"),
    "ambassadors": _("Ambassadors and learning"),
    "admin": _("Administration"),
}


_items: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    if item.group not in GROUPS:
        raise ValueError(f"Unknown navigation group {item.group!r} for {item.key!r}")
    _items[item.key] = item


def items_for(roles: frozenset[str]) -> list[NavItem]:
    visible = [i for i in _items.values() if not i.roles or roles.intersection(i.roles)]
    return sorted(visible, key=lambda i: (i.order, i.key))


def all_items() -> list[NavItem]:
    return sorted(_items.values(), key=lambda i: (i.order, i.key))


def groups_for(roles: frozenset[str]) -> list[NavGroup]:
    """The visible items in their groups, in the order of GROUPS; empty groups left out."""
    items = items_for(roles)
    return [NavGroup(key, label, tuple(i for i in items if i.group == key))
            for key, label in GROUPS.items() if any(i.group == key for i in items)]
