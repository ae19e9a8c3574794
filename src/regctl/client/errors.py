"""Exceptions raised by :mod:`regctl.client` (all one-line messages, never a key value).

Every class derives from :class:`ClientError` (itself a :class:`regctl.base.errors.RegctlError`),
so the CLI turns each into ``error: <message>`` and the exit code below:

=====================  =====  ==========================================================
class                  exit   raised when
=====================  =====  ==========================================================
``ManifestError``      4      the manifest cannot be loaded or trusted (fail closed)
``ManifestNotFound``   4      the file does not exist / the URL answers 404
``ManifestUnavailable`` 4     the URL cannot be fetched and no last-known-good copy exists
``InvalidManifest``    4      not JSON (e.g. truncated), not UTF-8, or the wrong shape
``UnsupportedVersion`` 4      ``apiVersion`` / ``kind`` / digest algorithm unknown
``DigestMismatch``     4      the content does not match its digest or ``expect_digest``
``ResolutionError``    3      nothing to resolve to (like HTTP 404)
``UnknownProvider``    3      a provider id the manifest does not have
``UnknownCapability``  3      a capability name outside the registry's vocabulary
``UnknownModel``       3      a ``provider/model`` key the manifest does not have
``UnknownTemplate``    3      a template id the manifest does not have
``NoActiveModel``      3      the resolution order ran out of candidates
``TemplatePinUnusable`` 3     a template's pin cannot serve and it names no capability
``ProviderDisabled``   3      a pinned model belongs to a disabled provider
``CapabilityMismatch`` 3      a pinned model does not have the capability asked for
``ModelInactive``      3      ``strict=True``: a pinned model is not active for it
``ModelDeprecated``    3      ``strict=True``: a pinned model is past its ``deprecated`` date
``ParamsOverLimit``    3      ``strict=True``: a parameter is above the model's limit
``BadQuery``           2      an unknown need, prefer or scope; a malformed ``today``
``SecretError``        5      a key could not be produced
``SecretNotSet``       5      ``env:NAME`` is unset or empty; a plugin found nothing
``SecretFileError``    5      ``file:PATH`` is unreadable, empty or not UTF-8
``UnknownSecretScheme`` 5     no plugin in the ``regctl.secrets`` group serves the scheme
``SecretPluginError``  5      a plugin raised
``MalformedSecretReference`` 5 a ``vault:``/``aws-sm:`` reference that does not parse
``SecretConfigError``  5      the store is not set up here (no token, region, botocore)
``SecretNotFound``     5      the store has no such secret, version or field
``SecretAccessDenied`` 5      the store refused the credentials (403, AccessDenied)
``SecretStoreUnavailable`` 5  the store is down, too slow, TLS fails, or answers 5xx
``NoCredentials``      5      the provider's whole credential chain failed (``.attempts``)
``PricingError``       6      a model without the price needed, or bad token counts
``LimitError``         7      a call is not admitted now (``Resolved.acquire``)
``RateLimited``        7      a rate limit has no room (``.wait``: seconds until it has)
``BudgetExceeded``     7      a ``refuse``/``fallback`` budget is spent (``.scope``)
``LimitsUnavailable``  7      the limits backend cannot be reached (``on_backend_error: closed``)
``CallFailed``         8      ``Registry.call`` ran out of candidates (``.attempts``)
=====================  =====  ==========================================================

Each class has a stable ``code`` (``no_active_model``, ...), the same in every reader
(docs/resolution.md, "Error codes"); messages follow the caller's language.
"""

from __future__ import annotations

from regctl.base.errors import RegctlError


class ClientError(RegctlError):
    """Base class of every runtime-client error. ``code``: the stable machine-readable name."""

    exit_code = 1
    code = "client_error"


class ManifestError(ClientError):
    """The manifest cannot be loaded or trusted; the client fails closed."""

    exit_code = 4
    code = "manifest_error"


class ManifestNotFound(ManifestError):
    """The manifest file does not exist, or the URL answered 404."""

    code = "manifest_not_found"


class ManifestUnavailable(ManifestError):
    """The URL could not be fetched and no last-known-good copy was cached."""

    code = "manifest_unavailable"


class InvalidManifest(ManifestError):
    """The bytes are not a manifest: bad/truncated JSON, not UTF-8, or a wrong shape."""

    code = "invalid_manifest"


class UnsupportedVersion(ManifestError):
    """The manifest's ``apiVersion``, ``kind`` or digest algorithm is not supported."""

    code = "unsupported_version"


class DigestMismatch(ManifestError):
    """The manifest content does not hash to its digest (tampered), or not the pinned one."""

    code = "digest_mismatch"


class ResolutionError(ClientError):
    """A lookup found nothing (the CLI exits 3, like HTTP 404)."""

    exit_code = 3
    code = "resolution_error"


class UnknownProvider(ResolutionError):
    """The provider id is not in the manifest."""

    code = "unknown_provider"


class UnknownCapability(ResolutionError):
    """The capability is not in the registry's capability vocabulary."""

    code = "unknown_capability"


class UnknownModel(ResolutionError):
    """The ``provider/model`` key is not in the manifest."""

    code = "unknown_model"


class UnknownTemplate(ResolutionError):
    """The template id is not in the manifest."""

    code = "unknown_template"


class NoActiveModel(ResolutionError):
    """No provider in the resolution order has an active model for the capability."""

    code = "no_active_model"


class TemplatePinUnusable(NoActiveModel):
    """A template's pinned model cannot serve and the template names no capability to
    fall back on (with ``strict=True``: cannot serve at all)."""

    code = "template_pin_unusable"


class ProviderDisabled(ResolutionError):
    """A pinned model belongs to a disabled provider."""

    code = "provider_disabled"


class CapabilityMismatch(ResolutionError):
    """A pinned model does not have the capability asked for."""

    code = "capability_mismatch"


class ModelInactive(ResolutionError):
    """``strict=True``: a pinned model is not active for the capability asked for."""

    code = "model_inactive"


class ModelDeprecated(ResolutionError):
    """``strict=True``: a pinned model is past its ``deprecated`` date."""

    code = "model_deprecated"


class ParamsOverLimit(ResolutionError):
    """``strict=True``: a call parameter is above the model's limit (``max_tokens``)."""

    code = "params_over_limit"


class BadQuery(ResolutionError):
    """The question itself is malformed: an unknown need, prefer or scope, a bad date."""

    exit_code = 2
    code = "bad_request"


class SecretError(ClientError):
    """A key could not be produced. Messages name references, never values."""

    exit_code = 5
    code = "secret_error"


class SecretNotSet(SecretError):
    """``env:NAME`` is unset or empty, or a plugin found no value."""

    code = "secret_not_set"


class SecretFileError(SecretError):
    """``file:PATH`` could not be read, is empty, or is not UTF-8."""

    code = "secret_file_error"


class UnknownSecretScheme(SecretError):
    """No plugin in the ``regctl.secrets`` entry point group serves the scheme."""

    code = "unknown_secret_scheme"


class SecretPluginError(SecretError):
    """A secret plugin raised while resolving a reference."""

    code = "secret_plugin_error"


class MalformedSecretReference(SecretError):
    """A reference of a built-in scheme that does not parse (``vault:secret#``)."""

    code = "malformed_secret_reference"


class SecretConfigError(SecretError):
    """The secret store is not configured here: no Vault token or AppRole, no AWS
    region or credentials, or botocore is not installed."""

    code = "secret_config_error"


class SecretNotFound(SecretError):
    """The store answered, but has no such secret, version or field."""

    code = "secret_not_found"


class SecretAccessDenied(SecretError):
    """The store refused the credentials (Vault 403, AWS AccessDenied, a failed login)."""

    code = "secret_access_denied"


class SecretStoreUnavailable(SecretError):
    """The store could not be asked: down, past the deadline, TLS failure, 5xx, too large."""

    code = "secret_store_unavailable"


class NoCredentials(SecretError):
    """No key for a provider: no personal key and the credential chain failed.

    ``attempts`` holds ``(reference, error)`` pairs in chain order.
    """

    code = "no_credentials"

    def __init__(self, message: str, attempts: tuple[tuple[str, SecretError], ...] = ()) -> None:
        super().__init__(message)
        self.attempts = attempts


class PricingError(ClientError):
    """A cost was asked for a model without the needed price, or with bad token counts."""

    exit_code = 6
    code = "pricing_error"


class LimitError(ClientError):
    """A call was not admitted by :meth:`~regctl.client.Resolved.acquire`."""

    exit_code = 7
    code = "limit_error"


class RateLimited(LimitError):
    """A rate limit (``rpm``/``tpm`` of the provider or the model) has no room now.

    ``wait`` is the number of seconds until it has (``inf``: the call alone is above
    the limit and never fits); ``limit`` names it (``provider:openai rpm``).
    """

    code = "rate_limited"

    def __init__(self, message: str, wait: float, limit: str) -> None:
        super().__init__(message)
        self.wait = wait
        self.limit = limit


class BudgetExceeded(LimitError):
    """A budget with ``on_exceed: refuse`` or ``fallback`` has spent its month.

    ``scope`` is the budget's scope, ``on_exceed`` its setting (``fallback``: the next
    candidate within budget may serve; :meth:`Registry.call` moves on), ``spent`` and
    ``limit`` are USD.
    """

    code = "budget_exceeded"

    def __init__(self, message: str, scope: str, on_exceed: str, spent: float, limit: float):
        super().__init__(message)
        self.scope = scope
        self.on_exceed = on_exceed
        self.spent = spent
        self.limit = limit


class LimitsUnavailable(LimitError):
    """The limits backend (Redis) could not be reached and the policy fails closed."""

    code = "limits_unavailable"


class CallFailed(ClientError):
    """:meth:`~regctl.client.Registry.call` tried every candidate and none answered.

    ``attempts`` lists each try in order (:class:`~regctl.client.failures.Attempt`:
    model, outcome, status, latency); ``retry_after`` is the seconds until the first
    cooling-down candidate may be probed again (``None`` when none cools down).
    """

    exit_code = 8
    code = "call_failed"

    def __init__(
        self, message: str, attempts: tuple[object, ...] = (), retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.retry_after = retry_after
