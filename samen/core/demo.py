"""``samen demo``: a realistic organisation in nl, fr and en, so a newcomer sees everything.

Every app may add its part in its own ``demo.py`` by calling :func:`register`. Seeding is
idempotent: running the demo again reuses what is there and adds only what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from samen.core import actions
from samen.core.models import Organisation, Person
from samen.core.roles import Role

DEMO_PASSWORD = "samen-demo"


@dataclass
class DemoContext:
    """What earlier seeders made, for later ones to build on."""

    organisation: Organisation
    people: dict[str, Person] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)


_seeders: list[tuple[int, str, Callable[[DemoContext], None]]] = []


def register(order: int, name: str) -> Callable[[Callable[[DemoContext], None]],
                                                 Callable[[DemoContext], None]]:
    def decorator(fn: Callable[[DemoContext], None]) -> Callable[[DemoContext], None]:
        if all(n != name for _o, n, _f in _seeders):
            _seeders.append((order, name, fn))
        return fn
    return decorator


# (username, first, last, language, department, roles, what the log-in is for)
DEMO_PEOPLE = [
    ("lotte", "Lotte", "Peeters", "nl", "Communicatie", [Role.COMMS_LEAD, Role.TEAM],
     "comms lead"),
    ("jonas", "Jonas", "De Smet", "nl", "Communicatie", [Role.TEAM], "conversation team (mandate)"),
    ("camille", "Camille", "Dubois", "fr", "Communication", [Role.TEAM],
     "conversation team (no mandate)"),
    ("sofie", "Sofie", "Janssens", "nl", "Directie", [Role.MANAGER], "manager"),
    ("amina", "Amina", "El Idrissi", "en", "Burgerzaken", [Role.AMBASSADOR], "ambassador"),
]


@register(0, "core.people")
def seed_people(ctx: DemoContext) -> None:
    for username, first, last, language, department, roles, _purpose in DEMO_PEOPLE:
        person = Person.objects.filter(username=username).first()
        if person is None:
            person = actions.do_create_person(
                username=username, password=DEMO_PASSWORD, first_name=first, last_name=last,
                email=f"{username}@stad.example", language=language, department=department,
                roles=roles, by=None,
            )
        ctx.people[username] = person


def seed(*, organisation_name: str = "Stad Samenburg") -> DemoContext:
    """Run every registered seeder in order, each in its own transaction."""
    autodiscover_modules("demo")
    org = actions.get_or_create_organisation(name=organisation_name)
    ctx = DemoContext(organisation=org)
    for _order, _name, fn in sorted(_seeders, key=lambda s: (s[0], s[1])):
        with transaction.atomic():
            fn(ctx)
    return ctx


def login_lines() -> list[tuple[str, str, str]]:
    return [(u, DEMO_PASSWORD, purpose) for u, *_rest, purpose in DEMO_PEOPLE]
