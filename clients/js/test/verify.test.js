import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { computeDigest, dumpsCompact, loadManifest, parseManifest, pythonFloat } from "../src/index.js";
import { parse } from "../src/canonical.js";
import { CASES, path } from "./fixtures.js";

test("every manifest gets the Python client's verdict (tampered ones refused)", async () => {
  assert.ok(CASES.manifests.length >= 15);
  for (const { file, verdict } of CASES.manifests) {
    let got = "ok";
    try {
      await loadManifest(path(file));
    } catch (err) {
      got = err.name;
    }
    assert.equal(got, verdict, file);
  }
  const refused = CASES.manifests.filter((c) => c.verdict !== "ok").length;
  assert.ok(refused >= 10, "the tampered fixtures are refused");
});

test("the digest recomputed in JavaScript equals the compiler's", async () => {
  for (const name of ["example.json", "example-dev.json", "unicode.json", "reformatted.json"]) {
    const text = readFileSync(path(name), "utf8");
    const doc = parse(text);
    assert.equal(await computeDigest(doc), doc.digest, name);
    const reg = await loadManifest(path(name));
    assert.equal(reg.digest, CASES.queries[name]?.digest ?? CASES.queries["unicode.json"].digest);
  }
});

test("canonical compact text is byte-identical to Python's json.dumps", () => {
  for (const [name, expected] of Object.entries(CASES.compact)) {
    const doc = parse(readFileSync(path(name), "utf8"));
    delete doc.digest;
    assert.equal(dumpsCompact(doc), expected, name);
  }
  // The unicode fixture really holds what the test is about.
  assert.match(CASES.compact["unicode.json"], /جی‌پی‌تی/);
  assert.match(CASES.compact["unicode.json"], /😀/);
  assert.ok(Object.keys(CASES.queries["unicode.json"].names).length > 0);
  assert.ok(CASES.compact["unicode.json"].includes("\\u0001"));
});

test("float text matches Python's repr for edge and random doubles", () => {
  assert.ok(CASES.floats.length > 4000);
  for (const [literal, python] of CASES.floats) {
    assert.equal(dumpsCompact(parse(literal)), python, literal);
  }
  assert.equal(pythonFloat(1e16), "1e+16");
  assert.equal(pythonFloat(1e-5), "1e-05");
  assert.equal(pythonFloat(10), "10.0");
});

test("expectDigest pins the manifest", async () => {
  for (const { file, expect, verdict } of CASES.expect_digest) {
    let got = "ok";
    try {
      await loadManifest(path(file), { expectDigest: expect });
    } catch (err) {
      got = err.name;
    }
    assert.equal(got, verdict, expect);
  }
});

test("bytes, text and missing files", async () => {
  const bytes = readFileSync(path("example.json"));
  const a = await parseManifest(bytes);
  const b = await parseManifest(bytes.toString("utf8"));
  assert.equal(a.digest, b.digest);
  await assert.rejects(loadManifest(path("no-such-file.json")), { name: "ManifestNotFound" });
  await assert.rejects(parseManifest(""), { name: "InvalidManifest" });
  await assert.rejects(parseManifest("[1]"), { name: "InvalidManifest" });
});
