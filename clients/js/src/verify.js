// Bytes -> verified manifest document, failing closed (mirrors regctl/client/_verify.py).

import { computeDigest, JsonNumber, JsonSyntaxError, parse, toPlain } from "./canonical.js";
import { DigestMismatch, InvalidManifest, UnsupportedVersion } from "./errors.js";
import { msg, pyRepr } from "./i18n.js";

export const API_VERSION = "regctl/v1";
export const KIND = "Manifest";
const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
const OBJECT_KEYS = ["providers", "models", "active", "defaults", "fallbacks", "templates", "registry"];

const isObject = (v) =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof JsonNumber);

/**
 * Verify manifest bytes and return the document as plain data.
 * @param {Uint8Array | string} data the file's bytes (or its text)
 * @param {string} source where it came from (for messages)
 * @param {string} [expectDigest] pin: `sha256:<64 hex>`
 */
export async function verifyManifest(data, source, expectDigest) {
  if (expectDigest !== undefined && expectDigest !== null && !DIGEST_RE.test(expectDigest)) {
    throw new DigestMismatch(msg("expected digest {digest} is not 'sha256:<64 hex>'", { digest: pyRepr(expectDigest) }));
  }
  let text = data;
  if (typeof data !== "string") {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(data);
    } catch {
      throw new InvalidManifest(msg("manifest {source} is not UTF-8 text", { source }));
    }
  }
  let tree;
  try {
    tree = parse(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      throw new InvalidManifest(
        msg("manifest {source} is not valid JSON (truncated?): {reason} at line {line} column {column}", {
          source,
          reason: err.reason,
          line: err.line,
          column: err.column,
        }),
      );
    }
    throw err;
  }
  if (!isObject(tree)) throw new InvalidManifest(msg("manifest {source} is not a JSON object", { source }));
  checkVersion(tree, source);
  const digest = tree.digest;
  if (typeof digest !== "string" || !digest.startsWith("sha256:")) {
    throw new UnsupportedVersion(
      msg("manifest {source} has no supported digest (want 'sha256:<hex>', got {digest})", {
        source,
        digest: pyRepr(digest),
      }),
    );
  }
  let actual;
  try {
    actual = await computeDigest(tree);
  } catch (err) {
    throw new InvalidManifest(`manifest ${source} cannot be hashed: ${err.message}`);
  }
  if (actual !== digest) {
    throw new DigestMismatch(
      msg(
        "manifest {source} does not match its digest (tampered or hand-edited): recorded {digest}, content hashes to {actual}",
        { source, digest, actual },
      ),
    );
  }
  for (const key of OBJECT_KEYS) {
    if (!isObject(tree[key])) {
      throw new InvalidManifest(msg("manifest {source}: '{key}' is missing or not an object", { source, key }));
    }
  }
  for (const [pid, caps] of Object.entries(tree.active)) {
    if (!isObject(caps) || !Object.hasOwn(tree.providers, pid)) {
      throw new InvalidManifest(
        msg("manifest {source}: 'active' names unknown provider {provider}", { source, provider: pyRepr(pid) }),
      );
    }
  }
  if (expectDigest && actual !== expectDigest) {
    throw new DigestMismatch(
      msg("manifest {source} has digest {digest}, expected {expected}", { source, digest: actual, expected: expectDigest }),
    );
  }
  return toPlain(tree);
}

function checkVersion(tree, source) {
  if (tree.apiVersion !== API_VERSION) {
    throw new UnsupportedVersion(
      msg("manifest {source} has apiVersion {version}; this client reads {supported}", {
        source,
        version: pyRepr(tree.apiVersion),
        supported: pyRepr(API_VERSION),
      }),
    );
  }
  if (tree.kind !== KIND) {
    throw new UnsupportedVersion(
      msg("manifest {source} has kind {kind}, not {supported}", {
        source,
        kind: pyRepr(tree.kind),
        supported: pyRepr(KIND),
      }),
    );
  }
}
