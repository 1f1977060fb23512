"""Who is ``did:plc:…``? A DID's handle and display name, asked of a PDS (no AppView needed).

Firehose and Jetstream events name an author only by DID. :class:`IdentityFetcher` asks the
PDS: ``com.atproto.repo.describeRepo`` gives the handle (and whether the PDS verified it),
``com.atproto.repo.getRecord`` of ``app.bsky.actor.profile/self`` gives the display name. A DID
that lives on another PDS (heard through a relay) is looked up in the PLC directory to find its
own PDS, which is then asked the same way. :class:`LruCache` keeps the answers in memory,
bounded. Pure Python: no Django import (persistence is in ``names.py``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote, urlsplit

from samen.sources.base import PayloadError, SourceError, TemporaryError
from samen.sources.http import HttpClient, RetryPolicy

PROFILE = "app.bsky.actor.profile"
MAX_NAME = 300  # the Post.author_name column; the lexicon allows 64 graphemes anyway
# A handle is a domain name (atproto handle syntax), lower-cased; "handle.invalid" is the PDS
# saying it could not verify one.
_HANDLE = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
_BIDI = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
# One lookup is two small GETs; a slow or dead PDS must not hold ingest up for long.
LOOKUP_POLICY = RetryPolicy(attempts=1, connect_timeout=2.0, read_timeout=3.0)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Identity:
    """What a PDS says about a DID. ``handle`` is '' when it has none that was verified."""

    did: str
    handle: str = ""
    display_name: str = ""


class LruCache(Generic[K, V]):
    """A dict that keeps at most ``maxsize`` entries, forgetting the least recently used."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.maxsize:
            self._data.popitem(last=False)

    def pop(self, key: K) -> V | None:
        return self._data.pop(key, None)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)


def clean_handle(value: Any) -> str:
    """A syntactically valid handle, lower-cased, or '' (``handle.invalid`` included)."""
    if not isinstance(value, str):
        return ""
    handle = value.strip().lower().removeprefix("@")
    if len(handle) > 253 or handle == "handle.invalid" or not _HANDLE.match(handle):
        return ""
    return handle


def clean_display_name(value: Any) -> str:
    """A display name as plain text on one line: control and direction-override characters
    dropped (they could hide or reorder what an agent reads), whitespace collapsed. Markup is
    kept as the text it is; templates escape it."""
    if not isinstance(value, str):
        return ""
    text = value.translate(_BIDI)
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return " ".join(text.split())[:MAX_NAME]


class IdentityFetcher:
    """Resolves DIDs against ``pds_url`` (the account's PDS), then the PLC directory."""

    def __init__(self, pds_url: str, *, plc_url: str = "https://plc.directory",
                 http: HttpClient | None = None, allow_plain_http: bool = False) -> None:
        self.pds_url = pds_url.rstrip("/")
        self.plc_url = plc_url.rstrip("/")
        self.http = http or HttpClient(policy=LOOKUP_POLICY, max_bytes=256 * 1024)
        # Endpoints named in a DID document are the DID owner's choice: only https ones are
        # followed, unless a test serves everything on loopback.
        self.allow_plain_http = allow_plain_http

    def resolve(self, did: str) -> Identity:
        """The DID's verified handle and display name; SourceError when it cannot be said now
        (TemporaryError: the PDS is slow or down, worth trying again later)."""
        try:
            return self._resolve_on(self.pds_url, did)
        except _NotHere:
            pass
        endpoint = self._pds_from_plc(did)
        if not endpoint or endpoint == self.pds_url:
            return Identity(did=did)
        try:
            return self._resolve_on(endpoint, did)
        except _NotHere:
            return Identity(did=did)

    def _get(self, base: str, method: str, **params: str) -> dict[str, Any]:
        query = "&".join(f"{k}={quote(v, safe=':')}" for k, v in params.items())
        try:
            answer = self.http.json("GET", f"{base}/xrpc/{method}?{query}")
        except TemporaryError:
            raise
        except SourceError as exc:
            if exc.reason.startswith(("400 ", "404 ")):
                raise _NotHere(exc.reason) from exc
            raise
        if not isinstance(answer, dict):
            raise PayloadError(f"{method}: not a JSON object")
        return answer

    def _resolve_on(self, base: str, did: str) -> Identity:
        repo = self._get(base, "com.atproto.repo.describeRepo", repo=did)
        if repo.get("did") != did:
            raise PayloadError("describeRepo answered for another DID")
        # Only a verified handle is used: anyone can *claim* the organisation's handle in their
        # DID document. Verified = the PDS checked it, or our own PDS resolves it back to this
        # DID (right after a handle change the PDS's cached DID document lags behind).
        handle = clean_handle(repo.get("handle"))
        if handle and not repo.get("handleIsCorrect") and not self._points_to(handle, did):
            handle = ""
        try:
            profile = self._get(base, "com.atproto.repo.getRecord", repo=did,
                                collection=PROFILE, rkey="self")
        except _NotHere:  # no profile record: a handle without a display name
            profile = {}
        value = profile.get("value")
        name = clean_display_name(value.get("displayName")) if isinstance(value, dict) else ""
        return Identity(did=did, handle=handle, display_name=name)

    def _points_to(self, handle: str, did: str) -> bool:
        """Does ``handle`` resolve to ``did``, asked of the account's own (trusted) PDS?"""
        try:
            answer = self._get(self.pds_url, "com.atproto.identity.resolveHandle", handle=handle)
        except _NotHere:
            return False
        return answer.get("did") == did

    def _pds_from_plc(self, did: str) -> str:
        if not did.startswith("did:plc:") or not self.plc_url:
            return ""
        try:
            doc = self.http.json("GET", f"{self.plc_url}/{quote(did, safe=':')}")
        except TemporaryError:
            raise
        except SourceError:
            return ""
        services = doc.get("service") if isinstance(doc, dict) else None
        for service in services if isinstance(services, list) else []:
            if (isinstance(service, dict) and str(service.get("id", "")).endswith("#atproto_pds")
                    and isinstance(service.get("serviceEndpoint"), str)):
                endpoint = service["serviceEndpoint"].rstrip("/")
                parts = urlsplit(endpoint)
                schemes = ("https", "http") if self.allow_plain_http else ("https",)
                if parts.scheme in schemes and parts.hostname and not parts.query:
                    return endpoint
        return ""


class _NotHere(Exception):
    """This PDS does not hold the repo or record (400 RepoNotFound / RecordNotFound, 404)."""
