// The error classes, named as in Python's regctl.client.errors so that a program (or
// a test) can compare `err.name` across languages.

export class ClientError extends Error {
  get name() {
    return this.constructor.name;
  }
}
/** The manifest cannot be loaded or trusted; nothing is served (fail closed). */
export class ManifestError extends ClientError {}
export class ManifestNotFound extends ManifestError {}
export class ManifestUnavailable extends ManifestError {}
/** Not UTF-8, not JSON (e.g. truncated), or the wrong shape. */
export class InvalidManifest extends ManifestError {}
/** `apiVersion`, `kind` or the digest algorithm is not supported. */
export class UnsupportedVersion extends ManifestError {}
/** The content does not hash to its digest (tampered), or not to the expected one. */
export class DigestMismatch extends ManifestError {}
/** A lookup found nothing (like HTTP 404). */
export class ResolutionError extends ClientError {}
export class UnknownProvider extends ResolutionError {}
export class UnknownCapability extends ResolutionError {}
export class UnknownModel extends ResolutionError {}
export class UnknownTemplate extends ResolutionError {}
export class NoActiveModel extends ResolutionError {}
