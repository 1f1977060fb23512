"""Every write of the inbox. Views, tasks, receivers, the demo and tests call these.

Order for each write (STYLE.md): ``transaction.atomic``; ``select_for_update`` where two
people can race; validate; save with ``update_fields``; history row and audit record; tasks
in ``transaction.on_commit``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core import audit
from samen.core.models import Organisation, Person
from samen.core.roles import Role
from samen.inbox import intake, policy, workflow
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
from samen.sources.models import Account, Post

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


def _contact_for(*, network: str, handle: str, name: str, language: str) -> Contact:
    found = (ContactHandle.objects.select_related("contact")
             .filter(network=network, handle=handle).first())
    if found is not None:
        contact = found.contact
        while contact.merged_into_id is not None:  # a merged contact points to the survivor
            contact = Contact.objects.get(pk=contact.merged_into_id)
        return contact
    contact = Contact.objects.create(display_name=name or handle, language=language)
    try:
        with transaction.atomic():
            ContactHandle.objects.create(contact=contact, network=network, handle=handle,
                                         display_name=name)
    except IntegrityError:  # someone else made it a moment ago
        contact.delete()
        return ContactHandle.objects.get(network=network, handle=handle).contact
    ContactEvent.objects.create(contact=contact, kind="created",
                                data={"network": network, "handle": handle})
    _contact_entry(contact)
    return contact


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


def _set_due_times(conversation: Conversation, *, start: datetime) -> None:
    target = policy.pick_target(_targets(), channel=conversation.channel,
                                priority=conversation.priority)
    conversation.first_response_due, conversation.resolution_due = policy.due_times(target, start)


def _next_in_team(team: Team) -> Person | None:
    team = Team.objects.select_for_update().get(pk=team.pk)
    members = list(team.members.filter(is_active=True).order_by("pk"))
    if not members:
        return None
    now = timezone.now()
    away = set(Availability.objects.filter(person__in=members, away=True)
               .filter(Q(away_until__isnull=True) | Q(away_until__gt=now))
               .values_list("person_id", flat=True))
    chosen, pointer = policy.round_robin([m.pk for m in members], away, team.next_index)
    team.next_index = pointer
    team.save(update_fields=["next_index"])
    return next((m for m in members if m.pk == chosen), None)


def _route(conversation: Conversation) -> RoutingRule | None:
    facts = {"language": conversation.language, "channel": conversation.channel,
             "rule": conversation.rule_names, "intent": conversation.intent,
             "sentiment": conversation.sentiment, "urgent": conversation.urgent}
    for rule in RoutingRule.objects.filter(active=True).select_related("team", "person"):
        if not policy.conditions_match(rule.conditions, facts):
            continue
        if rule.priority:
            conversation.priority = rule.priority
        conversation.team = rule.team
        if rule.person is not None:
            conversation.assignee = rule.person
        elif rule.team is not None:
            conversation.assignee = _next_in_team(rule.team)
        return rule
    return None


# --------------------------------------------------------------------------------- intake


def _org_identity() -> intake.OrgIdentity:
    accounts = Account.objects.exclude(handle="").values_list("provider", "handle")
    own = set(Post.objects.filter(direction="out").values_list("source", "external_id"))
    own |= set(Reply.objects.exclude(external_id="")
               .values_list("conversation__channel", "external_id"))
    return intake.OrgIdentity.build(accounts, own)


def _find_thread(post: Post) -> Conversation | None:
    candidates = [x for x in (post.reply_to_external_id, post.thread_root_external_id) if x]
    if not candidates:
        return None
    item = (ConversationPost.objects.filter(source=post.source, external_id__in=candidates)
            .select_related("conversation").order_by("-created_at").first())
    if item is not None:
        return item.conversation
    reply = (Reply.objects.filter(external_id__in=candidates, conversation__channel=post.source)
             .select_related("conversation").first())
    return reply.conversation if reply is not None else None


def _link(conversation: Conversation, post: Post) -> bool:
    try:
        with transaction.atomic():
            ConversationPost.objects.create(conversation=conversation, post=post,
                                            source=post.source, external_id=post.external_id,
                                            created_at=post.created_at)
    except IntegrityError:
        return False
    SearchEntry.objects.create(
        conversation=conversation, contact_id=conversation.contact_id, post_id=post.pk,
        language=post.language,
        body=_searchable(f"{post.author_name} {post.author_handle} {post.text}"))
    return True


def _account_for(post: Post) -> Account | None:
    if post.account_id is not None:
        return post.account
    return Account.objects.filter(provider=post.source).order_by("pk").first()


@transaction.atomic
def _receive_one(post: Post, org: intake.OrgIdentity) -> Conversation | None:
    conversation = _find_thread(post)
    if conversation is not None:
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if not _link(conversation, post):
            return None
        _event(conversation, EventKind.POST, data={"post": post.pk}, at=post.created_at)
        if conversation.state in (State.WAITING_CUSTOMER, State.RESOLVED, State.CLOSED):
            _step(conversation, State.OPEN, by=None,
                  reason="reopened" if conversation.state != State.WAITING_CUSTOMER else "")
        conversation.last_activity_at = max(conversation.last_activity_at, post.created_at)
        conversation.post_count = F("post_count") + 1
        conversation.urgent = conversation.urgent or post.urgent
        conversation.save(update_fields=["last_activity_at", "post_count", "urgent"])
        conversation.refresh_from_db(fields=["post_count"])
        Contact.objects.filter(pk=conversation.contact_id).update(
            last_activity_at=conversation.last_activity_at)
        return conversation
    addressed = intake.addressed_to_organisation(
        source=post.source, text=post.text, mentions=post.mentions or [],
        visibility=post.visibility, reply_to=post.reply_to_external_id,
        thread_root=post.thread_root_external_id, org=org)
    if not addressed and not intake.rule_says_to_inbox(post.pk):
        return None
    contact = _contact_for(network=post.source, handle=post.author_handle,
                           name=post.author_name, language=post.language)
    conversation = Conversation(
        contact=contact, account=_account_for(post), channel=post.source,
        handle=post.author_handle,
        root_external_id=post.thread_root_external_id or post.external_id,
        subject=" ".join(post.text.split())[:200], language=post.language,
        intent=post.intent, sentiment=post.sentiment, urgent=post.urgent,
        priority="high" if post.urgent else "normal", rule_names=intake.rules_for(post.pk),
        created_at=post.created_at, last_activity_at=post.created_at, post_count=1)
    rule = _route(conversation)
    _set_due_times(conversation, start=post.created_at)
    conversation.save()
    if not _link(conversation, post):  # another worker linked it first
        transaction.set_rollback(True)
        return None
    _event(conversation, EventKind.CREATED, data={"post": post.pk}, at=post.created_at)
    if rule is not None:
        _event(conversation, EventKind.ASSIGNED,
               data={"rule": rule.name, "team": conversation.team_id,
                     "to": conversation.assignee_id})
    if contact.last_activity_at < post.created_at or contact.conversations.count() == 1:
        Contact.objects.filter(pk=contact.pk).update(last_activity_at=post.created_at)
    return conversation


def do_receive_posts(*, post_ids: Iterable[int]) -> list[Conversation]:
    """Turn new posts into conversations (or add them to their thread).

    Idempotent: a post already in a conversation is skipped, so receiving a batch twice, or
    after a crash half-way, changes nothing more. Each post is its own transaction so one bad
    post does not hold back the others. Returns the conversations created or extended.
    """
    ids = list(post_ids)
    if not ids:
        return []
    done = set(ConversationPost.objects.filter(post_id__in=ids).values_list("post_id", flat=True))
    posts = (Post.objects.filter(pk__in=[i for i in ids if i not in done])
             .exclude(direction="out").filter(deleted_at__isnull=True)
             .select_related("account").order_by("created_at", "pk"))
    org = _org_identity()
    touched = []
    for post in posts:
        conversation = _receive_one(post, org)
        if conversation is not None:
            touched.append(conversation)
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
    "sent" and does nothing. The outcome is recorded in a second transaction.
    """
    from samen.inbox import delivery

    with transaction.atomic():
        reply = Reply.objects.select_for_update().get(pk=reply_id)
        if reply.state != ReplyState.QUEUED:
            return reply
        reply.state = ReplyState.SENDING
        reply.attempts += 1
        reply.save(update_fields=["state", "attempts"])
    reply = Reply.objects.select_related("conversation", "conversation__account").get(
        pk=reply_id)
    try:
        external_id, url = delivery.send_reply(reply)
    except delivery.DeliveryError as exc:
        return _delivery_failed(reply, exc.reason)
    except Exception as exc:  # any connector bug must still leave the reply retryable
        return _delivery_failed(reply, f"{type(exc).__name__}: {exc}")
    _finish_sent(reply_id, external_id, url)
    return Reply.objects.get(pk=reply_id)


def _finish_sent(reply_id: int, external_id: str, url: str) -> None:
    with transaction.atomic():
        reply = Reply.objects.select_for_update(of=("self",)).select_related("conversation").get(
            pk=reply_id)
        conversation = Conversation.objects.select_for_update().get(pk=reply.conversation_id)
        now = timezone.now()
        reply.state, reply.external_id, reply.url = ReplyState.SENT, external_id, url
        reply.sent_at, reply.last_error = now, ""
        reply.save(update_fields=["state", "external_id", "url", "sent_at", "last_error"])
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
        reply.save(update_fields=["state", "last_error"])
        _event(reply.conversation, EventKind.FAILED, data={"reply": reply.pk, "reason": reason})
        audit.record(actor=None, action="inbox.reply.failed", target=reply.conversation,
                     data={"reply": reply.pk, "reason": reason[:500]})
    return reply


@transaction.atomic
def do_retry_reply(*, reply: Reply, by: Person) -> Reply:
    """Queue a failed reply again (same idempotency key). Needs the mandate too."""
    reply = Reply.objects.select_for_update(of=("self",)).select_related("conversation",
                                                            "conversation__account").get(
        pk=reply.pk)
    if reply.state != ReplyState.FAILED:
        raise ReplyStateError(_("Only a failed reply can be retried."), code="state")
    account = reply.conversation.account
    if account is None or not source_selectors.has_mandate(person=by, account=account):
        raise MandateRequired(_("You do not hold the mandate to reply from this account."))
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
