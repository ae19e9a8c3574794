// The error classes, named as in Python's regctl.client.errors so that a program (or
// a test) can compare `err.name` across languages, each with the stable `code` of
// docs/resolution.md ("Error codes").

export class ClientError extends Error {
  /** @param {string | {template: string}} message a string, or a Msg (kept as `.msg`) */
  constructor(message) {
    super(String(message));
    Object.defineProperty(this, "msg", { value: typeof message === "object" ? message : null });
  }
  get name() {
    return this.constructor.name;
  }
  /** The stable machine-readable code (the same in every reader). */
  get code() {
    return this.constructor.code;
  }
}
ClientError.code = "client_error";
/** The manifest cannot be loaded or trusted; nothing is served (fail closed). */
export class ManifestError extends ClientError {}
ManifestError.code = "manifest_error";
export class ManifestNotFound extends ManifestError {}
ManifestNotFound.code = "manifest_not_found";
export class ManifestUnavailable extends ManifestError {}
ManifestUnavailable.code = "manifest_unavailable";
/** Not UTF-8, not JSON (e.g. truncated), or the wrong shape. */
export class InvalidManifest extends ManifestError {}
InvalidManifest.code = "invalid_manifest";
/** `apiVersion`, `kind` or the digest algorithm is not supported. */
export class UnsupportedVersion extends ManifestError {}
UnsupportedVersion.code = "unsupported_version";
/** The content does not hash to its digest (tampered), or not to the expected one. */
export class DigestMismatch extends ManifestError {}
DigestMismatch.code = "digest_mismatch";
/** A lookup found nothing (like HTTP 404). */
export class ResolutionError extends ClientError {}
ResolutionError.code = "resolution_error";
export class UnknownProvider extends ResolutionError {}
UnknownProvider.code = "unknown_provider";
export class UnknownCapability extends ResolutionError {}
UnknownCapability.code = "unknown_capability";
export class UnknownModel extends ResolutionError {}
UnknownModel.code = "unknown_model";
export class UnknownTemplate extends ResolutionError {}
UnknownTemplate.code = "unknown_template";
export class NoActiveModel extends ResolutionError {}
NoActiveModel.code = "no_active_model";
/** A template's pin cannot serve and the template names no capability (or `strict`). */
export class TemplatePinUnusable extends NoActiveModel {}
TemplatePinUnusable.code = "template_pin_unusable";
export class ProviderDisabled extends ResolutionError {}
ProviderDisabled.code = "provider_disabled";
export class CapabilityMismatch extends ResolutionError {}
CapabilityMismatch.code = "capability_mismatch";
/** `strict`: a pinned model is not active for the capability. */
export class ModelInactive extends ResolutionError {}
ModelInactive.code = "model_inactive";
/** `strict`: a pinned model is past its `deprecated` date. */
export class ModelDeprecated extends ResolutionError {}
ModelDeprecated.code = "model_deprecated";
/** `strict`: `max_tokens` above the model's `max_output_tokens`. */
export class ParamsOverLimit extends ResolutionError {}
ParamsOverLimit.code = "params_over_limit";
/** The question is malformed: an unknown need, prefer or scope, a bad date. */
export class BadQuery extends ResolutionError {}
BadQuery.code = "bad_request";
/** A key could not be produced (messages name references, never values). */
export class SecretError extends ClientError {}
SecretError.code = "secret_error";
export class SecretNotSet extends SecretError {}
SecretNotSet.code = "secret_not_set";
export class UnknownSecretScheme extends SecretError {}
UnknownSecretScheme.code = "unknown_secret_scheme";
/** No personal key, and the shared chain is not allowed or gave nothing. */
export class NoCredentials extends SecretError {}
NoCredentials.code = "no_credentials";
