"""The answer of :meth:`regctl.client.Registry.resolve`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from regctl.client._frozen import _Frozen
from regctl.client.errors import ResolutionError
from regctl.client.types import Model, Provider, SecretStr

if TYPE_CHECKING:
    from regctl.client.usage_event import UsageEvent

_record: Any = None  # regctl.client.usage.record, imported on the first record()
_health: Any = None  # regctl.client.health, imported on the first report()
_spent: Any = None  # regctl.client.limits.spent, imported on the first priced record()

# Protocols that openai.OpenAI(base_url=...) talks to directly.
_OPENAI_WIRE = frozenset({"openai", "openai-compatible", "azure-openai"})


class Notice(_Frozen):
    """A warning that came with an answer: ``code`` (stable, docs/resolution.md) and
    ``message`` (one line, in the caller's language)."""

    __slots__ = ("code", "message")

    code: str
    message: str

    def __init__(self, code: str, message: str) -> None:
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "message", message)

    def as_dict(self) -> dict[str, str]:
        """``{"code": ..., "message": ...}``."""
        return {"code": self.code, "message": str(self.message)}

    def __repr__(self) -> str:
        return f"Notice({self.code!r}, {str(self.message)!r})"


class Resolved(_Frozen):
    """A provider + model to call, with merged call parameters.

    ``params`` merges call > template > model defaults > provider defaults, with
    ``max_tokens`` capped at the model's ``max_output_tokens``. ``via`` says which
    step chose it: ``"model"``, ``"template"``, ``"provider"``, ``"default"``,
    ``"fallback"`` or ``"scope"``. ``warnings`` holds a :class:`Notice` for each thing
    the caller should know (a pin of an inactive or deprecated model, a template pin
    that fell back, a capped parameter); docs/resolution.md lists the codes.
    """

    __slots__ = (
        "_origin",
        "capability",
        "model",
        "params",
        "provider",
        "template",
        "via",
        "warnings",
    )

    provider: Provider
    model: Model
    capability: str
    params: Mapping[str, Any]
    via: str
    template: str | None
    warnings: tuple[Notice, ...]
    _origin: Any  # the ManifestData that chose this model: digest, commit, environment

    def __init__(
        self,
        provider: Provider,
        model: Model,
        capability: str,
        params: Mapping[str, Any],
        via: str,
        template: str | None = None,
        origin: Any = None,
        warnings: tuple[Notice, ...] = (),
    ) -> None:
        s = object.__setattr__
        s(self, "provider", provider)
        s(self, "model", model)
        s(self, "capability", capability)
        s(self, "params", MappingProxyType(dict(params)))
        s(self, "via", via)
        s(self, "template", template)
        s(self, "_origin", origin)
        s(self, "warnings", warnings)

    def record(
        self,
        input_tokens: int = 0,
        output_tokens: int = 0,
        cached_input_tokens: int = 0,
        latency_ms: float | None = None,
        ok: bool = True,
        *,
        sink: Any = None,
    ) -> UsageEvent:
        """Record one call to this model: a :class:`~regctl.client.usage_event.UsageEvent`.

        The event holds the provider, model, capability, environment, template,
        the exact ``Decimal`` cost from the manifest prices (``None`` when the
        model is unpriced), the manifest digest and source commit that chose the
        model, and a UTC timestamp. It goes to ``sink`` (a sink or several), else
        to the sinks of :func:`regctl.client.usage.configure` (or
        ``$REGCTL_USAGE_SINKS``), and is returned. Raises :class:`PricingError`
        for a negative or non-integer token count (or one over 2**63-1), and
        :class:`~regctl.client.usage_event.UsageError` for a ``latency_ms`` that is
        not a finite number from 0: what ``regctl spend`` would skip as malformed
        is refused here, so a recorded call never vanishes from the reports.
        """
        global _record
        if _record is None:
            from regctl.client.usage import record as _loaded

            _record = _loaded
        event: UsageEvent = _record(
            self, input_tokens, output_tokens, cached_input_tokens, latency_ms, ok, sink
        )
        if event.cost:
            # Budgets count what record() priced: the same path feeds reports and limits.
            global _spent
            if _spent is None:
                from regctl.client.limits import spent as _loaded_spent

                _spent = _loaded_spent
            _spent(self, event.cost)
        return event

    def report(
        self, ok: bool, *, status: int | None = None, retry_after: float | None = None
    ) -> bool:
        """Tell the health table how a call to this model went; returns whether the
        model is now cooling down (:meth:`Registry.failover` skips it).

        ``status`` is the HTTP status of a failure (``None``: no answer, e.g. a
        timeout); 4xx answers other than 401, 402, 403, 404, 408 and 429 are the
        request's fault and do not count. ``retry_after`` (seconds) is the provider's
        ``Retry-After``: the cooldown lasts that long when this failure starts one.
        See :mod:`regctl.client.health`.
        """
        global _health
        if _health is None:
            from regctl.client import health as _loaded_health

            _health = _loaded_health
        return _health.report_resolved(self, ok, status, retry_after)  # type: ignore[no-any-return]

    def acquire(self, tokens: int = 0, timeout: float = 0) -> None:
        """Admit a call to this model under its rate limits and budgets, or raise.

        ``tokens`` is what the call will use (for ``tpm`` limits). Raises
        :class:`RateLimited` (``.wait``: seconds until there is room) when a limit of the
        provider or the model is full, after waiting up to ``timeout`` seconds for room;
        :class:`BudgetExceeded` when a ``refuse`` or ``fallback`` budget of the call is
        spent. See :mod:`regctl.client.limits`.
        """
        from regctl.client.limits import acquire

        acquire(self, tokens, timeout)

    @property
    def upstream_id(self) -> str:
        """The model id sent to the provider's API."""
        return self.model.upstream_id

    @property
    def base_url(self) -> str | None:
        """The provider's API base URL (``None`` only for ``bedrock``)."""
        return self.provider.base_url

    @property
    def api(self) -> str:
        """The wire protocol (``openai``, ``anthropic``, ``gemini``, ...)."""
        return self.provider.api

    def api_key(
        self,
        personal: str | SecretStr | None = None,
        group: str | Iterable[str] | None = None,
        *,
        refresh: bool = False,
    ) -> SecretStr:
        """The key to call with: ``personal`` if given, else the credential chain.

        The chain is used only when the provider allows shared credentials and, when it
        lists ``shared_key_groups``, only for a caller in one of them (``group``: one name
        or several); the first reference that resolves wins. ``refresh=True`` re-reads a
        cached value from a secret store (``vault:``, ``aws-sm:``): call it once after the
        provider answered 401, so a rotated key is picked up. Raises
        :class:`NoCredentials` naming the provider and every reference tried (never a
        value).
        """
        return self.provider.api_key(personal, group, refresh=refresh)

    def call_kwargs(self) -> dict[str, Any]:
        """``{"model": upstream_id, **params}`` for ``client.chat.completions.create``."""
        return {"model": self.upstream_id, **self.params}

    def openai_kwargs(
        self,
        personal: str | SecretStr | None = None,
        group: str | Iterable[str] | None = None,
        *,
        refresh: bool = False,
    ) -> dict[str, Any]:
        """Keyword arguments for ``openai.OpenAI(**kwargs)``: ``api_key`` and ``base_url``.

        Only for the ``openai``, ``openai-compatible`` and ``azure-openai`` protocols
        (:class:`ResolutionError` otherwise).

        The returned dict holds the plaintext key (the OpenAI client needs it):
        pass it straight on, do not log it. ``refresh`` as for :meth:`api_key`.
        """
        if self.api not in _OPENAI_WIRE or self.base_url is None:
            raise ResolutionError(
                f"provider {self.provider.id!r} speaks the {self.api!r} protocol, not OpenAI's:"
                " use that vendor's SDK with .base_url and .api_key()"
            )
        key = self.api_key(personal, group, refresh=refresh).get_secret_value()
        return {"api_key": key, "base_url": self.base_url}

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON data (no key) for printing."""
        return {
            "provider": self.provider.id,
            "model": self.model.key,
            "id": self.model.id,
            "upstream_id": self.upstream_id,
            "display_name": self.model.display_name,
            "capability": self.capability,
            "api": self.api,
            "base_url": self.base_url,
            "params": dict(self.params),
            "via": self.via,
            "template": self.template,
            "warnings": [w.as_dict() for w in self.warnings],
        }

    def __repr__(self) -> str:
        return f"Resolved({self.model.key!r}, capability={self.capability!r}, via={self.via!r})"
