"""Type checks for manifest entries: a digest proves integrity, not good intent.

Anyone who can write the manifest can also re-seal its digest, so data that
hashes right may still hold a list where a string belongs. Every entry is
checked here before an object is built from it, so a malformed manifest is an
:class:`~regctl.client.errors.InvalidManifest` at load or first lookup, never
a ``TypeError`` in the middle of an application.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from regctl.base.i18n import msg
from regctl.client.errors import InvalidManifest

Check = Callable[[Any], bool]


def _str(v: Any) -> bool:
    return type(v) is str


def _opt_str(v: Any) -> bool:
    return v is None or type(v) is str


def _bool(v: Any) -> bool:
    return type(v) is bool


def _str_list(v: Any) -> bool:
    return type(v) is list and all(type(x) is str for x in v)


def _dict(v: Any) -> bool:
    return type(v) is dict


def _str_map(v: Any) -> bool:
    return type(v) is dict and all(type(x) is str for x in v.values())


def _int_map(v: Any) -> bool:
    return type(v) is dict and all(type(x) is int for x in v.values())


def _bool_map(v: Any) -> bool:
    return type(v) is dict and all(type(x) is bool for x in v.values())


def _pricing(v: Any) -> bool:
    # JSON "1e400" reads as inf: a price must be a finite number (or a currency string).
    return type(v) is dict and all(
        type(x) in (int, str) or x is None or (type(x) is float and math.isfinite(x))
        for x in v.values()
    )


PROVIDER: dict[str, tuple[Check, bool]] = {
    "id": (_str, True),
    "display_name": (_str, False),
    "api": (_str, False),
    "base_url": (_opt_str, False),
    "enabled": (_bool, False),
    "credentials": (_str_list, False),
    "allow_shared_credentials": (_bool, False),
    "shared_key_groups": (_str_list, False),
    "defaults": (_dict, False),
    "rate_limits": (_int_map, False),
    "region": (_opt_str, False),
    "description": (_opt_str, False),
    "docs_url": (_opt_str, False),
    "labels": (_str_map, False),
}

MODEL: dict[str, tuple[Check, bool]] = {
    "provider": (_str, True),
    "id": (_str, True),
    "upstream_id": (_str, False),
    "display_name": (_str, False),
    "capabilities": (_str_list, False),
    "active": (_str_list, False),
    "supports": (_bool_map, False),
    "defaults": (_dict, False),
    "limits": (_int_map, False),
    "pricing": (_pricing, False),
    "rate_limits": (_int_map, False),
    "released": (_opt_str, False),
    "deprecated": (_opt_str, False),
    "description": (_opt_str, False),
    "docs_url": (_opt_str, False),
    "labels": (_str_map, False),
}

TEMPLATE: dict[str, tuple[Check, bool]] = {
    "id": (_str, False),
    "model": (_opt_str, False),
    "capability": (_opt_str, False),
    "system": (_opt_str, False),
    "user": (_opt_str, False),
    "params": (_dict, False),
    "variables": (
        lambda v: type(v) is dict and all(x is None or type(x) is dict for x in v.values()),
        False,
    ),
}


def check_entry(
    entry: Any, fields: dict[str, tuple[Check, bool]], what: str | Callable[[], str]
) -> None:
    """Raise :class:`InvalidManifest` unless ``entry`` is a dict with well-typed known fields.

    ``what`` names the entry in the message; a callable is called only on failure (the
    name is a catalogue message, not worth building for every good entry)."""
    if type(entry) is not dict:
        raise InvalidManifest(msg("{what} is not an object", what=_named(what)))
    for name, (ok, required) in fields.items():
        if name in entry:
            if not ok(entry[name]):
                raise InvalidManifest(
                    msg(
                        "{what}: field {name} has the wrong type",
                        what=_named(what),
                        name=repr(name),
                    )
                )
        elif required:
            raise InvalidManifest(
                msg("{what}: required field {name} is missing", what=_named(what), name=repr(name))
            )


def _named(what: str | Callable[[], str]) -> str:
    return what() if callable(what) else what


def check_top(top: dict[str, Any], source: str) -> None:
    """Check ``active``, ``defaults``, ``fallbacks``, ``templates`` and the capabilities."""
    where = source
    for pid, caps in top["active"].items():
        if not _str_map(caps):
            raise InvalidManifest(
                msg(
                    "manifest {source}: 'active.{provider}' is not an object of model keys",
                    source=where,
                    provider=pid,
                )
            )
    if not _str_map(top["defaults"]):
        raise InvalidManifest(
            msg("manifest {source}: 'defaults' is not an object of provider ids", source=where)
        )
    for cap, order in top["fallbacks"].items():
        if not _str_list(order):
            raise InvalidManifest(
                msg(
                    "manifest {source}: 'fallbacks.{capability}' is not a list of provider ids",
                    source=where,
                    capability=cap,
                )
            )
    for tid, entry in top["templates"].items():
        check_entry(
            entry,
            TEMPLATE,
            msg("manifest {source}: template {template}", source=where, template=repr(tid)),
        )
        for name, decl in (entry.get("variables") or {}).items():
            if decl is not None and "required" in decl and type(decl["required"]) is not bool:
                raise InvalidManifest(
                    msg(
                        "manifest {source}: template {template} variable {name} is malformed",
                        source=where,
                        template=repr(tid),
                        name=repr(name),
                    )
                )
    caps = top["registry"].get("capabilities")
    if not _str_list(caps) or not caps:
        raise InvalidManifest(
            msg(
                "manifest {source}: 'registry.capabilities' is missing or not a list of names",
                source=where,
            )
        )
    env = top.get("environment")
    if env is not None and type(env) is not str:
        raise InvalidManifest(msg("manifest {source}: 'environment' is not a string", source=where))
