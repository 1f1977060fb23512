"""Reads of the ambassadors app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Q, QuerySet, Value
from django.utils import timezone

from samen.ambassadors.models import (
    Acknowledgement,
    AmbassadorPreference,
    Click,
    GuidelineVersion,
    HubItem,
    Network,
    PrivacyGuide,
    Share,
    StepTick,
    TrackedLink,
)
from samen.core.models import Person
from samen.sources.models import Direction, Post, Provider

STALE_AFTER = timedelta(days=183)  # about six months


def current_guidelines() -> GuidelineVersion | None:
    return GuidelineVersion.objects.order_by("-number").first()


def guideline_history() -> QuerySet[GuidelineVersion]:
    return GuidelineVersion.objects.select_related("published_by").order_by("-number")


def has_acknowledged(*, person: Person, version: GuidelineVersion | None) -> bool:
    if version is None:
        return False
    return Acknowledgement.objects.filter(person=person, version=version).exists()


@dataclass(frozen=True)
class DepartmentCount:
    department: str
    acknowledged: int
    not_yet: int

    @property
    def total(self) -> int:
        return self.acknowledged + self.not_yet


def acknowledgement_counts(version: GuidelineVersion | None) -> list[DepartmentCount]:
    """Per department: how many active people acknowledged ``version`` and how many not yet.
    Counts only: the lead sees where to explain again, not whom to chase."""
    people = Person.objects.filter(is_active=True)
    acked = (Count("guideline_acknowledgements", distinct=True,
                   filter=Q(guideline_acknowledgements__version=version))
             if version is not None else Value(0))
    rows = (people.values("department")
            .annotate(total=Count("id", distinct=True), acked=acked)
            .order_by("department"))
    return [DepartmentCount(department=r["department"], acknowledged=r["acked"],
                            not_yet=r["total"] - r["acked"]) for r in rows]


def privacy_guides() -> QuerySet[PrivacyGuide]:
    return PrivacyGuide.objects.select_related("owner").prefetch_related("steps")


def is_stale(guide: PrivacyGuide, *, today: date | None = None) -> bool:
    return (today or timezone.localdate()) - guide.last_checked > STALE_AFTER


def ticked_step_ids(*, person: Person) -> set[int]:
    """The steps ``person`` ticked. Only ever called with the logged-in person themselves."""
    return set(StepTick.objects.filter(person=person).values_list("step_id", flat=True))


def preference_of(person: Person) -> AmbassadorPreference:
    pref = AmbassadorPreference.objects.filter(person=person).first()
    return pref or AmbassadorPreference(person=person)


def current_items_for(person: Person, *, today: date | None = None) -> QuerySet[HubItem]:
    """Items still running, for everyone or for the person's department."""
    today = today or timezone.localdate()
    audience = Q(department="")
    if person.department:
        audience |= Q(department__iexact=person.department)
    return HubItem.objects.filter(audience, ends_on__gte=today)


def all_items() -> QuerySet[HubItem]:
    return HubItem.objects.annotate(
        share_count=Count("shares", distinct=True),
        click_count=Count("links__clicks", distinct=True),
    ).order_by("-created_at", "-id")


def clicks_per_network(item: HubItem) -> list[dict[str, object]]:
    clicks = dict(Click.objects.filter(link__item=item).values_list("link__network")
                  .annotate(n=Count("id")).order_by())
    shares = dict(Share.objects.filter(item=item).values_list("network")
                  .annotate(n=Count("id")).order_by())
    networks = sorted(set(clicks) | set(shares))
    labels = dict(Network.choices)
    return [{"network": labels.get(n, n), "shares": shares.get(n, 0), "clicks": clicks.get(n, 0)}
            for n in networks]


def my_links(person: Person) -> QuerySet[TrackedLink]:
    """The person's own links with their click counts (shown to them only)."""
    return (TrackedLink.objects.filter(person=person).select_related("item")
            .annotate(click_count=Count("clicks")).order_by("-created_at"))


def leaderboard(*, limit: int = 10) -> list[dict[str, object]]:
    """Shares and clicks of people who opted in; everyone else is simply not there."""
    opted = AmbassadorPreference.objects.filter(leaderboard_opt_in=True).values("person_id")
    share_counts = dict(Share.objects.filter(person_id__in=opted).values_list("person_id")
                        .annotate(n=Count("id")).order_by())
    click_counts = dict(Click.objects.filter(link__person_id__in=opted)
                        .values_list("link__person_id").annotate(n=Count("id")).order_by())
    rows = [{"person": p, "shares": share_counts.get(p.pk, 0), "clicks": click_counts.get(p.pk, 0)}
            for p in Person.objects.filter(pk__in=opted, is_active=True)]
    rows.sort(key=lambda r: (-int(r["clicks"]), -int(r["shares"]), str(r["person"])))  # type: ignore[call-overload]
    return rows[:limit]


def link_by_code(code: str) -> TrackedLink | None:
    return TrackedLink.objects.filter(code=code).first()


def shareable_posts(*, limit: int = 15) -> list[Post]:
    """Recent public posts the comms team may turn into hub items: the organisation's own posts
    (sent, or written by one of its accounts) and items of the feeds it follows."""
    own = (Q(direction=Direction.OUTBOUND) | Q(source=Provider.FEED)
           | Q(author_handle=F("account__handle")))
    return list(Post.objects.filter(own, deleted_at__isnull=True, visibility="public")
                .exclude(url="").select_related("account").order_by("-created_at")[:limit])


def post_for_hub(pk: str) -> Post | None:
    """One post from :func:`shareable_posts`' set, or None (never an arbitrary post)."""
    if not pk.isdigit():
        return None
    own = (Q(direction=Direction.OUTBOUND) | Q(source=Provider.FEED)
           | Q(author_handle=F("account__handle")))
    return Post.objects.filter(own, pk=int(pk)).exclude(url="").first()
