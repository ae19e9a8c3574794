"""The :class:`Registry`: load, verify, look up, resolve, price, reload.

The class holds the public API and its documentation; the work is done by plain
functions over its state: ``_load`` (loading, refresh), ``_watch`` (the watch thread),
``_lookup`` and ``_resolve`` (lookups and resolution), ``_call`` (failover).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from regctl.base import i18n
from regctl.client import _load, _lookup, _resolve
from regctl.client._frozen import _Frozen
from regctl.client.errors import ClientError, ManifestError
from regctl.client.resolved import Resolved
from regctl.client.types import Model, Provider

if TYPE_CHECKING:
    import datetime as _dt
    from decimal import Decimal

    from regctl.client._state import State
    from regctl.client.render import RenderedPrompt

_EMPTY: dict[str, str] = {}
_T = TypeVar("_T")


class Registry(_Frozen):
    """A verified lock manifest, safe to share between threads.

    The manifest data never changes; :meth:`refresh` (or a :meth:`watch` thread)
    swaps a whole new verified manifest in with one reference assignment, so each
    lookup sees either the old or the new manifest, never a mix.
    """

    __slots__ = (
        "_cache",
        "_expect",
        "_lang",
        "_lock",
        "_on_change",
        "_on_error",
        "_source",
        "_state",
        "_stop",
        "_thread",
        "_timeout",
        "last_error",
    )

    _state: State
    _source: str
    _expect: str | None
    _timeout: float
    _lang: str
    _cache: str | None
    _lock: Any
    _stop: Any
    _thread: Any
    _on_change: Callable[[Registry], None] | None
    _on_error: Callable[[Registry, ManifestError], None] | None
    last_error: ManifestError | None
    """Why the last reload failed (``None`` after a good one); the old manifest kept serving."""

    def __init__(
        self,
        source: str | os.PathLike[str],
        *,
        expect_digest: str | None = None,
        timeout: float = 10.0,
        cache: str | os.PathLike[str] | bool | None = None,
        locale: str | None = None,
    ) -> None:
        """Prefer :meth:`load`. Loads ``source`` now; raises :class:`ManifestError`."""
        _load.init(self, source, expect_digest, timeout, cache, locale)

    @classmethod
    def load(
        cls,
        source: str | os.PathLike[str],
        *,
        expect_digest: str | None = None,
        timeout: float = 10.0,
        cache: str | os.PathLike[str] | bool | None = None,
        locale: str | None = None,
    ) -> Registry:
        """Load and verify a manifest from a path (``file:`` optional) or ``http(s)://`` URL.

        ``expect_digest`` pins the exact manifest. For URLs, ``timeout`` is in
        seconds and ``cache`` is the last-known-good file (default under
        ``$REGCTL_CACHE_DIR`` or ``~/.cache/regctl``; ``False`` turns it off).
        ``locale`` is the language of error and warning messages (``"fa"``; default
        ``$REGCTL_LANG``, then ``$LANG``; codes never change). Fails closed: raises a
        :class:`ManifestError` subclass.
        """
        return cls(source, expect_digest=expect_digest, timeout=timeout, cache=cache, locale=locale)

    @classmethod
    def from_bytes(
        cls, data: bytes, *, source: str = "<bytes>", locale: str | None = None
    ) -> Registry:
        """A registry over manifest ``data`` already in memory (verified like a file;
        :meth:`refresh` has nothing to re-read). ``source`` names it in messages."""
        reg = object.__new__(cls)
        _load.init_bytes(reg, data, source, locale)
        return reg

    @classmethod
    def watch(
        cls,
        source: str | os.PathLike[str],
        interval: float = 5.0,
        *,
        on_change: Callable[[Registry], None] | None = None,
        on_error: Callable[[Registry, ManifestError], None] | None = None,
        **load_options: Any,
    ) -> Registry:
        """:meth:`load`, then re-check ``source`` every ``interval`` seconds in a daemon thread.

        ``etcd://`` sources follow etcd's watch stream instead (changes arrive at
        once) and poll with backoff, at most every ``interval``, while it is broken.
        A mounted Kubernetes ConfigMap is followed through kubelet's ``..data`` swap.

        A changed, valid manifest is swapped in (``on_change``); a bad one is
        refused, the old one keeps serving, and ``on_error`` gets the reason (also
        in :attr:`last_error` and logged on the ``regctl.client`` logger). Stop
        with :meth:`close` or a ``with`` block.
        """
        from regctl.client import _watch

        reg = cls(source, **load_options)
        _watch.start(reg, interval, on_change, on_error)
        return reg

    def close(self) -> None:
        """Stop the :meth:`watch` thread (no-op otherwise)."""
        stop, thread = self._stop, self._thread
        if stop is not None:
            stop.set()
        if thread is not None:
            thread.join()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def refresh(self, *, raise_errors: bool = False) -> bool:
        """Reload the source now; returns whether a different manifest was swapped in.

        On failure the current manifest keeps serving, :attr:`last_error` says why
        (and the ``regctl.client`` logger warns); ``raise_errors=True`` also raises it.
        """
        return _load.refresh(self, raise_errors)

    # -- data -------------------------------------------------------------------------

    @property
    def source(self) -> str:
        """Where the manifest was loaded from."""
        return self._source

    @property
    def digest(self) -> str:
        """``sha256:<hex>`` of the manifest now serving."""
        return self._state.data.digest

    @property
    def environment(self) -> str | None:
        """The environment the manifest was compiled for (``None``: the base registry)."""
        env = self._state.data.top.get("environment")
        return env if isinstance(env, str) else None

    @property
    def stale(self) -> str | None:
        """Why a cached last-known-good copy is serving (the URL failed), else ``None``."""
        return self._state.stale_reason

    @property
    def providers(self) -> Mapping[str, Provider]:
        """Provider id -> :class:`Provider` (read-only)."""
        from types import MappingProxyType

        return MappingProxyType(self._state.providers)

    @property
    def capabilities(self) -> frozenset[str]:
        """Every capability name the registry knows."""
        return self._state.capabilities

    @property
    def defaults(self) -> Mapping[str, str]:
        """Capability -> default provider id."""
        return self._state.defaults

    @property
    def fallbacks(self) -> Mapping[str, tuple[str, ...]]:
        """Capability -> provider ids to try after the default, in order."""
        return self._state.fallbacks

    @property
    def templates(self) -> Mapping[str, Mapping[str, Any]]:
        """Template id -> template entry (read-only data; rendering is not done here)."""
        return self._state.templates

    def provider(self, provider_id: str) -> Provider:
        """The provider, or :class:`UnknownProvider`."""
        try:
            return _lookup.get_provider(self._state, provider_id)
        except ClientError as exc:
            raise self._said(exc) from None

    def model(self, key: str | Model, provider: str | None = None) -> Model:
        """A model by ``"provider/model"`` (or id + ``provider``), or :class:`UnknownModel`."""
        if isinstance(key, Model):
            return key
        try:
            return _lookup.pinned(self._state, key, provider)
        except ClientError as exc:
            raise self._said(exc) from None

    def active_model(self, provider: str, capability: str) -> Model | None:
        """The one active model of ``provider`` for ``capability``, or ``None``.

        Raises :class:`UnknownProvider` / :class:`UnknownCapability` for names the
        manifest does not know.
        """
        st = self._state
        key = st.active.get(provider, _EMPTY).get(capability)
        if key is not None:
            m = st.model_cache.get(key)
            return m if m is not None else _lookup.active_entry(st, key)
        try:
            _lookup.check_names(st, provider, capability)
        except ClientError as exc:
            raise self._said(exc) from None
        return None

    def models(
        self,
        provider: str | None = None,
        capability: str | None = None,
        active: bool | None = None,
    ) -> list[Model]:
        """Models in key order, filtered by provider, capability and active state.

        ``active=True`` keeps models active (for ``capability`` when given);
        ``active=False`` keeps the others.
        """
        st = self._state
        try:
            _lookup.check_filters(st, provider, capability)
        except ClientError as exc:
            raise self._said(exc) from None
        return _lookup.models(st, provider, capability, active)

    def resolve(
        self,
        capability: str = "chat",
        provider: str | None = None,
        model: str | None = None,
        template: str | None = None,
        params: Mapping[str, Any] | None = None,
        *,
        fallback: bool | None = None,
        needs: Mapping[str, Any] | None = None,
        prefer: str | None = None,
        scope: str = "order",
        strict: bool = False,
        today: str | _dt.date | None = None,
    ) -> Resolved:
        """Choose what to call for ``capability``: the contract of docs/resolution.md.

        1. ``model`` (``"provider/model"``, or a model id with ``provider``), pinned;
        2. the template's ``model`` while it can serve (a template with a
           ``capability`` sets it, and falls back to it when the pin cannot serve);
        3. ``provider``'s model active for the capability, and nothing else unless
           ``fallback=True``;
        4. with no ``provider`` (or ``fallback=True``): the registry default provider's,
           then the registry fallbacks' (``fallback=False``: the default only);
        5. ``scope="all"``: then every other enabled provider, by id.

        A candidate is a provider's one model active for the capability, of an
        enabled provider, not past its ``deprecated`` date (``today``, default UTC
        today). ``needs`` filter the candidates, ``prefer`` (``"cheapest"``,
        ``"newest"``, ``"largest-context"``) ranks them. ``via`` names the step.

        A pin of a model not active for the capability, or deprecated, is served with
        a ``warnings`` entry; ``max_tokens`` above the model's ``max_output_tokens`` is
        capped with one. ``strict=True`` refuses instead. Raises the
        :class:`ResolutionError` subclasses (each with its stable ``code``).
        """
        try:
            q = _resolve.Query(
                capability, provider, model, template, params, fallback,
                needs, prefer, scope, strict, today,
            )  # fmt: skip
            chosen = _resolve.resolve(self._state, q)
        except ClientError as exc:
            raise self._said(exc) from None
        return self._told(chosen) if chosen.warnings and self._lang != "en" else chosen

    def candidates(
        self,
        capability: str = "chat",
        provider: str | None = None,
        model: str | None = None,
        template: str | None = None,
        params: Mapping[str, Any] | None = None,
        *,
        fallback: bool | None = None,
        needs: Mapping[str, Any] | None = None,
        prefer: str | None = None,
        scope: str = "order",
        strict: bool = False,
        today: str | _dt.date | None = None,
    ) -> list[Resolved]:
        """Every answer :meth:`resolve` could give, best first: the list a retry loop walks.

        The pin first (if any); then, when the question allows other answers (no
        pin, a template's capability behind its pin, or ``fallback=True`` behind a
        ``model``), the candidates in order, filtered by ``needs`` and ranked by
        ``prefer``, without repeats. Empty when nothing can serve; the same errors
        as :meth:`resolve` for unknown names and bad arguments.
        """
        try:
            q = _resolve.Query(
                capability, provider, model, template, params, fallback,
                needs, prefer, scope, strict, today,
            )  # fmt: skip
            found = _resolve.candidates(self._state, q)
        except ClientError as exc:
            raise self._said(exc) from None
        return [self._told(r) if r.warnings and self._lang != "en" else r for r in found]

    def _told(self, r: Resolved) -> Resolved:
        """``r`` with its warnings in this registry's language."""
        from regctl.client.resolved import Notice

        said = tuple(Notice(w.code, i18n.translate(w.message, self._lang)) for w in r.warnings)
        object.__setattr__(r, "warnings", said)
        return r

    def _said(self, exc: ClientError) -> ClientError:
        """``exc`` with its message in this registry's language (its code unchanged)."""
        if self._lang != "en" and len(exc.args) == 1:
            exc.args = (i18n.translate(exc.args[0], self._lang),)
        return exc

    @property
    def locale(self) -> str:
        """The language of this registry's messages (``en``, ``fa``)."""
        return self._lang

    def failover(self, capability: str = "chat", **resolve_args: Any) -> Iterator[Resolved]:
        """The :meth:`candidates` in order, skipping models that are cooling down.

        Tell each one how its call went with :meth:`Resolved.report`: a model that fails
        more than ``policy.failover.allowed_fails`` times within ``window_seconds`` is
        skipped for ``cooldown_seconds`` (or the provider's ``Retry-After``), then handed
        to one caller as a probe whose report decides. ``resolve_args`` are those of
        :meth:`candidates`. See docs/client.md, "Failures and limits"::

            for chosen in registry.failover("chat"):
                try:
                    answer = ask(chosen)
                except ProviderDown as exc:
                    chosen.report(False, status=exc.status)
                    continue
                chosen.report(True)
                break
        """
        from regctl.client import _call  # the failover machinery, on first use

        cands = _call.cached_candidates(
            self._state.data,
            lambda: self.candidates(capability, **resolve_args),
            capability,
            resolve_args,
        )
        return _call.healthy(cands)

    def call(
        self,
        capability: str,
        fn: Callable[[Resolved], _T],
        *,
        tokens: int = 0,
        wait: float = 0.0,
        usage: Callable[[Any], Mapping[str, int]] | None = None,
        sink: Any = None,
        **resolve_args: Any,
    ) -> _T:
        """Call ``fn(resolved)`` on the first candidate that answers, and return its result.

        Walks :meth:`failover` (``resolve_args`` as for :meth:`candidates`). Each try
        first :meth:`Resolved.acquire` s the model (``tokens``; waiting up to ``wait``
        seconds), then calls ``fn``. A retryable failure (429, 5xx, 408, a timeout or a
        connection error; see :mod:`regctl.client.failures`) is retried on the same model
        up to ``policy.failover.num_retries`` times with jittered exponential backoff
        (at least the provider's ``Retry-After``), then the next candidate is tried; so
        is a model that is rate limited, over a ``fallback`` budget, or answered 401,
        402, 403 or 404. Every try is recorded (:meth:`Resolved.record`, to ``sink`` or
        the configured sinks; token counts from ``usage(result)`` or the answer's
        OpenAI/Anthropic ``.usage``) and reported to the health table.

        Raises :class:`CallFailed` listing the attempts when no candidate answered, or
        at once when the provider refused the request itself (another 4xx: it would
        fail everywhere); :class:`BudgetExceeded` for a ``refuse`` budget; and any
        exception of ``fn`` that is not a provider failure, unchanged.
        """
        from regctl.client import _call  # the failover machinery, on first use

        try:
            return _call.call(
                self, capability, fn, tokens=tokens, wait=wait, usage=usage, sink=sink,
                resolve_args=resolve_args,
            )  # fmt: skip
        except ClientError as exc:  # in this registry's language; the provider's error stays
            raise self._said(exc) from exc.__cause__

    def render(self, template_id: str, /, **variables: Any) -> RenderedPrompt:
        """Render prompt template ``template_id`` with ``variables`` over its defaults.

        The model is resolved as :meth:`resolve` does for the template (its pinned
        ``model``, else its ``capability`` through the default provider and the
        fallbacks). Returns the messages, that :class:`Resolved`, and the template's
        call parameters. Jinja2 is imported only here. Raises :class:`UnknownTemplate`,
        the :meth:`resolve` errors, and :class:`RenderError` for bad variables or a
        template error.
        """
        from regctl.client.render import render

        try:
            entry = _lookup.get_template(self._state, template_id)
        except ClientError as exc:
            raise self._said(exc) from None
        resolved = self.resolve(entry.get("capability") or "chat", template=template_id)
        return render(entry, resolved, variables)

    def cost(
        self,
        model: str | Model | Resolved,
        input_tokens: int,
        output_tokens: int,
        cached_input_tokens: int = 0,
    ) -> Decimal:
        """USD for a call, exact, from the manifest prices (per 1,000,000 tokens).

        ``cached_input_tokens`` is the part of ``input_tokens`` billed at
        ``cached_input_per_mtok`` (the input price when there is none). Raises
        :class:`PricingError` for a missing price or a bad token count.
        """
        from regctl.client._pricing import cost

        m = model.model if isinstance(model, Resolved) else self.model(model)
        return cost(m, input_tokens, output_tokens, cached_input_tokens)

    def __repr__(self) -> str:
        st = self._state
        return (
            f"Registry(source={self._source!r}, digest={st.data.digest[:19]}…,"
            f" environment={self.environment!r}, providers={len(st.providers)})"
        )
