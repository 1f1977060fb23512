"""Archive imports: a provider with no live connection, only the IMPORT feature."""

from __future__ import annotations

from samen.sources.base import Feature, Provider, register

PROVIDER = register(Provider(key="import", name="Archive import",
                             features=frozenset({Feature.IMPORT})))
