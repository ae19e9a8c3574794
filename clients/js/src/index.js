// regctl manifest reader for JavaScript: load, verify the digest, look up, resolve.
// No dependencies: Web Crypto (globalThis.crypto.subtle) for sha256, fetch for URLs,
// node:fs only when reading a path under Node.
//
// Every read is bounded as the Python client's is (docs/security.md): a regular file
// only (a FIFO or a device such as /dev/zero is refused, never waited on or read), a
// size cap enforced while reading, one total deadline for a URL (connect, headers and
// body), a body cap while streaming; URLs in messages have their credentials masked.

import { ClientError, ManifestError, ManifestNotFound, ManifestUnavailable } from "./errors.js";
import { catalogLanguage, msg, translate } from "./i18n.js";
import { Registry } from "./registry.js";
import { verifyManifest } from "./verify.js";

export * from "./errors.js";
export { computeDigest, digestBody, dumpsCompact, pythonFloat } from "./canonical.js";
export { Msg, translate } from "./i18n.js";
export { Model, pickName, Provider, Registry, Resolved } from "./registry.js";
export { API_VERSION, KIND } from "./verify.js";

/** The largest manifest read (as Python's regctl.client._fetch.MAX_MANIFEST_BYTES). */
export const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

/** `url` with `user:password@` and secret-named query values masked (as Python's redact). */
export function redactUrl(url) {
  return String(url)
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]*):([^/\s@]+)@/gi, "$1$2:***@")
    .replace(
      /([?&;](?:api[_-]?key|apikey|access[_-]?token|token|key|secret|client[_-]?secret|password|passwd|pwd|sig|signature|auth)=)([^&#\s]+)/gi,
      "$1***",
    );
}

/**
 * Verify manifest bytes (or text) and return a Registry.
 * @param {Uint8Array | ArrayBuffer | string} data
 * @param {{source?: string, expectDigest?: string, locale?: string}} [options]
 */
export async function parseManifest(data, { source = "<bytes>", expectDigest, locale } = {}) {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  try {
    return new Registry(await verifyManifest(bytes, source, expectDigest), source, locale ?? null);
  } catch (err) {
    throw said(err, locale);
  }
}

/** The language of load errors: `locale`, else $REGCTL_LANG, then $LANG (as Registry's). */
const loadLanguage = (locale) =>
  catalogLanguage(locale ?? globalThis.process?.env?.REGCTL_LANG ?? globalThis.process?.env?.LANG);

/** `err` (a load error, raised before any Registry exists) in the caller's language. */
function said(err, locale) {
  const lang = loadLanguage(locale);
  if (err instanceof ClientError && err.msg && lang !== "en") err.message = translate(err.msg, lang);
  return err;
}

/** A manifest over the size cap (the detail stays English, as Python's io layer's). */
const tooLarge = (path, maxBytes) =>
  msg("manifest {path} {reason}", { path, reason: `is larger than ${maxBytes} bytes (the limit)` });

/** Why a fetch failed, for a person: the cause's code or message (never a class name). */
function why(err, signal) {
  if (signal.aborted) return "deadline passed";
  const cause = err?.cause;
  const text = cause?.code ?? cause?.message ?? err?.message ?? "failed";
  return redactUrl(String(text)).replace(/[\x00-\x1f\x7f]/g, " ").slice(0, 200);
}

async function readBody(resp, shown, maxBytes, signal) {
  const declared = Number(resp.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new ManifestUnavailable(tooLarge(shown, maxBytes));
  }
  const chunks = [];
  let size = 0;
  if (resp.body === null) return new Uint8Array(0);
  const reader = resp.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        throw new ManifestUnavailable(tooLarge(shown, maxBytes));
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof ManifestError) throw err;
    throw new ManifestUnavailable(
      msg("cannot fetch manifest {url} ({reason}) and no cached copy", { url: shown, reason: why(err, signal) }),
    );
  } finally {
    reader.cancel().catch(() => {});
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

async function fetchUrl(source, timeoutMs, maxBytes) {
  const shown = redactUrl(source);
  // One deadline for the whole exchange: connect, headers and every byte of the body.
  const signal = AbortSignal.timeout(timeoutMs);
  let resp;
  try {
    resp = await fetch(source, { headers: { Accept: "application/json" }, signal, redirect: "follow" });
  } catch (err) {
    throw new ManifestUnavailable(
      msg("cannot fetch manifest {url} ({reason}) and no cached copy", { url: shown, reason: why(err, signal) }),
    );
  }
  if (resp.status === 404) {
    resp.body?.cancel().catch(() => {});
    throw new ManifestNotFound(msg("manifest {url} not found (HTTP 404)", { url: shown }));
  }
  if (!resp.ok) {
    resp.body?.cancel().catch(() => {});
    throw new ManifestUnavailable(msg("cannot fetch manifest {url}: {reason}", { url: shown, reason: `HTTP ${resp.status}` }));
  }
  return readBody(resp, shown, maxBytes, signal);
}

async function readRegular(path, maxBytes) {
  const fs = await import("node:fs");
  const { open } = await import("node:fs/promises");
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO for reading must not wait for a writer.
    handle = await open(path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    if (err.code === "ENOENT") throw new ManifestNotFound(msg("manifest {path} not found", { path }));
    throw new ManifestError(msg("cannot read manifest {path}: {reason}", { path, reason: err.code ?? err.message }));
  }
  try {
    const st = await handle.stat(); // of what was opened: no swap between check and read
    if (st.isDirectory()) throw new ManifestNotFound(msg("manifest {path} {reason}", { path, reason: "is a directory, not a file" }));
    if (!st.isFile()) throw new ManifestNotFound(msg("manifest {path} {reason}", { path, reason: "is not a regular file" }));
    if (st.size > maxBytes) throw new ManifestError(tooLarge(path, maxBytes));
    const chunks = [];
    let size = 0;
    const buf = new Uint8Array(1 << 20);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > maxBytes) throw new ManifestError(tooLarge(path, maxBytes));
      chunks.push(buf.slice(0, bytesRead));
    }
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  } catch (err) {
    if (err instanceof ManifestError) throw err;
    throw new ManifestError(msg("cannot read manifest {path}: {reason}", { path, reason: err.code ?? err.message }));
  } finally {
    await handle.close();
  }
}

/**
 * Load and verify a manifest from a path (`file:` optional, Node only) or an http(s) URL.
 * `timeoutMs` is the total deadline of a URL load; `maxBytes` the size cap; `locale` the
 * language of messages (default $REGCTL_LANG, then $LANG).
 * @param {string} source
 * @param {{expectDigest?: string, timeoutMs?: number, maxBytes?: number, locale?: string}} [options]
 */
export async function loadManifest(
  source,
  { expectDigest, timeoutMs = 10000, maxBytes = MAX_MANIFEST_BYTES, locale } = {},
) {
  let bytes;
  try {
    if (/^https?:\/\//i.test(source)) {
      bytes = await fetchUrl(source, timeoutMs, maxBytes);
    } else {
      bytes = await readRegular(source.startsWith("file:") ? source.slice(5) : source, maxBytes);
    }
  } catch (err) {
    throw said(err, locale);
  }
  return parseManifest(bytes, { source: redactUrl(source), expectDigest, locale });
}
