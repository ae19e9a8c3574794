// Canonical JSON exactly as regctl's Python side writes it, and the manifest digest.
//
// Python hashes json.dumps(doc, sort_keys=True, separators=(",", ":"),
// ensure_ascii=False).encode("utf-8"). Two things cannot go through JSON.parse /
// JSON.stringify: number text (Python keeps 10.0 a float and writes "10.0", big
// integers exactly) and key order (Python sorts by code point, JS by UTF-16 unit).
// So the manifest is parsed here into a tree that keeps each number's literal, and
// written back with Python's rules. See docs/manifest.md, "Digest".

/** A JSON number as it was written; `value` is its JavaScript number. */
export class JsonNumber {
  constructor(text) {
    this.text = text;
  }
  get value() {
    return Number(this.text);
  }
}

export class JsonSyntaxError extends Error {
  constructor(message, line, column) {
    super(`${message} at line ${line} column ${column}`);
    this.name = "JsonSyntaxError";
    // The parts, for a message said in another language (verify.js).
    this.reason = message;
    this.line = line;
    this.column = column;
  }
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const ESCAPES = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;

/**
 * Parse JSON text the way the Python client's strict json.loads does (NaN/Infinity refused, control
 * characters inside strings refused, the last of duplicate keys wins). Objects come
 * back as null-prototype objects, numbers as JsonNumber.
 */
export function parse(text) {
  let i = 0;
  const fail = (message) => {
    const before = text.slice(0, i);
    const line = before.split("\n").length;
    const column = i - before.lastIndexOf("\n");
    throw new JsonSyntaxError(message, line, column);
  };
  const skip = () => {
    while (i < text.length && WS.has(text.charCodeAt(i))) i++;
  };
  const literal = (word, value) => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return value;
    }
    return fail("Expecting value");
  };
  const string = () => {
    i++; // opening quote
    let out = "";
    let start = i;
    for (;;) {
      if (i >= text.length) fail("Unterminated string starting");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c < 0x20) fail("Invalid control character");
      if (c === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        if (e === "u") {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("Invalid \\uXXXX escape");
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (e !== undefined && Object.hasOwn(ESCAPES, e)) {
          out += ESCAPES[e];
          i += 2;
        } else {
          fail("Invalid \\escape");
        }
        start = i;
        continue;
      }
      i++;
    }
  };
  const value = (depth) => {
    if (depth > 1000) fail("Nesting too deep");
    skip();
    const ch = text[i];
    if (ch === "{") {
      i++;
      const obj = Object.create(null);
      skip();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        skip();
        if (text[i] !== '"') fail("Expecting property name enclosed in double quotes");
        const key = string();
        skip();
        if (text[i] !== ":") fail("Expecting ':' delimiter");
        i++;
        obj[key] = value(depth + 1);
        skip();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return obj;
        }
        fail("Expecting ',' delimiter");
      }
    }
    if (ch === "[") {
      i++;
      const arr = [];
      skip();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        skip();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return arr;
        }
        fail("Expecting ',' delimiter");
      }
    }
    if (ch === '"') return string();
    if (ch === "t") return literal("true", true);
    if (ch === "f") return literal("false", false);
    if (ch === "n") return literal("null", null);
    // NaN and Infinity are not JSON: refused, as the Python client refuses them
    // (json.loads with parse_constant raising), whatever the digest says.
    for (const word of ["NaN", "Infinity", "-Infinity"]) {
      if (text.startsWith(word, i)) fail(`${word} is not JSON`);
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m === null) return fail("Expecting value");
    // 1e400 is JSON text but no number: it would read as Infinity (Python refuses it too).
    if (!Number.isFinite(Number(m[0]))) fail(`number ${m[0].slice(0, 20)} is out of range`);
    i += m[0].length;
    return new JsonNumber(m[0]);
  };
  const result = value(0);
  skip();
  if (i !== text.length) fail("Extra data");
  return result;
}

/** Compare strings by Unicode code point (Python's order), not by UTF-16 unit. */
export function compareCodePoints(a, b) {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const x = a.charCodeAt(k);
    const y = b.charCodeAt(k);
    if (x === y) continue;
    // Only a surrogate (a code point >= U+10000) against U+E000..U+FFFF sorts differently.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs && !ys && y >= 0xe000) return 1;
    if (ys && !xs && x >= 0xe000) return -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Python's repr(float) for a JavaScript number (shortest round-trip digits). */
export function pythonFloat(x) {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mantissa, expText] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = String(Math.abs(exp)).padStart(2, "0");
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** The text Python's json.dumps writes for the number json.loads read from `text`. */
export function pythonNumber(text) {
  if (text === "NaN" || text === "Infinity" || text === "-Infinity") return text;
  if (!/[.eE]/.test(text)) return text === "-0" ? "0" : text; // an int, exact
  return pythonFloat(Number(text));
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function dumpString(s) {
  if (LONE_SURROGATE.test(s)) throw new TypeError("string holds a lone surrogate (not UTF-8)");
  // JSON.stringify escapes exactly what Python does with ensure_ascii=False:
  // '"', '\\', \b \f \n \r \t, other controls as \u00xx (lowercase); nothing else.
  return JSON.stringify(s);
}

/** Python's compact sorted dump of a tree from parse() (or of plain JS data). */
export function dumpsCompact(node) {
  const out = [];
  const walk = (v) => {
    if (v === null) out.push("null");
    else if (v === true) out.push("true");
    else if (v === false) out.push("false");
    else if (typeof v === "string") out.push(dumpString(v));
    else if (v instanceof JsonNumber) out.push(pythonNumber(v.text));
    else if (typeof v === "number") out.push(Number.isInteger(v) ? String(v) : pythonFloat(v));
    else if (Array.isArray(v)) {
      out.push("[");
      v.forEach((item, k) => {
        if (k) out.push(",");
        walk(item);
      });
      out.push("]");
    } else if (typeof v === "object") {
      out.push("{");
      Object.keys(v)
        .sort(compareCodePoints)
        .forEach((key, k) => {
          if (k) out.push(",");
          out.push(dumpString(key), ":");
          walk(v[key]);
        });
      out.push("}");
    } else {
      throw new TypeError(`cannot dump ${typeof v}`);
    }
  };
  walk(node);
  return out.join("");
}

/** Top-level keys the digest does not cover: the digest itself and `source` (provenance). */
export const DIGEST_EXCLUDED = ["digest", "source"];

/** The exact bytes whose sha256 is the digest: the document without DIGEST_EXCLUDED. */
export function digestBody(doc) {
  const body = Object.create(null);
  for (const key of Object.keys(doc)) {
    if (!DIGEST_EXCLUDED.includes(key)) body[key] = doc[key];
  }
  return new TextEncoder().encode(dumpsCompact(body));
}

/** `sha256:<hex>` of the document, as regctl.base.canonical.compute_digest computes it. */
export async function computeDigest(doc) {
  // Browsers and Node >= 19 have Web Crypto as a global; Node 18 has it in node:crypto.
  const subtle = globalThis.crypto?.subtle ?? (await import("node:crypto")).webcrypto.subtle;
  const hash = await subtle.digest("SHA-256", digestBody(doc));
  const hex = Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
  return `sha256:${hex}`;
}

/** Plain JavaScript data from a parse() tree (numbers become numbers). */
export function toPlain(node) {
  if (node instanceof JsonNumber) return node.value;
  if (Array.isArray(node)) return node.map(toPlain);
  if (node !== null && typeof node === "object") {
    const out = {};
    for (const key of Object.keys(node)) {
      Object.defineProperty(out, key, {
        value: toPlain(node[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return node;
}
