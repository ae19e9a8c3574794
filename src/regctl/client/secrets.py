"""Secret references (docs/secrets.md, Provider.credentials): ``env:NAME``,
``file:PATH``, the secret stores ``vault:`` and ``aws-sm:``, and plugin schemes.

``env:`` and ``file:`` are read at every call (a mounted secret file that changes is
picked up at once). ``vault:`` (:mod:`._vault`) and ``aws-sm:`` (:mod:`._aws_sm`) are
read over the network and cached (:mod:`._stores`); their modules are imported
only when such a reference is first resolved.

A plugin is an entry point in the group ``regctl.secrets`` whose name is the
scheme. It loads to either a callable ``(rest: str) -> str | None`` or an object
with a ``resolve(rest)`` method of that signature; ``None`` means "no value".
``importlib.metadata`` is imported only when a plugin scheme is first used.
Error messages name the reference and why it failed, never a value; a plugin's own
message is shown only with anything key-like masked (:func:`regctl.base.redact.redact_strict`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from regctl.base.i18n import msg
from regctl.base.redact import redact_strict
from regctl.client.errors import (
    NoCredentials,
    SecretError,
    SecretFileError,
    SecretNotSet,
    SecretPluginError,
    UnknownSecretScheme,
)
from regctl.client.secretstr import SecretStr
from regctl.io import safeio

ENTRY_POINT_GROUP = "regctl.secrets"
_plugins: dict[str, Callable[[str], Any]] = {}


#: Schemes served here, without a plugin or a ``secret_schemes`` declaration.
BUILTIN = ("env", "file", "vault", "aws-sm")


class CredentialChain(Protocol):
    """What :func:`provider_key` needs of a provider (:class:`regctl.client.Provider` has it)."""

    @property
    def id(self) -> str: ...

    @property
    def credentials(self) -> tuple[str, ...]: ...

    @property
    def allow_shared_credentials(self) -> bool: ...

    @property
    def shared_key_groups(self) -> tuple[str, ...] | None: ...


def resolve_secret(ref: str, *, refresh: bool = False) -> SecretStr:
    """Resolve one secret reference to its value, or raise a :class:`SecretError`.

    ``refresh`` reads a ``vault:``/``aws-sm:`` value from its store even when it is
    cached (other schemes are read every time anyway).
    """
    scheme, sep, rest = ref.partition(":")
    if not sep or not scheme:
        raise SecretError(f"malformed secret reference {ref!r} (want SCHEME:REST)")
    if scheme == "vault":
        from regctl.client import _vault

        return _vault.resolve(ref, rest, refresh=refresh)
    if scheme == "aws-sm":
        from regctl.client import _aws_sm

        return _aws_sm.resolve(ref, rest, refresh=refresh)
    if scheme == "env":
        value = os.environ.get(rest)
        if not value or not value.strip():
            raise SecretNotSet(f"{ref}: environment variable {rest} is not set")
        return SecretStr(value.strip(), ref)
    if scheme == "file":
        return _read_file(ref, rest)
    return _from_plugin(ref, scheme, rest)


MAX_SECRET_BYTES = 64 * 1024
"""A secret file larger than this is refused (keys are short; a FIFO or a device never ends)."""


def _read_file(ref: str, path: str) -> SecretStr:
    try:
        value = safeio.read_text(os.path.expanduser(path), MAX_SECRET_BYTES).strip()
    except safeio.FileMissing:
        raise SecretFileError(f"{ref}: cannot read file (No such file or directory)") from None
    except safeio.SafeReadError as exc:
        why = str(exc).removeprefix("cannot read: ")
        raise SecretFileError(
            f"{ref}: file {why}" if why.startswith("is ") else f"{ref}: cannot read file ({why})"
        ) from None
    if not value:
        raise SecretFileError(f"{ref}: file is empty")
    return SecretStr(value, ref)


def _load_plugin(scheme: str) -> Callable[[str], Any]:
    cached = _plugins.get(scheme)
    if cached is not None:
        return cached
    from importlib.metadata import entry_points

    found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == scheme]
    if not found:
        raise UnknownSecretScheme(
            f"no plugin for secret scheme {scheme!r} (entry point group {ENTRY_POINT_GROUP!r})"
        )
    try:
        obj = found[0].load()
    except Exception as exc:
        raise SecretPluginError(
            f"secret plugin {scheme!r} failed to load ({type(exc).__name__})"
        ) from None
    plugin: Callable[[str], Any] = getattr(obj, "resolve", obj)
    if not callable(plugin):
        raise SecretPluginError(f"secret plugin {scheme!r} is not callable")
    _plugins[scheme] = plugin
    return plugin


def _from_plugin(ref: str, scheme: str, rest: str) -> SecretStr:
    plugin = _load_plugin(scheme)
    try:
        value = plugin(rest)
    except SecretError as exc:
        # The plugin's own words ("token expired") help; a key it quotes must not pass.
        said = redact_strict(str(exc))
        try:
            again = type(exc)(f"{ref}: {said}")
        except Exception:  # a subclass with its own constructor
            again = SecretError(f"{ref}: {said}")
        raise again from None
    except Exception as exc:
        # Only the type: a plugin's own message might quote what it read.
        raise SecretPluginError(f"{ref}: plugin {scheme!r} raised {type(exc).__name__}") from None
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value is None or (isinstance(value, str) and not value.strip()):
        raise SecretNotSet(f"{ref}: plugin {scheme!r} found no value")
    if not isinstance(value, str):
        raise SecretPluginError(f"{ref}: plugin {scheme!r} returned {type(value).__name__}")
    return SecretStr(value.strip(), ref)


def provider_key(
    provider: CredentialChain,
    personal: str | SecretStr | None = None,
    group: str | Iterable[str] | None = None,
    *,
    refresh: bool = False,
) -> SecretStr:
    """See :meth:`regctl.client.Provider.api_key`."""
    if isinstance(personal, SecretStr):
        if personal:
            return personal
    elif personal:
        return SecretStr(personal, "personal")
    if not provider.allow_shared_credentials:
        raise NoCredentials(
            msg(
                "provider {provider} allows only a personal key"
                " (allow_shared_credentials: false) and none was given",
                provider=repr(provider.id),
            )
        )
    allowed = provider.shared_key_groups
    if allowed is not None:
        groups = {group} if isinstance(group, str) else set(group or ())
        if not groups & set(allowed):
            shown = ", ".join(repr(g) for g in allowed)
            asked = ", ".join(repr(g) for g in sorted(groups))
            raise NoCredentials(
                msg(
                    "provider {provider} shares its key only with groups {groups}"
                    " (caller's groups: {asked}) and no personal key was given",
                    provider=repr(provider.id),
                    groups=shown if allowed else msg("none"),
                    asked=asked if groups else msg("none given"),
                )
            )
    if not provider.credentials:
        raise NoCredentials(
            msg(
                "provider {provider} has no credentials and no personal key",
                provider=repr(provider.id),
            )
        )
    attempts: list[tuple[str, SecretError]] = []
    for ref in provider.credentials:
        try:
            return resolve_secret(ref, refresh=refresh)
        except SecretError as exc:
            attempts.append((ref, exc))
    reasons = "; ".join(str(exc) for _, exc in attempts)
    text = msg(
        "no key for provider {provider}: {reasons}", provider=repr(provider.id), reasons=reasons
    )
    raise NoCredentials(text, tuple(attempts))


def clear_cache() -> None:
    """Forget every cached store value and login token, and the AWS session.

    For a process that changed its store settings (``VAULT_ADDR``, credentials) and must
    not use what it read before; tests use it between cases.
    """
    import sys

    from regctl.client import _stores

    _stores.clear()
    for name in ("regctl.client._vault", "regctl.client._aws_sm"):
        module = sys.modules.get(name)
        if module is not None:
            module.clear()


def check_references(refs: list[str], *, workers: int = 8) -> list[tuple[str, SecretError | None]]:
    """``(reference, None)`` for each reference that resolves, ``(reference, error)`` else.

    In the order given; references are read at the same time (each is bounded by its
    own deadline, so a store that is down costs one deadline, not one per reference)
    and each once, with ``refresh`` (a check must not pass on a cached value).
    Never returns a value. ``regctl doctor`` prints this.
    """
    unique = list(dict.fromkeys(refs))

    def one(ref: str) -> SecretError | None:
        try:
            resolve_secret(ref, refresh=True)
        except SecretError as exc:
            return exc
        return None

    if len(unique) <= 1:
        found = {ref: one(ref) for ref in unique}
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(unique)))) as pool:
            found = dict(zip(unique, pool.map(one, unique)))
    return [(ref, found[ref]) for ref in refs]
