import assert from "node:assert/strict";
import { test } from "node:test";

import { loadManifest } from "../src/index.js";
import { CASES, outcome, path } from "./fixtures.js";

for (const [name, q] of Object.entries(CASES.queries)) {
  test(`${name}: activeModel answers as the Python client does`, async () => {
    const reg = await loadManifest(path(name));
    assert.equal(reg.environment, q.environment);
    assert.deepEqual([...reg.capabilities].sort(), q.capabilities);
    for (const [provider, capability, expected] of q.active) {
      const got = outcome(() => reg.activeModel(provider, capability)?.key ?? null);
      assert.deepEqual(got, expected, `${provider} ${capability}`);
    }
    assert.ok(q.active.some(([, , e]) => typeof e === "string"), "some model is active");
  });

  test(`${name}: models() and model entries match`, async () => {
    const reg = await loadManifest(path(name));
    for (const [filters, expected] of q.models) {
      const got = outcome(() => reg.models(filters).map((m) => m.key));
      assert.deepEqual(got, expected, JSON.stringify(filters));
    }
    for (const [key, entry] of Object.entries(q.entries)) {
      assert.deepEqual(reg.model(key).asDict(), entry, key);
    }
    for (const [key, pairs] of Object.entries(q.names)) {
      for (const [locale, expected] of pairs) {
        assert.equal(reg.model(key).displayNameFor(locale), expected, `${key} ${locale}`);
      }
    }
  });

  test(`${name}: resolve() follows the same order`, async () => {
    const reg = await loadManifest(path(name));
    for (const [args, expected] of q.resolve) {
      const got = outcome(() => reg.resolve(args).asDict());
      assert.deepEqual(got, expected, JSON.stringify(args));
    }
    assert.ok(q.resolve.filter(([, e]) => !e.error).length >= 10);
  });
}

test("the data handed out is read-only", async () => {
  const reg = await loadManifest(path("example.json"));
  const m = reg.activeModel("openai", "chat");
  assert.throws(() => {
    m.id = "x";
  }, TypeError);
  assert.throws(() => {
    m.pricing.input_per_mtok = 0;
  }, TypeError);
});
