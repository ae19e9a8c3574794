// regctl manifest reader for JavaScript: load, verify the digest, look up, resolve.
// No dependencies: Web Crypto (globalThis.crypto.subtle) for sha256, fetch for URLs,
// node:fs only when reading a path under Node.

import { ManifestError, ManifestNotFound, ManifestUnavailable } from "./errors.js";
import { Registry } from "./registry.js";
import { verifyManifest } from "./verify.js";

export * from "./errors.js";
export { computeDigest, digestBody, dumpsCompact, pythonFloat } from "./canonical.js";
export { Model, pickName, Provider, Registry, Resolved } from "./registry.js";
export { API_VERSION, KIND } from "./verify.js";

/**
 * Verify manifest bytes (or text) and return a Registry.
 * @param {Uint8Array | ArrayBuffer | string} data
 * @param {{source?: string, expectDigest?: string}} [options]
 */
export async function parseManifest(data, { source = "<bytes>", expectDigest } = {}) {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  return new Registry(await verifyManifest(bytes, source, expectDigest), source);
}

/**
 * Load and verify a manifest from a path (`file:` optional, Node only) or an http(s) URL.
 * @param {string} source
 * @param {{expectDigest?: string, timeoutMs?: number}} [options]
 */
export async function loadManifest(source, { expectDigest, timeoutMs = 10000 } = {}) {
  let bytes;
  if (/^https?:\/\//.test(source)) {
    let resp;
    try {
      resp = await fetch(source, {
        headers: { Accept: "application/json" },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new ManifestUnavailable(`cannot fetch manifest ${source} (${err.name}: ${err.message})`);
    }
    if (resp.status === 404) throw new ManifestNotFound(`manifest ${source} not found (HTTP 404)`);
    if (!resp.ok) throw new ManifestUnavailable(`cannot fetch manifest ${source}: HTTP ${resp.status}`);
    bytes = new Uint8Array(await resp.arrayBuffer());
  } else {
    const path = source.startsWith("file:") ? source.slice(5) : source;
    const { readFile } = await import("node:fs/promises");
    try {
      bytes = await readFile(path);
    } catch (err) {
      if (err.code === "ENOENT") throw new ManifestNotFound(`manifest ${path} not found`);
      if (err.code === "EISDIR") throw new ManifestNotFound(`manifest ${path} is a directory, not a file`);
      throw new ManifestError(`cannot read manifest ${path}: ${err.message}`);
    }
  }
  return parseManifest(bytes, { source, expectDigest });
}
