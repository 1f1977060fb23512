"""Every write of the inbox. Views, tasks, receivers, the demo and tests call these.

Order for each write (STYLE.md): ``transaction.atomic``; ``select_for_update`` where two
people can race; validate; save with ``update_fields``; history row and audit record; tasks
in ``transaction.on_commit``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core import audit
from samen.core.ids import among, one_of
from samen.core.models import Organisation, Person
from samen.core.roles import Role
from samen.inbox import intake, policy, workflow
from samen.inbox.daysummary import (  # noqa: F401  (the summary's writes, in their module)
    do_rebuild_conversation_days,
    do_refresh_conversation_days,
)
from samen.inbox.errors import MandateRequired, NotAllowed, ReplyStateError
from samen.inbox.models import (
    Availability,
    Contact,
    ContactEvent,
    ContactHandle,
    Conversation,
    ConversationEvent,
    ConversationPost,
    EventKind,
    Notice,
    Presence,
    Reply,
    ReplyState,
    RoutingRule,
    SavedFilter,
    SavedReply,
    SearchEntry,
    SlaTarget,
    Team,
)
from samen.inbox.workflow import State
from samen.sources import selectors as source_selectors
from samen.sources.actions import MAX_DELIVERY_ATTEMPTS, do_mark_needs_attention
from samen.sources.ingest import read_back, store_batch
from samen.sources.models import Account, Direction, Post
from samen.sources.types import NormalizedPost

# --------------------------------------------------------------------------- history helpers


def _event(conversation: Conversation, kind: str, *, actor: Person | None = None,
           from_state: str = "", to_state: str = "", text: str = "",
           data: dict[str, Any] | None = None, at: datetime | None = None) -> ConversationEvent:
    return ConversationEvent.objects.create(
        conversation=conversation, kind=kind, actor=actor, from_state=from_state,
        to_state=to_state, text=text, data=data or {}, at=at or timezone.now())


def _notify(people: Iterable[Person], *, kind: str, text: str,
            conversation: Conversation | None) -> None:
    Notice.objects.bulk_create([Notice(person=p, kind=kind, text=text, conversation=conversation)
                                for p in people])


def _crisis_mode() -> bool:
    org = Organisation.objects.order_by("pk").only("crisis_mode").first()
    return bool(org and org.crisis_mode)


# ----------------------------------------------------------------------------- the workflow


def _step(conversation: Conversation, target: State, *, by: Person | None,
          reason: str = "") -> None:
    current = conversation.state
    workflow.check(current, target)
    conversation.state = target.value
    fields = ["state"]
    if target == State.RESOLVED:
        conversation.resolved_at = timezone.now()
        fields.append("resolved_at")
    elif target == State.OPEN and current in (State.RESOLVED, State.CLOSED):
        conversation.resolved_at = None
        fields.append("resolved_at")
    conversation.save(update_fields=fields)
    _event(conversation, EventKind.STATE, actor=by, from_state=current, to_state=target.value,
           text=reason)


@transaction.atomic
def do_transition(*, conversation: Conversation, to: str, by: Person | None,
                  reason: str = "") -> Conversation:
    """Move the conversation to ``to``; raises ``workflow.InvalidTransition`` when the table
    does not allow it. The history gains one row; the audit log one event."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    before = conversation.state
    _step(conversation, State(to), by=by, reason=reason)
    audit.record(actor=by, action="inbox.conversation.state", target=conversation,
                 data={"from": before, "to": to})
    return conversation


def _walk_to(conversation: Conversation, target: State, *, by: Person | None) -> None:
    for step in workflow.path_to(conversation.state, target):
        _step(conversation, step, by=by)


# ------------------------------------------------------------------------------- contacts


def _searchable(text: str) -> str:
    """The text plus its accent-free spelling, so "inondee" finds "inondée" on every
    database (PostgreSQL's stemmers keep accents unless the unaccent extension is there)."""
    folded = policy.fold_accents(text)
    return text if folded == text else f"{text}\n{folded}"


def _contact_entry(contact: Contact) -> None:
    handles = " ".join(contact.handles.values_list("handle", flat=True))
    body = _searchable(f"{contact.display_name} {handles} {contact.notes}".strip())
    updated = SearchEntry.objects.filter(contact=contact, post_id=None).update(
        body=body, language=contact.language)
    if not updated:
        SearchEntry.objects.create(contact=contact, body=body, language=contact.language)


@transaction.atomic
def do_update_contact(*, contact: Contact, by: Person, display_name: str, language: str,
                      notes: str, kind: str, followers: int) -> Contact:
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    changes = {}
    for field, value in (("display_name", display_name), ("language", language),
                         ("notes", notes), ("kind", kind), ("followers", followers)):
        if getattr(contact, field) != value:
            changes[field] = value
            setattr(contact, field, value)
    if changes:
        contact.save(update_fields=list(changes))
        ContactEvent.objects.create(contact=contact, actor=by, kind="edited",
                                    data={"fields": sorted(changes)})
        _contact_entry(contact)
        audit.record(actor=by, action="inbox.contact.edited", target=contact,
                     data={"fields": sorted(changes)})
    return contact


@transaction.atomic
def do_merge_contacts(*, source: Contact, into: Contact, by: Person) -> Contact:
    """Move every handle and conversation of ``source`` to ``into``; ``source`` stays as a
    pointer so its history (and a later split) can be followed."""
    if source.pk == into.pk:
        raise ReplyStateError(_("A contact cannot be merged into itself."), code="same")
    source = Contact.objects.select_for_update().get(pk=source.pk)
    into = Contact.objects.select_for_update().get(pk=into.pk)
    if source.merged_into_id is not None:
        raise ReplyStateError(_("This contact was already merged."), code="merged")
    handles = list(source.handles.values_list("network", "handle"))
    source.handles.update(contact=into)
    Conversation.objects.filter(contact=source).update(contact=into)
    SearchEntry.objects.filter(contact=source, post_id=None).delete()
    source.merged_into = into
    source.save(update_fields=["merged_into"])
    if not into.notes and source.notes:
        into.notes = source.notes
        into.save(update_fields=["notes"])
    data = {"from": source.pk, "into": into.pk, "handles": handles}
    ContactEvent.objects.create(contact=into, actor=by, kind="merged", data=data)
    ContactEvent.objects.create(contact=source, actor=by, kind="merged_into", data=data)
    _contact_entry(into)
    audit.record(actor=by, action="inbox.contact.merged", target=into, data=data)
    return into


@transaction.atomic
def do_split_handle(*, handle: ContactHandle, by: Person) -> Contact:
    """Give ``handle`` (and the conversations written from it) a contact of its own."""
    handle = ContactHandle.objects.select_for_update(of=("self",)).select_related("contact").get(
        pk=handle.pk)
    old = handle.contact
    if old.handles.count() < 2:
        raise ReplyStateError(_("A contact's only handle cannot be split off."), code="only")
    new = Contact.objects.create(display_name=handle.display_name or handle.handle,
                                 language=old.language)
    handle.contact = new
    handle.save(update_fields=["contact"])
    Conversation.objects.filter(contact=old, channel=handle.network,
                                handle=handle.handle).update(contact=new)
    data = {"from": old.pk, "to": new.pk, "network": handle.network, "handle": handle.handle}
    ContactEvent.objects.create(contact=old, actor=by, kind="split", data=data)
    ContactEvent.objects.create(contact=new, actor=by, kind="split_from", data=data)
    _contact_entry(old)
    _contact_entry(new)
    audit.record(actor=by, action="inbox.contact.split", target=new, data=data)
    return new


# ------------------------------------------------------------------------- routing and SLA


def _targets() -> dict[tuple[str, str], policy.Target]:
    return {(t.channel, t.priority): policy.Target(t.first_response_minutes, t.resolution_minutes)
            for t in SlaTarget.objects.all()}


def _set_due_times(conversation: Conversation, *, start: datetime,
                   targets: dict[tuple[str, str], policy.Target] | None = None) -> None:
    target = policy.pick_target(_targets() if targets is None else targets,
                                channel=conversation.channel, priority=conversation.priority)
    conversation.first_response_due, conversation.resolution_due = policy.due_times(target, start)


class _Router:
    """Routing rules, SLA targets and the teams' rotations, read once for a batch of new
    conversations (a team is locked the first time it is needed); ``save`` writes the
    teams' pointers back at the end of the batch."""

    def __init__(self) -> None:
        self.rules = list(RoutingRule.objects.filter(active=True).select_related("team", "person"))
        self.targets = _targets()
        self.now = timezone.now()
        self.teams: dict[int, tuple[Team, list[Person], set[int]]] = {}

    def _next_in_team(self, team: Team) -> Person | None:
        if team.pk not in self.teams:
            locked = Team.objects.select_for_update().get(pk=team.pk)
            members = list(locked.members.filter(is_active=True).order_by("pk"))
            away = set(Availability.objects.filter(person__in=members, away=True)
                       .filter(Q(away_until__isnull=True) | Q(away_until__gt=self.now))
                       .values_list("person_id", flat=True)) if members else set()
            self.teams[team.pk] = (locked, members, away)
        locked, members, away = self.teams[team.pk]
        if not members:
            return None
        chosen, locked.next_index = policy.round_robin([m.pk for m in members], away,
                                                       locked.next_index)
        return next((m for m in members if m.pk == chosen), None)

    def route(self, conversation: Conversation) -> RoutingRule | None:
        """The first active rule whose conditions hold: its team, person and priority."""
        facts = {"language": conversation.language, "channel": conversation.channel,
                 "rule": conversation.rule_names, "intent": conversation.intent,
                 "sentiment": conversation.sentiment, "urgent": conversation.urgent}
        for rule in self.rules:
            if not policy.conditions_match(rule.conditions, facts):
                continue
            if rule.priority:
                conversation.priority = rule.priority
            conversation.team = rule.team
            if rule.person is not None:
                conversation.assignee = rule.person
            elif rule.team is not None:
                conversation.assignee = self._next_in_team(rule.team)
            return rule
        return None

    def save(self) -> None:
        for team, members, _away in self.teams.values():
            if members:
                team.save(update_fields=["next_index"])


# --------------------------------------------------------------------------------- intake

INTAKE_BATCH = 1000  # posts per transaction; each batch costs a fixed number of queries
_INTAKE_FIELDS = ("id", "account_id", "source", "external_id", "author_handle", "author_name",
                  "author_external_id",
                  "text", "language", "intent", "sentiment", "urgent", "mentions",
                  "visibility", "reply_to_external_id", "thread_root_external_id", "created_at")
_REOPENING = (State.WAITING_CUSTOMER, State.RESOLVED, State.CLOSED)

Key = tuple[str, str]  # (source, external id)

# Networks whose author ids are global and never change (a Bluesky DID), while the handle can
# change or arrive later than the first post. There a contact is found by that id first. A
# Mastodon account id is local to one instance, so Mastodon contacts are found by handle.
STABLE_AUTHOR_IDS = frozenset({"bluesky"})


def _author_key(post: Any) -> Key:
    """Who wrote ``post``, as the intake tells authors apart within a batch."""
    if post.source in STABLE_AUTHOR_IDS and post.author_external_id:
        return (post.source, "id:" + post.author_external_id)
    return (post.source, post.author_handle)


def _handles_of(posts: list[Any]) -> dict[Key, ContactHandle]:
    """The stored handles the authors of ``posts`` may have, by (network, handle) and by
    (network, "id:" + stable id); one query."""
    by_network: dict[str, set[str]] = {}
    ids: dict[str, set[str]] = {}
    for p in posts:
        by_network.setdefault(p.source, set()).add(p.author_handle)
        if p.source in STABLE_AUTHOR_IDS and p.author_external_id:
            by_network[p.source].add(p.author_external_id)  # a handle row named by the id
            ids.setdefault(p.source, set()).add(p.author_external_id)
    wanted = Q()
    for network, handles in by_network.items():
        wanted |= Q(network=network, handle__in=handles)
    for network, stable in ids.items():
        wanted |= Q(network=network, external_id__in=stable)
    rows: dict[Key, ContactHandle] = {}
    for row in ContactHandle.objects.filter(wanted).select_related("contact").order_by("pk"):
        rows.setdefault((row.network, row.handle), row)
        if row.external_id:
            rows.setdefault((row.network, "id:" + row.external_id), row)
    return rows


def _matching_handle(post: Any, rows: dict[Key, ContactHandle]) -> ContactHandle | None:
    """The stored handle of ``post``'s author: by stable id, then by handle, then a row that
    was named by the id while the handle was unknown."""
    if post.source in STABLE_AUTHOR_IDS and post.author_external_id:
        did = post.author_external_id
        if (post.source, "id:" + did) in rows:
            return rows[(post.source, "id:" + did)]
        for key in ((post.source, post.author_handle), (post.source, did)):
            row = rows.get(key)
            if row is not None and row.external_id in ("", did):  # not someone else's
                return row
        return None
    return rows.get((post.source, post.author_handle))


def _thread_ids(post: Any) -> list[str]:
    return [x for x in (post.reply_to_external_id, post.thread_root_external_id) if x]


class _Intake:
    """One batch of posts through the intake, in memory first and then written in bulk.

    The posts are taken one by one in time order, exactly as if each were received alone:
    a post joins the conversation of the newest post it answers (or of the organisation's
    reply it answers), also when that post came earlier in the same batch; otherwise it
    becomes a conversation when it is addressed to the organisation or a "to inbox" rule
    matched it. What the database knows is read before (one query per kind of thing, for
    the whole batch) and what changed is written after.
    """

    def __init__(self, posts: list[Any]) -> None:
        self.posts = posts
        self.router: _Router | None = None
        self.touched: list[Conversation] = []
        self.links: list[tuple[Conversation, Any]] = []
        self.events: list[ConversationEvent] = []
        self.created: list[Conversation] = []
        self.changed: dict[int, Conversation] = {}  # stored conversations a post joined
        self.new_contacts: dict[Key, Contact] = {}
        self.new_handles: list[ContactHandle] = []
        self.renamed_handles: dict[int, ContactHandle] = {}  # stored handles a post renamed
        self.renamed_contacts: dict[int, Contact] = {}
        self.activity: dict[int, datetime] = {}  # stored contact → its last activity as read
        self.new_activity: dict[int, datetime] = {}  # ... as this batch leaves it
        self.has_conversation: set[int] = set()  # stored contacts with a conversation

    # --- reading, once per batch

    def read(self) -> None:
        posts = self.posts
        sources = {p.source for p in posts}
        wanted = {(p.source, x) for p in posts for x in _thread_ids(p)}
        linked: dict[Key, tuple[int, datetime]] = {}
        replied: dict[Key, int] = {}
        own: set[Key] = set()
        if wanted:
            ext_ids = sorted({x for _s, x in wanted})
            for conv_id, source, ext, at in ConversationPost.objects.filter(
                    one_of("external_id", ext_ids), source__in=sources).values_list(
                    "conversation_id", "source", "external_id", "created_at"):
                if (source, ext) in wanted:
                    linked[(source, ext)] = (conv_id, at)
            for conv_id, channel, ext in (Reply.objects.filter(one_of("external_id", ext_ids))
                                          .order_by("pk").values_list(
                                              "conversation_id", "conversation__channel",
                                              "external_id")):
                own.add((channel, ext))
                if (channel, ext) in wanted:
                    replied.setdefault((channel, ext), conv_id)
            own.update(Post.objects.filter(one_of("external_id", ext_ids), direction="out",
                                           source__in=sources)
                       .values_list("source", "external_id"))
        ids = {cid for cid, _at in linked.values()} | set(replied.values())
        locked = ({c.pk: c for c in Conversation.objects.select_for_update()
                   .filter(pk__in=ids).order_by("pk")} if ids else {})
        # (source, external id) of a post in a conversation → (conversation, post time)
        self.threads: dict[Key, tuple[Conversation, datetime]] = {
            key: (locked[cid], at) for key, (cid, at) in linked.items() if cid in locked}
        self.replies: dict[Key, Conversation] = {
            key: locked[cid] for key, cid in replied.items() if cid in locked}

        accounts = list(Account.objects.order_by("pk").values_list("pk", "provider", "handle"))
        self.first_account: dict[str, int] = {}
        for pk, provider, _handle in accounts:
            self.first_account.setdefault(provider, pk)
        org = intake.OrgIdentity.build([(p, h) for _pk, p, h in accounts if h], own)
        loose = [p for p in posts
                 if not any((p.source, x) in self.threads or (p.source, x) in self.replies
                            for x in _thread_ids(p))]
        addressed = {p.id for p in loose if intake.addressed_to_organisation(
            source=p.source, text=p.text, mentions=p.mentions or [], visibility=p.visibility,
            reply_to=p.reply_to_external_id, thread_root=p.thread_root_external_id, org=org)}
        # post → names of the rules it matched, for the posts that go to the inbox
        self.inbox = intake.to_inbox([p.id for p in loose], addressed=addressed) \
            if loose else {}
        self._read_contacts([p for p in loose if p.id in self.inbox])

    def _read_contacts(self, posts: list[Any]) -> None:
        self.contacts: dict[Key, Contact] = {}
        if not posts:
            return
        rows = _handles_of(posts)
        found: dict[Key, Contact] = {}
        for post in posts:
            row = _matching_handle(post, rows)
            if row is not None:
                found[_author_key(post)] = row.contact
                self._follow_rename(post, row, rows)
                continue
            stale = rows.get((post.source, post.author_handle))
            if stale is not None and stale.external_id:
                # Someone else (another DID) had this handle before: they are no longer known
                # by it, so their contact keeps their DID and the handle goes to this author.
                if stale.contact.display_name == stale.handle:
                    stale.contact.display_name = stale.external_id
                    self.renamed_contacts[stale.contact.pk] = stale.contact
                stale.handle = stale.external_id
                self.renamed_handles[stale.pk] = stale
        # A merged contact points to the survivor (possibly through several merges).
        known = {c.pk: c for c in found.values()}
        pending = {c.merged_into_id for c in known.values() if c.merged_into_id} - set(known)
        while pending:
            for contact in Contact.objects.filter(pk__in=pending):
                known[contact.pk] = contact
            pending = {c.merged_into_id for c in known.values() if c.merged_into_id} - set(known)
        for key, contact in found.items():
            seen = {contact.pk}
            while contact.merged_into_id is not None and contact.merged_into_id not in seen:
                contact = known[contact.merged_into_id]
                seen.add(contact.pk)
            self.contacts[key] = contact
            self.activity.setdefault(contact.pk, contact.last_activity_at)
        self.has_conversation = set(Conversation.objects.filter(
            contact_id__in=self.activity).values_list("contact_id", flat=True).distinct())

    # --- deciding, post by post, in memory

    def _thread_of(self, post: Any) -> Conversation | None:
        keys = [(post.source, x) for x in _thread_ids(post)]
        found = [self.threads[k] for k in keys if k in self.threads]
        if found:  # the newest post it answers
            return max(found, key=lambda item: item[1])[0]
        return next((self.replies[k] for k in keys if k in self.replies), None)

    def _set_activity(self, conversation: Conversation, when: datetime) -> None:
        if conversation.contact_id is None:  # a contact made in this batch
            conversation.contact.last_activity_at = when
        else:
            self.new_activity[conversation.contact_id] = when

    def _follow_rename(self, post: Any, row: ContactHandle,
                       rows: dict[Key, ContactHandle]) -> None:
        """A Bluesky author found by their DID under another handle (a new handle, or the
        DID itself while the name was not known yet): the handle follows, and so does the
        contact's name when it was only that handle."""
        if post.source not in STABLE_AUTHOR_IDS or not post.author_external_id:
            return
        handle, did = post.author_handle, post.author_external_id
        if row.external_id == did and row.handle == handle:
            return
        old = row.handle
        row.external_id = did
        # ``rows`` holds every stored handle named like this batch's authors, so it
        # tells whether another contact already has the new handle.
        taken = rows.get((post.source, handle))
        if handle and handle != old and (taken is None or taken.pk == row.pk):
            row.handle = handle
            if post.author_name:
                row.display_name = post.author_name
            contact = row.contact
            if contact.display_name in (old, did):
                contact.display_name = post.author_name or handle
                self.renamed_contacts[contact.pk] = contact
        self.renamed_handles[row.pk] = row

    def _contact_for(self, post: Any) -> tuple[Contact, bool]:
        """The author's contact, and whether it had a conversation before this post."""
        key = _author_key(post)
        if key in self.contacts:
            contact = self.contacts[key]
            had = contact.pk in self.has_conversation
            self.has_conversation.add(contact.pk)
            return contact, had
        if key in self.new_contacts:
            return self.new_contacts[key], True
        contact = Contact(display_name=post.author_name or post.author_handle,
                          language=post.language)
        self.new_contacts[key] = contact
        self.new_handles.append(ContactHandle(
            contact=contact, network=post.source, handle=post.author_handle,
            display_name=post.author_name,
            external_id=(post.author_external_id if post.source in STABLE_AUTHOR_IDS else "")))
        return contact, False

    def _join(self, conversation: Conversation, post: Any) -> None:
        self.events.append(ConversationEvent(conversation=conversation, kind=EventKind.POST,
                                             data={"post": post.id}, at=post.created_at))
        if conversation.state in _REOPENING:
            current = conversation.state
            workflow.check(current, State.OPEN)
            conversation.state = State.OPEN.value
            if current in (State.RESOLVED, State.CLOSED):
                conversation.resolved_at = None
            self.events.append(ConversationEvent(
                conversation=conversation, kind=EventKind.STATE, from_state=current,
                to_state=State.OPEN.value, at=timezone.now(),
                text="reopened" if current != State.WAITING_CUSTOMER else ""))
        conversation.last_activity_at = max(conversation.last_activity_at, post.created_at)
        conversation.post_count += 1
        conversation.urgent = conversation.urgent or post.urgent
        self._set_activity(conversation, conversation.last_activity_at)
        if conversation.pk is not None:
            self.changed[conversation.pk] = conversation

    def _start(self, post: Any, rule_names: list[str]) -> Conversation:
        contact, had_conversation = self._contact_for(post)
        conversation = Conversation(
            contact=contact, account_id=post.account_id or self.first_account.get(post.source),
            channel=post.source, handle=post.author_handle,
            root_external_id=post.thread_root_external_id or post.external_id,
            subject=" ".join(post.text.split())[:200], language=post.language,
            intent=post.intent, sentiment=post.sentiment, urgent=post.urgent,
            priority="high" if post.urgent else "normal", rule_names=rule_names,
            created_at=post.created_at, last_activity_at=post.created_at, post_count=1)
        if self.router is None:
            self.router = _Router()
        rule = self.router.route(conversation)
        _set_due_times(conversation, start=post.created_at, targets=self.router.targets)
        self.events.append(ConversationEvent(conversation=conversation, kind=EventKind.CREATED,
                                             data={"post": post.id}, at=post.created_at))
        if rule is not None:
            self.events.append(ConversationEvent(
                conversation=conversation, kind=EventKind.ASSIGNED, at=timezone.now(),
                data={"rule": rule.name, "team": conversation.team_id,
                      "to": conversation.assignee_id}))
        if contact.pk is None:
            last = contact.last_activity_at if had_conversation else None
        else:
            last = self.new_activity.get(contact.pk, self.activity[contact.pk]) \
                if had_conversation else None
        if last is None or last < post.created_at:
            self._set_activity(conversation, post.created_at)
        self.created.append(conversation)
        return conversation

    def decide(self) -> None:
        for post in self.posts:
            conversation = self._thread_of(post)
            if conversation is not None:
                self._join(conversation, post)
            elif post.id in self.inbox:
                conversation = self._start(post, self.inbox[post.id])
            else:
                continue
            self.links.append((conversation, post))
            self.threads[(post.source, post.external_id)] = (conversation, post.created_at)
            self.touched.append(conversation)

    # --- writing, in bulk

    def write(self) -> None:
        if self.renamed_handles:
            ContactHandle.objects.bulk_update(list(self.renamed_handles.values()),
                                              ["handle", "display_name", "external_id"])
        if self.new_contacts:
            Contact.objects.bulk_create(list(self.new_contacts.values()))
            ContactHandle.objects.bulk_create(self.new_handles)
            ContactEvent.objects.bulk_create([
                ContactEvent(contact=h.contact, kind="created",
                             data={"network": h.network, "handle": h.handle})
                for h in self.new_handles])
            SearchEntry.objects.bulk_create([
                SearchEntry(contact=h.contact, language=h.contact.language,
                            body=_searchable(f"{h.contact.display_name} {h.handle}".strip()))
                for h in self.new_handles])
        if self.renamed_handles:
            Contact.objects.bulk_update(list(self.renamed_contacts.values()), ["display_name"])
            ContactEvent.objects.bulk_create([
                ContactEvent(contact_id=h.contact_id, kind="handle_changed",
                             data={"network": h.network, "handle": h.handle,
                                   "external_id": h.external_id})
                for h in self.renamed_handles.values()])
            for contact_id in {h.contact_id for h in self.renamed_handles.values()}:
                _contact_entry(Contact.objects.get(pk=contact_id))
        if self.created:
            Conversation.objects.bulk_create(self.created)
        ConversationPost.objects.bulk_create([
            ConversationPost(conversation=c, post_id=p.id, source=p.source,
                             external_id=p.external_id, created_at=p.created_at)
            for c, p in self.links])
        SearchEntry.objects.bulk_create([
            SearchEntry(conversation=c, contact_id=c.contact_id, post_id=p.id,
                        language=p.language,
                        body=_searchable(f"{p.author_name} {p.author_handle} {p.text}"))
            for c, p in self.links])
        ConversationEvent.objects.bulk_create(self.events)
        if self.changed:
            Conversation.objects.bulk_update(
                list(self.changed.values()),
                ["state", "resolved_at", "last_activity_at", "post_count", "urgent"])
        if self.new_activity:
            Contact.objects.bulk_update([Contact(pk=pk, last_activity_at=at)
                                         for pk, at in self.new_activity.items()],
                                        ["last_activity_at"])
        if self.router is not None:
            self.router.save()


@transaction.atomic
def _receive_batch(posts: list[Any]) -> list[Conversation]:
    ids = {p.id for p in posts}
    done = ids.intersection(ConversationPost.objects.filter(among("post_id", ids))
                            .values_list("post_id", flat=True))
    batch = _Intake([p for p in posts if p.id not in done])
    if not batch.posts:
        return []
    batch.read()
    batch.decide()
    batch.write()
    return batch.touched


def _receive_alone(post: Any) -> list[Conversation]:
    """One post in its own transaction; a second try when another worker took the post or
    made the author's contact at the same moment (the try then sees what it did)."""
    try:
        return _receive_batch([post])
    except IntegrityError:
        return _receive_batch([post])


def do_receive_posts(*, post_ids: Iterable[int],
                     stored: Mapping[int, Sequence[Any]] | None = None) -> list[Conversation]:
    """Turn new posts into conversations (or add them to their thread).

    Idempotent: a post already in a conversation is skipped, so receiving a batch twice, or
    after a crash half-way, changes nothing more. The posts are taken in time order, up to
    ``INTAKE_BATCH`` per transaction and a fixed number of queries per batch, whatever its
    size: no query per post. Should a batch fail (another worker received the same posts at
    the same moment, or one post cannot be received), it is rolled back and its posts are
    received one by one, each in its own transaction, so one bad post does not hold back
    the others; the first error is raised after them. Returns the conversations created or
    extended, one per post received. ``stored``: rows this process just inserted, passed on
    by understanding (see ``sources.ingest.read_back``), so they are not read back.
    """
    ids = list(post_ids)
    if not ids:
        return []
    posts = read_back(ids, _INTAKE_FIELDS, inbound_only=True, stored=stored)
    touched: list[Conversation] = []
    for start in range(0, len(posts), INTAKE_BATCH):
        batch = posts[start:start + INTAKE_BATCH]
        try:
            touched.extend(_receive_batch(batch))
        except Exception:
            if len(batch) == 1:
                raise
            first_error: Exception | None = None
            for post in batch:
                try:
                    touched.extend(_receive_alone(post))
                except Exception as error:
                    first_error = first_error or error
            if first_error is not None:
                raise first_error from None
    return touched


# ----------------------------------------------------------------------------- assignment


@transaction.atomic
def do_assign(*, conversation: Conversation, to: Person | None, by: Person,
              team: Team | None = None) -> Conversation:
    """Give the conversation to ``to`` (None: back to unassigned). Assigning a new
    conversation opens it: someone is now working on it."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if to is not None and not to.has_role(Role.TEAM):
        raise NotAllowed(_("Only members of the conversation team can be assigned."))
    before = conversation.assignee_id
    conversation.assignee = to
    fields = ["assignee"]
    if team is not None:
        conversation.team = team
        fields.append("team")
    conversation.save(update_fields=fields)
    _event(conversation, EventKind.ASSIGNED, actor=by,
           data={"from": before, "to": to.pk if to else None,
                 "to_name": str(to) if to else ""})
    if to is not None and conversation.state == State.NEW:
        _step(conversation, State.OPEN, by=by)
    audit.record(actor=by, action="inbox.conversation.assigned", target=conversation,
                 data={"from": before, "to": to.pk if to else None})
    return conversation


@transaction.atomic
def do_set_priority(*, conversation: Conversation, priority: str, urgent: bool,
                    by: Person) -> Conversation:
    """Change priority or urgency; the SLA due times follow the new priority."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    before = (conversation.priority, conversation.urgent)
    conversation.priority, conversation.urgent = priority, urgent
    _set_due_times(conversation, start=conversation.created_at)
    conversation.save(update_fields=["priority", "urgent", "first_response_due",
                                     "resolution_due"])
    _event(conversation, EventKind.PRIORITY, actor=by,
           data={"from": list(before), "to": [priority, urgent]})
    audit.record(actor=by, action="inbox.conversation.priority", target=conversation,
                 data={"priority": priority, "urgent": urgent})
    return conversation


@transaction.atomic
def do_set_away(*, person: Person, away: bool, until: datetime | None = None,
                by: Person) -> Availability:
    availability, _created = Availability.objects.select_for_update().get_or_create(
        person=person)
    availability.away, availability.away_until = away, until if away else None
    availability.changed_at = timezone.now()
    availability.save(update_fields=["away", "away_until", "changed_at"])
    audit.record(actor=by, action="inbox.person.away", target=person,
                 data={"away": away, "until": until.isoformat() if until else None})
    return availability


# ------------------------------------------------------------------------------ notes


@transaction.atomic
def do_add_note(*, conversation: Conversation, by: Person, text: str) -> ConversationEvent:
    """An internal note (never sent). ``@username`` tells that colleague with a notice."""
    text = text.strip()
    if not text:
        raise ReplyStateError(_("A note cannot be empty."), code="empty")
    names = policy.mentioned_usernames(text)
    mentioned = list(Person.objects.filter(username__in=names, is_active=True)
                     .exclude(pk=by.pk)) if names else []
    event = _event(conversation, EventKind.NOTE, actor=by, text=text,
                   data={"mentions": [p.pk for p in mentioned]})
    _notify(mentioned, kind="mentioned", conversation=conversation,
            text=_("%(person)s mentioned you in a note on conversation #%(id)s.")
            % {"person": by, "id": conversation.pk})
    audit.record(actor=by, action="inbox.note.added", target=conversation,
                 data={"mentions": [p.pk for p in mentioned]})
    return event


# ------------------------------------------------------------------------------ replies


def _last_inbound_external_id(conversation: Conversation) -> str:
    item = conversation.items.order_by("-created_at", "-id").first()
    return item.external_id if item else conversation.root_external_id


@transaction.atomic
def do_save_draft(*, conversation: Conversation, by: Person, text: str,
                  reply: Reply | None = None) -> Reply:
    """Keep a reply as a draft. Anyone in the team may draft, with or without the mandate."""
    text = text.strip()
    if not text:
        raise ReplyStateError(_("A reply cannot be empty."), code="empty")
    if reply is not None:
        reply = Reply.objects.select_for_update().get(pk=reply.pk)
        if reply.state not in (ReplyState.DRAFT, ReplyState.REJECTED):
            raise ReplyStateError(_("This reply can no longer be edited."), code="state")
        reply.text, reply.state = text, ReplyState.DRAFT
        reply.save(update_fields=["text", "state"])
    else:
        reply = Reply.objects.create(
            conversation=conversation, author=by, text=text,
            language=conversation.language,
            in_reply_to_external_id=_last_inbound_external_id(conversation))
        _event(conversation, EventKind.DRAFT, actor=by, data={"reply": reply.pk})
    audit.record(actor=by, action="inbox.reply.drafted", target=conversation,
                 data={"reply": reply.pk})
    return reply


def _queue(reply: Reply, conversation: Conversation, *, by: Person | None) -> None:
    reply.state = ReplyState.QUEUED
    reply.queued_at = timezone.now()
    reply.save(update_fields=["state", "queued_at", "text", "decided_by", "decided_at",
                              "decision_comment"])
    _event(conversation, EventKind.QUEUED, actor=by, data={"reply": reply.pk})
    from samen.inbox.tasks import deliver_reply

    transaction.on_commit(lambda: deliver_reply.enqueue(reply_id=reply.pk))


@transaction.atomic
def do_submit_reply(*, reply: Reply, by: Person) -> Reply:
    """Send a draft: needs the mandate for the conversation's account. When the escalation
    policy says so the reply waits for a manager's approval instead of being queued."""
    reply = Reply.objects.select_for_update(of=("self",)).select_related(
        "conversation", "conversation__contact", "conversation__account").get(pk=reply.pk)
    conversation = reply.conversation
    if reply.state not in (ReplyState.DRAFT, ReplyState.REJECTED):
        raise ReplyStateError(_("This reply was already sent or submitted."), code="state")
    account = conversation.account
    if account is None or not source_selectors.has_mandate(person=by, account=account):
        raise MandateRequired(_("You do not hold the mandate to reply from this account; your "
                                "draft is saved for a colleague who does."))
    reasons = policy.escalation_reasons(
        urgent=conversation.urgent, contact_kind=conversation.contact.kind,
        sentiment=conversation.sentiment, followers=conversation.contact.followers,
        crisis_mode=_crisis_mode())
    if reasons:
        reply.state = ReplyState.PENDING_APPROVAL
        reply.escalation_reasons = reasons
        reply.save(update_fields=["state", "escalation_reasons"])
        _event(conversation, EventKind.ESCALATED, actor=by,
               data={"reply": reply.pk, "reasons": reasons})
        managers = Person.objects.filter(role_grants__role=Role.MANAGER, is_active=True)
        _notify(managers, kind="escalated", conversation=conversation,
                text=_("A reply on conversation #%(id)s waits for your approval.")
                % {"id": conversation.pk})
        audit.record(actor=by, action="inbox.reply.escalated", target=conversation,
                     data={"reply": reply.pk, "reasons": reasons})
        return reply
    _queue(reply, conversation, by=by)
    audit.record(actor=by, action="inbox.reply.queued", target=conversation,
                 data={"reply": reply.pk})
    return reply


@transaction.atomic
def do_decide_reply(*, reply: Reply, by: Person, approve: bool, text: str | None = None,
                    comment: str = "") -> Reply:
    """A manager approves (possibly after editing the text) or rejects an escalated reply.
    The author gets a notice either way; a rejection goes back to the author as a draft
    with the manager's comment."""
    if not by.has_role(Role.MANAGER):
        raise NotAllowed(_("Only managers decide escalated replies."))
    reply = Reply.objects.select_for_update(of=("self",)).select_related("conversation").get(
        pk=reply.pk)
    if reply.state != ReplyState.PENDING_APPROVAL:
        raise ReplyStateError(_("This reply is not waiting for approval."), code="state")
    if not approve and not comment.strip():
        raise ReplyStateError(_("Say why the reply is rejected, so the author can improve it."),
                              code="comment")
    conversation = reply.conversation
    edited = text is not None and text.strip() and text.strip() != reply.text
    if edited:
        reply.text = text.strip()  # type: ignore[union-attr]
    reply.decided_by, reply.decided_at = by, timezone.now()
    reply.decision_comment = comment.strip()
    data = {"reply": reply.pk, "edited": bool(edited), "comment": reply.decision_comment}
    if approve:
        _event(conversation, EventKind.APPROVED, actor=by, text=reply.decision_comment,
               data=data)
        _queue(reply, conversation, by=by)
        message = _("Your reply on conversation #%(id)s was approved and is being sent.")
    else:
        reply.state = ReplyState.REJECTED
        reply.save(update_fields=["state", "text", "decided_by", "decided_at",
                                  "decision_comment"])
        _event(conversation, EventKind.REJECTED, actor=by, text=reply.decision_comment,
               data=data)
        message = _("Your reply on conversation #%(id)s was rejected: %(comment)s")
    if reply.author is not None:
        _notify([reply.author], kind="approved" if approve else "rejected",
                conversation=conversation,
                text=message % {"id": conversation.pk, "comment": reply.decision_comment})
    audit.record(actor=by, action="inbox.reply.approved" if approve else "inbox.reply.rejected",
                 target=conversation, data=data)
    return reply


def do_deliver_reply(*, reply_id: int) -> Reply:
    """Send a queued reply through the account's connector, exactly once.

    The reply is claimed (queued → sending) under a row lock in its own transaction before
    the network is called, so a second worker or a duplicate task finds it "sending" or
    "sent" and does nothing. The outcome is recorded in a second transaction: sent (and
    stored as the account's outbound post); retrying later when the trouble is temporary
    (same backoff as ``sources.Delivery``, up to ``MAX_DELIVERY_ATTEMPTS``); failed
    otherwise, and a refused login also puts the account in "needs attention".
    """
    from samen.inbox import delivery

    with transaction.atomic():
        reply = Reply.objects.select_for_update().get(pk=reply_id)
        if reply.state != ReplyState.QUEUED:
            return reply
        reply.state = ReplyState.SENDING
        reply.attempts += 1
        reply.sending_since = timezone.now()
        reply.next_attempt_at = None
        reply.save(update_fields=["state", "attempts", "sending_since", "next_attempt_at"])
    reply = Reply.objects.select_related("conversation", "conversation__account").get(
        pk=reply_id)
    try:
        sent = delivery.send_reply(reply)
    except delivery.DeliveryError as exc:
        account = reply.conversation.account
        if exc.auth and account is not None:
            do_mark_needs_attention(account=account, reason=exc.reason)
        if exc.retryable and reply.attempts < MAX_DELIVERY_ATTEMPTS:
            return _delivery_retrying(reply, exc.reason, retry_after=exc.retry_after)
        return _delivery_failed(reply, exc.reason)
    except Exception as exc:  # any connector bug must still leave the reply retryable
        return _delivery_failed(reply, f"{type(exc).__name__}: {exc}")
    _finish_sent(reply_id, sent.external_id, sent.url, post=sent)
    return Reply.objects.get(pk=reply_id)


def retry_delay(attempts: int, retry_after: float | None = None) -> timedelta:
    """How long to wait before the next attempt: what the network asked for, else the same
    doubling schedule as ``sources.Delivery`` (1 minute after the first attempt, capped at an
    hour)."""
    if retry_after:
        return timedelta(seconds=retry_after)
    return timedelta(seconds=min(3600, 30 * 2 ** attempts))


def _delivery_retrying(reply: Reply, reason: str, *, retry_after: float | None) -> Reply:
    with transaction.atomic():
        reply = Reply.objects.select_for_update().get(pk=reply.pk)
        reply.state, reply.last_error = ReplyState.RETRYING, reason[:2000]
        reply.next_attempt_at = timezone.now() + retry_delay(reply.attempts, retry_after)
        reply.save(update_fields=["state", "last_error", "next_attempt_at"])
        audit.record(actor=None, action="inbox.reply.retrying", target=reply.conversation,
                     data={"reply": reply.pk, "reason": reason[:500],
                           "attempts": reply.attempts})
    return reply


# A send takes seconds (the HTTP layer's timeouts and retries included); a reply "sending" for
# this long had its worker stopped between claiming it and recording the outcome.
STUCK_SENDING = timedelta(minutes=10)


def do_requeue_stuck_replies(*, now: datetime | None = None) -> int:
    """Queue again the replies whose worker died while sending them, and the retrying
    replies whose next attempt is due; returns how many.

    Safe because every attempt carries the reply's own idempotency key: if the first attempt
    did reach the network, Mastodon answers with the same status and Bluesky finds the post
    at its record key, so the reply is never posted twice and never left hanging.
    """
    from samen.inbox.tasks import deliver_reply

    now = now or timezone.now()
    with transaction.atomic():
        stuck = list(Reply.objects.select_for_update().filter(
            state=ReplyState.SENDING, sending_since__lt=now - STUCK_SENDING)
            .values_list("pk", flat=True))
        Reply.objects.filter(pk__in=stuck).update(
            state=ReplyState.QUEUED, queued_at=now,
            last_error=_("Sending was interrupted; it is being sent again."))
        due = list(Reply.objects.select_for_update().filter(
            state=ReplyState.RETRYING, next_attempt_at__lte=now).values_list("pk", flat=True))
        Reply.objects.filter(pk__in=due).update(state=ReplyState.QUEUED, queued_at=now)
    requeued = stuck + due
    if requeued:
        transaction.on_commit(lambda: [deliver_reply.enqueue(reply_id=pk) for pk in requeued])
    return len(requeued)


def _finish_sent(reply_id: int, external_id: str, url: str,
                 post: NormalizedPost | None = None) -> None:
    """Record the reply as sent; ``post`` (as the network shows it) is stored as the
    account's outbound post through the sources' ingest, which keys posts on their external
    id: storing the same reply again adds nothing."""
    with transaction.atomic():
        reply = Reply.objects.select_for_update(of=("self",)).select_related(
            "conversation", "conversation__account").get(pk=reply_id)
        conversation = Conversation.objects.select_for_update().get(pk=reply.conversation_id)
        if post is not None and conversation.account is not None:
            store_batch(posts=[post], account=conversation.account,
                        direction=Direction.OUTBOUND)
        now = timezone.now()
        reply.state, reply.external_id, reply.url = ReplyState.SENT, external_id, url
        reply.sent_at, reply.last_error, reply.next_attempt_at = now, "", None
        reply.save(update_fields=["state", "external_id", "url", "sent_at", "last_error",
                                  "next_attempt_at"])
        _event(conversation, EventKind.SENT, actor=reply.author,
               data={"reply": reply.pk, "external_id": external_id, "url": url})
        fields = ["last_activity_at"]
        conversation.last_activity_at = now
        if conversation.first_responded_at is None:
            conversation.first_responded_at = now
            fields.append("first_responded_at")
        conversation.save(update_fields=fields)
        if conversation.state in (State.NEW, State.OPEN, State.WAITING_COLLEAGUE):
            _walk_to(conversation, State.WAITING_CUSTOMER, by=reply.author)
        audit.record(actor=reply.author, action="inbox.reply.sent", target=conversation,
                     data={"reply": reply.pk, "external_id": external_id})


@transaction.atomic
def do_record_sent(*, reply: Reply, external_id: str, url: str, by: Person | None) -> Reply:
    """Record a reply that reached the network outside the queue (demo data, archive
    imports): same history as a delivered reply, without calling any network."""
    reply = Reply.objects.select_for_update().get(pk=reply.pk)
    if reply.state not in (ReplyState.DRAFT, ReplyState.QUEUED):
        raise ReplyStateError(_("This reply was already sent or submitted."), code="state")
    reply.state = ReplyState.QUEUED
    reply.save(update_fields=["state"])
    _finish_sent(reply.pk, external_id, url)
    reply.refresh_from_db()
    return reply


def _delivery_failed(reply: Reply, reason: str) -> Reply:
    with transaction.atomic():
        reply = Reply.objects.select_for_update().get(pk=reply.pk)
        reply.state, reply.last_error = ReplyState.FAILED, reason[:2000]
        reply.next_attempt_at = None
        reply.save(update_fields=["state", "last_error", "next_attempt_at"])
        _event(reply.conversation, EventKind.FAILED, data={"reply": reply.pk, "reason": reason})
        audit.record(actor=None, action="inbox.reply.failed", target=reply.conversation,
                     data={"reply": reply.pk, "reason": reason[:500]})
    return reply


@transaction.atomic
def do_retry_reply(*, reply: Reply, by: Person) -> Reply:
    """Queue a failed reply again, or a retrying one at once (same idempotency key), with a
    fresh budget of automatic attempts. Needs the mandate too."""
    reply = Reply.objects.select_for_update(of=("self",)).select_related("conversation",
                                                            "conversation__account").get(
        pk=reply.pk)
    if reply.state not in (ReplyState.FAILED, ReplyState.RETRYING):
        raise ReplyStateError(_("Only a failed reply can be retried."), code="state")
    account = reply.conversation.account
    if account is None or not source_selectors.has_mandate(person=by, account=account):
        raise MandateRequired(_("You do not hold the mandate to reply from this account."))
    reply.attempts, reply.next_attempt_at = 0, None
    reply.save(update_fields=["attempts", "next_attempt_at"])
    _queue(reply, reply.conversation, by=by)
    audit.record(actor=by, action="inbox.reply.retried", target=reply.conversation,
                 data={"reply": reply.pk})
    return reply


# ------------------------------------------------------------------- presence and filters


def do_touch_presence(*, conversation: Conversation, person: Person, typing: bool) -> None:
    """Say "I have this conversation open (and am typing)"; not audited: it is ephemeral."""
    updated = Presence.objects.filter(conversation=conversation, person=person).update(
        typing=typing, seen_at=timezone.now())
    if not updated:
        try:
            with transaction.atomic():
                Presence.objects.create(conversation=conversation, person=person,
                                        typing=typing)
        except IntegrityError:
            pass


@transaction.atomic
def do_save_filter(*, person: Person, name: str, query: str) -> SavedFilter:
    name = name.strip()[:80]
    if not name:
        raise ReplyStateError(_("Give the view a name."), code="name")
    saved, _created = SavedFilter.objects.update_or_create(person=person, name=name,
                                                           defaults={"query": query[:500]})
    return saved


@transaction.atomic
def do_delete_filter(*, saved: SavedFilter, person: Person) -> None:
    if saved.person_id != person.pk:
        raise NotAllowed(_("This is someone else's view."))
    saved.delete()


@transaction.atomic
def do_mark_notices_read(*, person: Person) -> int:
    return Notice.objects.filter(person=person, read_at__isnull=True).update(
        read_at=timezone.now())


# --------------------------------------------------------------------------------- policy


@transaction.atomic
def do_set_sla_target(*, channel: str, priority: str, first_response_minutes: int,
                      resolution_minutes: int, by: Person) -> SlaTarget:
    """Organisation policy: applies to conversations started from now on."""
    if first_response_minutes <= 0 or resolution_minutes < first_response_minutes:
        raise ReplyStateError(_("Resolution must take at least as long as the first response, "
                                "and both must be positive."), code="sla")
    target, _created = SlaTarget.objects.update_or_create(
        channel=channel, priority=priority,
        defaults={"first_response_minutes": first_response_minutes,
                  "resolution_minutes": resolution_minutes})
    audit.record(actor=by, action="inbox.sla.set", target=target,
                 data={"channel": channel, "priority": priority,
                       "first": first_response_minutes, "resolution": resolution_minutes})
    return target


@transaction.atomic
def do_create_routing_rule(*, name: str, conditions: dict[str, list[Any]],
                           team: Team | None, person: Person | None, priority: str = "",
                           position: int = 100, by: Person | None) -> RoutingRule:
    if team is None and person is None:
        raise ReplyStateError(_("A routing rule needs a team or a person."), code="target")
    unknown = set(conditions) - set(policy.ROUTING_FACTS)
    if unknown:
        raise ReplyStateError(_("Unknown condition: %(names)s") % {"names": ", ".join(unknown)},
                              code="fact")
    rule = RoutingRule.objects.create(name=name, conditions=conditions, team=team,
                                      person=person, priority=priority, position=position)
    audit.record(actor=by, action="inbox.routing.created", target=rule,
                 data={"conditions": conditions})
    return rule


@transaction.atomic
def do_delete_routing_rule(*, rule: RoutingRule, by: Person) -> None:
    audit.record(actor=by, action="inbox.routing.deleted", target=rule,
                 data={"conditions": rule.conditions})
    rule.delete()


@transaction.atomic
def do_create_team(*, name: str, members: Iterable[Person], by: Person | None) -> Team:
    team, _created = Team.objects.get_or_create(name=name)
    team.members.add(*members)
    audit.record(actor=by, action="inbox.team.saved", target=team,
                 data={"members": sorted(m.pk for m in team.members.all())})
    return team


@transaction.atomic
def do_create_saved_reply(*, title: str, language: str, intent: str, body: str,
                          by: Person | None) -> SavedReply:
    if not body.strip() or not title.strip():
        raise ReplyStateError(_("A saved reply needs a title and a text."), code="empty")
    saved = SavedReply.objects.create(title=title.strip(), language=language, intent=intent,
                                      body=body.strip(), created_by=by)
    audit.record(actor=by, action="inbox.saved_reply.created", target=saved,
                 data={"language": language, "intent": intent})
    return saved

