"""The navigation registry: each app declares its pages and who may see them in ``nav.py``.

Keeps the base template free of knowledge about apps, and lets tests walk every page for
every role.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    roles: tuple[str, ...]  # empty: everyone who is logged in
    order: int = 100


_items: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _items[item.key] = item


def items_for(roles: frozenset[str]) -> list[NavItem]:
    visible = [i for i in _items.values() if not i.roles or roles.intersection(i.roles)]
    return sorted(visible, key=lambda i: (i.order, i.key))


def all_items() -> list[NavItem]:
    return sorted(_items.values(), key=lambda i: (i.order, i.key))
