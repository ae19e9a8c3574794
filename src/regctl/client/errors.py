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
``SecretError``        5      a key could not be produced
``SecretNotSet``       5      ``env:NAME`` is unset or empty; a plugin found nothing
``SecretFileError``    5      ``file:PATH`` is unreadable, empty or not UTF-8
``UnknownSecretScheme`` 5     no plugin in the ``regctl.secrets`` group serves the scheme
``SecretPluginError``  5      a plugin raised
``NoCredentials``      5      the provider's whole credential chain failed (``.attempts``)
``PricingError``       6      a model without the price needed, or bad token counts
=====================  =====  ==========================================================
"""

from __future__ import annotations

from regctl.base.errors import RegctlError


class ClientError(RegctlError):
    """Base class of every runtime-client error."""

    exit_code = 1


class ManifestError(ClientError):
    """The manifest cannot be loaded or trusted; the client fails closed."""

    exit_code = 4


class ManifestNotFound(ManifestError):
    """The manifest file does not exist, or the URL answered 404."""


class ManifestUnavailable(ManifestError):
    """The URL could not be fetched and no last-known-good copy was cached."""


class InvalidManifest(ManifestError):
    """The bytes are not a manifest: bad/truncated JSON, not UTF-8, or a wrong shape."""


class UnsupportedVersion(ManifestError):
    """The manifest's ``apiVersion``, ``kind`` or digest algorithm is not supported."""


class DigestMismatch(ManifestError):
    """The manifest content does not hash to its digest (tampered), or not the pinned one."""


class ResolutionError(ClientError):
    """A lookup found nothing (the CLI exits 3, like HTTP 404)."""

    exit_code = 3


class UnknownProvider(ResolutionError):
    """The provider id is not in the manifest."""


class UnknownCapability(ResolutionError):
    """The capability is not in the registry's capability vocabulary."""


class UnknownModel(ResolutionError):
    """The ``provider/model`` key is not in the manifest."""


class UnknownTemplate(ResolutionError):
    """The template id is not in the manifest."""


class NoActiveModel(ResolutionError):
    """No provider in the resolution order has an active model for the capability."""


class SecretError(ClientError):
    """A key could not be produced. Messages name references, never values."""

    exit_code = 5


class SecretNotSet(SecretError):
    """``env:NAME`` is unset or empty, or a plugin found no value."""


class SecretFileError(SecretError):
    """``file:PATH`` could not be read, is empty, or is not UTF-8."""


class UnknownSecretScheme(SecretError):
    """No plugin in the ``regctl.secrets`` entry point group serves the scheme."""


class SecretPluginError(SecretError):
    """A secret plugin raised while resolving a reference."""


class NoCredentials(SecretError):
    """No key for a provider: no personal key and the credential chain failed.

    ``attempts`` holds ``(reference, error)`` pairs in chain order.
    """

    def __init__(self, message: str, attempts: tuple[tuple[str, SecretError], ...] = ()) -> None:
        super().__init__(message)
        self.attempts = attempts


class PricingError(ClientError):
    """A cost was asked for a model without the needed price, or with bad token counts."""

    exit_code = 6
