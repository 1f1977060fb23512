"""Check requests Samen sent against Mastodon's OpenAPI description."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests


def recording_session(log: list[requests.PreparedRequest]) -> requests.Session:
    """A session that keeps every request it sent (after redirects), for the spec check."""
    session = requests.Session()
    session.hooks["response"].append(lambda r, *a, **k: log.append(r.request))
    return session


@cache
def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _properties(spec: dict[str, Any], schema: Any) -> set[str]:
    schema = _resolve(spec, schema)
    names: set[str] = set()
    if not isinstance(schema, dict):
        return names
    names.update(schema.get("properties", {}))
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(key, []):
            names |= _properties(spec, sub)
    return names


def _match_path(spec: dict[str, Any], path: str) -> str | None:
    path = path.rstrip("/") or "/"
    for template in spec["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template.rstrip("/"))) + "$"
        if re.match(pattern, path):
            return template
    return None


def problems(spec_path: Path, sent: list[requests.PreparedRequest]) -> list[str]:
    """Every way ``sent`` disagrees with the spec: unknown path, method or parameter name."""
    spec = _load(spec_path)
    found: list[str] = []
    for request in sent:
        parts = urlsplit(request.url or "")
        template = _match_path(spec, parts.path)
        method = (request.method or "GET").lower()
        where = f"{request.method} {parts.path}"
        if template is None:
            found.append(f"{where}: path not in the spec")
            continue
        operation = spec["paths"][template].get(method)
        if operation is None:
            found.append(f"{where}: method not allowed by the spec")
            continue
        params = [_resolve(spec, p) for p in operation.get("parameters", [])]
        query_names = {p["name"] for p in params if p.get("in") == "query"}
        for name, _ in parse_qsl(parts.query, keep_blank_values=True):
            if name.removesuffix("[]") not in query_names:
                found.append(f"{where}: unknown query parameter {name!r}")
        body = request.body
        content_type = request.headers.get("Content-Type", "")
        if body and "x-www-form-urlencoded" in content_type:
            if isinstance(body, bytes):
                body = body.decode()
            schemas = (operation.get("requestBody") or {}).get("content", {})
            allowed: set[str] = set()
            for media in schemas.values():
                allowed |= _properties(spec, media.get("schema"))
            for name, _ in parse_qsl(body, keep_blank_values=True):
                base = name.removesuffix("[]")
                if base not in allowed:
                    found.append(f"{where}: unknown body parameter {name!r}")
    return found
