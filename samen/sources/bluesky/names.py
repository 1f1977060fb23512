"""Naming firehose authors before their posts are stored: DID -> handle and display name.

Runs in the listener just before ``ingest.store_batch``, so the stored ``Post`` (and whatever
the inbox makes of it on ``posts_stored``) already carries ``author_handle`` and
``author_name``. It must never hold ingest up or fail a batch, so it is bounded:

- answers are kept in a process-wide :class:`~samen.sources.bluesky.identity.LruCache` and in
  ``AuthorIdentity`` rows (a restart asks nobody again until the answer is a day old);
- per batch at most ``max_lookups`` DIDs are asked of the network, within ``budget_seconds``,
  and the first network failure ends the lookups of that batch: the PDS is slow or down;
- a DID that could not be resolved keeps the DID as its handle and is tried again later
  (backoff per DID); when it resolves, posts already stored under the DID are filled in.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from samen.sources.bluesky import mapping
from samen.sources.bluesky.identity import Identity, IdentityFetcher, LruCache
from samen.sources.models import AuthorIdentity, Post
from samen.sources.types import NormalizedPost

log = logging.getLogger(__name__)

MAX_LOOKUPS = 8
BUDGET_SECONDS = 2.0
FRESH_FOR = timedelta(hours=24)  # handles and names change; ask again after a day
NO_HANDLE_FOR = timedelta(hours=1)  # no verified handle yet: check again sooner
RETRY_BASE = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=6)
CACHE_SIZE = 20_000


@dataclass(frozen=True, slots=True)
class Known:
    """What the process remembers of one DID: the answer, and when to ask (again)."""

    handle: str
    display_name: str
    ask_after: datetime  # fresh until then (resolved) or back off until then (failed)
    failures: int = 0


_shared: LruCache[str, Known] = LruCache(CACHE_SIZE)

# Sent when an author already known under other names got (new) ones: posts stored under the
# DID were filled in, or the handle changed. kwargs: source, external_id (the DID), handle,
# display_name, previous_handles (the DID and/or the old handle). The inbox can add the new
# handle to the contact it made from the old one, instead of starting a second contact.
author_named = Signal()


class AuthorNamer:
    """Fills ``author.handle``/``author.display_name`` of Bluesky posts named only by DID."""

    def __init__(
        self,
        fetcher: IdentityFetcher,
        *,
        cache: LruCache[str, Known] | None = None,
        max_lookups: int = MAX_LOOKUPS,
        budget_seconds: float = BUDGET_SECONDS,
        retry_base: timedelta = RETRY_BASE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fetcher = fetcher
        self.cache = cache if cache is not None else _shared
        self.max_lookups = max_lookups
        self.budget_seconds = budget_seconds
        self.retry_base = retry_base
        self.clock = clock

    def name_posts(self, posts: Sequence[NormalizedPost]) -> int:
        """Name the authors of ``posts`` in place; returns how many DIDs were asked about."""
        now = timezone.now()
        unnamed = [p for p in posts
                   if p.source == mapping.SOURCE and p.author.handle == p.author.external_id
                   and p.author.external_id.startswith("did:")]
        dids = list(dict.fromkeys(p.author.external_id for p in unnamed))
        known = self._known(dids)
        due = [d for d in dids if d not in known or known[d].ask_after <= now]
        asked = self._ask(due + self._pending(exclude=dids, limit=self.max_lookups - len(due)),
                          now=now)
        known.update(asked)
        for post in unnamed:
            entry = known.get(post.author.external_id)
            if entry is not None and entry.handle:
                post.author = replace(post.author, handle=entry.handle,
                                      display_name=entry.display_name)
        return len(asked)

    def forget(self, dids: Sequence[str]) -> None:
        """The firehose said these DIDs' identities changed: ask again at their next post."""
        if not dids:
            return
        for did in dids:
            self.cache.pop(did)
        AuthorIdentity.objects.filter(source=mapping.SOURCE, external_id__in=list(dids),
                                      failures=0).update(next_attempt_at=timezone.now())

    def _known(self, dids: list[str]) -> dict[str, Known]:
        """Cached answers: the LRU first, then one query for the rest."""
        found: dict[str, Known] = {}
        missing = []
        for did in dids:
            entry = self.cache.get(did)
            if entry is None:
                missing.append(did)
            else:
                found[did] = entry
        for start in range(0, len(missing), 500):  # within every database's parameter limit
            for row in AuthorIdentity.objects.filter(source=mapping.SOURCE,
                                                     external_id__in=missing[start:start + 500]):
                entry = _from_row(row)
                self.cache.put(row.external_id, entry)
                found[row.external_id] = entry
        return found

    def _pending(self, *, exclude: list[str], limit: int) -> list[str]:
        """DIDs that failed earlier and are due again, so their stored posts get named even if
        they write nothing new."""
        if limit <= 0:
            return []
        return list(AuthorIdentity.objects.filter(
            source=mapping.SOURCE, handle="", failures__gt=0,
            next_attempt_at__lte=timezone.now()).exclude(external_id__in=exclude)
            .order_by("next_attempt_at").values_list("external_id", flat=True)[:limit])

    def _ask(self, dids: list[str], *, now: datetime) -> dict[str, Known]:
        answers: dict[str, Known] = {}
        started = self.clock()
        for did in dids[:self.max_lookups]:
            if self.clock() - started > self.budget_seconds:
                break  # the rest next batch
            try:
                identity = self.fetcher.resolve(did)
            except Exception as exc:  # network, payload, a bug: never the batch's problem
                answers[did] = self._failed(did, str(exc), now=now)
                break  # this PDS is slow or down now: do not wait for it again this batch
            answers[did] = self._resolved(identity, now=now)
        return answers

    def _resolved(self, identity: Identity, *, now: datetime) -> Known:
        entry = Known(identity.handle, identity.display_name,
                      now + (FRESH_FOR if identity.handle else NO_HANDLE_FOR))
        previous = (AuthorIdentity.objects.filter(source=mapping.SOURCE, external_id=identity.did)
                    .values_list("handle", flat=True).first())
        AuthorIdentity.objects.update_or_create(
            source=mapping.SOURCE, external_id=identity.did,
            defaults={"handle": identity.handle, "display_name": identity.display_name,
                      "resolved_at": now, "failures": 0, "last_error": "",
                      "next_attempt_at": entry.ask_after})
        self.cache.put(identity.did, entry)
        if identity.handle:
            # Posts stored while the DID was unknown are named now.
            filled = Post.objects.filter(
                source=mapping.SOURCE, author_external_id=identity.did,
                author_handle=identity.did,
            ).update(author_handle=identity.handle, author_name=identity.display_name)
            before = [identity.did] if filled else []
            if previous and previous != identity.handle:
                before.append(previous)
            if before:
                for _receiver, error in author_named.send_robust(
                        sender=AuthorIdentity, source=mapping.SOURCE, external_id=identity.did,
                        handle=identity.handle, display_name=identity.display_name,
                        previous_handles=before):
                    if isinstance(error, Exception):
                        log.error("an author_named receiver failed: %r", error)
        return entry

    def _failed(self, did: str, reason: str, *, now: datetime) -> Known:
        log.info("could not name %s yet: %s", did, reason)
        with transaction.atomic():
            row, _ = AuthorIdentity.objects.select_for_update().get_or_create(
                source=mapping.SOURCE, external_id=did)
            failures = row.failures + 1
            wait = min(self.retry_base * (2 ** min(failures - 1, 16)), RETRY_MAX)
            row.failures, row.last_error = failures, reason[:500]
            row.next_attempt_at = now + wait
            row.save(update_fields=["failures", "last_error", "next_attempt_at"])
        # A DID resolved before keeps its last good name while its PDS is away.
        entry = Known(row.handle, row.display_name, row.next_attempt_at, failures)
        self.cache.put(did, entry)
        return entry


def _from_row(row: AuthorIdentity) -> Known:
    ask_after = row.next_attempt_at or timezone.now()
    return Known(row.handle, row.display_name, ask_after, row.failures)
