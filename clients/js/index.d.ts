// Types for @regctl/client (clients/js). Field names follow the manifest
// (docs/manifest.md): snake_case, exactly as in the JSON.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export declare class ClientError extends Error {
  /** The stable code of docs/resolution.md ("no_active_model", ...), the same in every reader. */
  readonly code: string;
  /** The message as a Msg (template + values) when it has one. */
  readonly msg: Msg | null;
}
/** The manifest cannot be loaded or trusted (fail closed). */
export declare class ManifestError extends ClientError {}
export declare class ManifestNotFound extends ManifestError {}
export declare class ManifestUnavailable extends ManifestError {}
export declare class InvalidManifest extends ManifestError {}
export declare class UnsupportedVersion extends ManifestError {}
export declare class DigestMismatch extends ManifestError {}
/** A lookup found nothing. */
export declare class ResolutionError extends ClientError {}
export declare class UnknownProvider extends ResolutionError {}
export declare class UnknownCapability extends ResolutionError {}
export declare class UnknownModel extends ResolutionError {}
export declare class UnknownTemplate extends ResolutionError {}
export declare class NoActiveModel extends ResolutionError {}
export declare class TemplatePinUnusable extends NoActiveModel {}
export declare class ProviderDisabled extends ResolutionError {}
export declare class CapabilityMismatch extends ResolutionError {}
/** `strict`: a pinned model is not active for the capability. */
export declare class ModelInactive extends ResolutionError {}
/** `strict`: a pinned model is past its deprecated date. */
export declare class ModelDeprecated extends ResolutionError {}
/** `strict`: max_tokens above the model's max_output_tokens. */
export declare class ParamsOverLimit extends ResolutionError {}
/** An unknown need, prefer or scope; a malformed value. */
export declare class BadQuery extends ResolutionError {}
export declare class SecretError extends ClientError {}
export declare class SecretNotSet extends SecretError {}
export declare class UnknownSecretScheme extends SecretError {}
export declare class NoCredentials extends SecretError {}

/** A message: its English text is the filled template; `translate` says it in another language. */
export declare class Msg {
  readonly template: string;
  readonly args: Readonly<Record<string, unknown>>;
  toString(): string;
}
/** `text` in `locale` (from the same catalogue as Python's messages). */
export declare function translate(text: Msg | string, locale?: string | null): string;
/** `url` with user:password@ and secret-named query values masked. */
export declare function redactUrl(url: string): string;
/** The size cap of a manifest read (256 MiB, as the Python client). */
export declare const MAX_MANIFEST_BYTES: number;

export declare const API_VERSION: "regctl/v1";
export declare const KIND: "Manifest";

export declare class Provider {
  readonly id: string;
  readonly display_name: string;
  /** Language tag -> name when the registry gives one per language (else empty). */
  readonly display_names: Readonly<Record<string, string>>;
  readonly api: string;
  readonly base_url: string | null;
  readonly enabled: boolean;
  /** Secret references such as "env:OPENAI_API_KEY" (never values). */
  readonly credentials: readonly string[];
  readonly allow_shared_credentials: boolean;
  /** Caller groups that may use the shared chain; null: every caller. */
  readonly shared_key_groups: readonly string[] | null;
  readonly defaults: Readonly<Record<string, JsonValue>>;
  readonly rate_limits: Readonly<Record<string, number>>;
  /** Where the provider serves this account ("us-east-1"), when the registry says. */
  readonly region: string | null;
  readonly description: string | null;
  readonly docs_url: string | null;
  readonly labels: Readonly<Record<string, string>>;
  /** The name in `locale` ("fa", "fa-IR"), else display_name. */
  displayNameFor(locale?: string | null): string;
  /** The key for a call: `personal`, else the shared chain (`env:` references) when the
   * caller's `group` may use it (docs/resolution.md, "Keys"). Throws NoCredentials, its
   * message in the language of the registry this provider came from. */
  apiKey(
    personal?: string | null,
    options?: { env?: Record<string, string | undefined>; group?: string | readonly string[] },
  ): { value: string; source: string };
}

export interface ModelDict {
  provider: string;
  id: string;
  key: string;
  upstream_id: string;
  display_name: string;
  display_names: Record<string, string>;
  capabilities: string[];
  active: string[];
  supports: Record<string, boolean>;
  defaults: Record<string, JsonValue>;
  limits: Record<string, number>;
  pricing: Record<string, number | string>;
  rate_limits: Record<string, number>;
  released: string | null;
  deprecated: string | null;
  description: string | null;
  docs_url: string | null;
  labels: Record<string, string>;
}

export declare class Model implements Readonly<ModelDict> {
  readonly provider: string;
  readonly id: string;
  /** "provider/id" */
  readonly key: string;
  readonly upstream_id: string;
  readonly display_name: string;
  readonly display_names: Readonly<Record<string, string>>;
  readonly capabilities: readonly string[];
  /** The capabilities this model is active for (empty: inactive). */
  readonly active: readonly string[];
  readonly supports: Readonly<Record<string, boolean>>;
  readonly defaults: Readonly<Record<string, JsonValue>>;
  readonly limits: Readonly<Record<string, number>>;
  readonly pricing: Readonly<Record<string, number | string>>;
  readonly rate_limits: Readonly<Record<string, number>>;
  readonly released: string | null;
  readonly deprecated: string | null;
  readonly description: string | null;
  readonly docs_url: string | null;
  readonly labels: Readonly<Record<string, string>>;
  isActive(capability?: string | null): boolean;
  /** The name in `locale` ("fa", "fa-IR", "fa_IR.UTF-8"), else display_name. */
  displayNameFor(locale?: string | null): string;
  /** The same plain data as Python's Model.as_dict(). */
  asDict(): ModelDict;
}

export interface ResolvedDict {
  provider: string;
  model: string;
  id: string;
  upstream_id: string;
  display_name: string;
  capability: string;
  api: string;
  base_url: string | null;
  params: Record<string, JsonValue>;
  via: string;
  template: string | null;
  warnings: Notice[];
}

/** A warning that came with an answer (docs/resolution.md). */
export interface Notice {
  code: "model_inactive" | "model_deprecated" | "template_pin_unusable" | "params_over_limit" | string;
  message: string;
}

export declare class Resolved {
  readonly provider: Provider;
  readonly model: Model;
  readonly capability: string;
  /** call > template > model defaults > provider defaults */
  readonly params: Readonly<Record<string, JsonValue>>;
  /** The step that chose it: "model", "template", "provider", "default", "fallback", "scope". */
  readonly via: string;
  readonly template: string | null;
  readonly warnings: readonly Notice[];
  readonly upstreamId: string;
  readonly baseUrl: string | null;
  readonly api: string;
  /** Plain data; display_name in `locale` when given. */
  asDict(locale?: string | null): ResolvedDict;
}

export interface ResolveOptions {
  capability?: string;
  provider?: string | null;
  /** "provider/model", or a model id with `provider`. */
  model?: string | null;
  template?: string | null;
  params?: Record<string, JsonValue> | null;
  /**
   * true: after `provider` (or `model`) also the registry default and fallbacks;
   * false: the default only; unset: `provider` alone, or default then fallbacks.
   */
  fallback?: boolean | null;
  /** Requirements: context, max_output, max_input_per_mtok, max_output_per_mtok, or a flag. */
  needs?: Record<string, number | boolean> | null;
  prefer?: "cheapest" | "newest" | "largest-context" | null;
  scope?: "order" | "all";
  /** Refuse what would come with a warning. */
  strict?: boolean;
  /** YYYY-MM-DD deprecation dates are compared with (default: today, UTC). */
  today?: string | Date | null;
}

export interface ModelsFilter {
  provider?: string | null;
  capability?: string | null;
  active?: boolean | null;
}

export declare class Registry {
  readonly source: string;
  /** "sha256:<hex>" */
  readonly digest: string;
  readonly environment: string | null;
  readonly providers: Readonly<Record<string, Provider>>;
  readonly capabilities: readonly string[];
  readonly defaults: Readonly<Record<string, string>>;
  readonly fallbacks: Readonly<Record<string, readonly string[]>>;
  readonly templates: Readonly<Record<string, JsonValue>>;
  /** The whole verified document (read-only). */
  readonly manifest: Readonly<Record<string, JsonValue>>;
  /** The language of messages ("en", "fa"). */
  readonly locale: string;
  provider(id: string): Provider;
  model(key: string, provider?: string | null): Model;
  /** The active model, or null; throws UnknownProvider / UnknownCapability for unknown names. */
  activeModel(provider: string, capability: string): Model | null;
  models(filter?: ModelsFilter): Model[];
  resolve(options?: ResolveOptions): Resolved;
  /** Every answer resolve could give, best first (empty when nothing can serve). */
  candidates(options?: ResolveOptions): Resolved[];
}

export interface LoadOptions {
  /** Pin the exact manifest: "sha256:<64 hex>". */
  expectDigest?: string;
  /** Language of messages (default $REGCTL_LANG, then $LANG). */
  locale?: string | null;
}

/** Load and verify a manifest from a path (Node; a regular file only) or an http(s) URL. */
export declare function loadManifest(
  source: string,
  options?: LoadOptions & { timeoutMs?: number; maxBytes?: number },
): Promise<Registry>;
/** Verify manifest bytes or text. */
export declare function parseManifest(
  data: Uint8Array | ArrayBuffer | string,
  options?: LoadOptions & { source?: string },
): Promise<Registry>;

/** The name for a locale from a tag -> name map (exact tag, then language), else `fallback`. */
export declare function pickName(
  fallback: string,
  names: Readonly<Record<string, string>> | null | undefined,
  locale?: string | null,
): string;

/** "sha256:<hex>" of a parsed document, as regctl computes it. */
export declare function computeDigest(doc: object): Promise<string>;
/** The exact bytes that are hashed. */
export declare function digestBody(doc: object): Uint8Array;
/** Python's json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False). */
export declare function dumpsCompact(doc: unknown): string;
/** Python's repr(float). */
export declare function pythonFloat(x: number): string;
