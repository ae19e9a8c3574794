// The JavaScript reader (clients/js) runs every conformance case: `node --test` over the
// cases and manifests the Python side lists in $REGCTL_CONFORMANCE/index.json (see
// tests/conformance/test_js.py). Each case is one test; the answers are also written to
// answers.json so the Python side can show them case by case.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";

import { ClientError, loadManifest } from "../../clients/js/src/index.js";

const DIR = process.env.REGCTL_CONFORMANCE;
if (!DIR) throw new Error("REGCTL_CONFORMANCE is not set: run `python -m pytest tests/conformance`");
const CASES = JSON.parse(readFileSync(join(DIR, "index.json"), "utf8"));
const answers = {};
const registries = new Map();

async function registry(manifest, lang) {
  const key = `${manifest}\0${lang}`;
  if (!registries.has(key)) registries.set(key, await loadManifest(manifest, { locale: lang }));
  return registries.get(key);
}

const resolvedAnswer = (d) => ({
  model: d.model,
  via: d.via,
  params: d.params,
  capability: d.capability,
  template: d.template,
  warnings: d.warnings.map((w) => w.code),
  warning_messages: d.warnings.map((w) => w.message),
});

async function answer(c) {
  if (c.ask === "load") {
    // A bad manifest: the load error's code and message, in the case's language.
    try {
      await loadManifest(c.manifest, { locale: c.lang });
      return { loaded: true };
    } catch (err) {
      if (err instanceof ClientError) return { error: err.code, message: err.message };
      throw err;
    }
  }
  const reg = await registry(c.manifest, c.lang);
  const q = c.query;
  try {
    if (c.ask === "resolve") return resolvedAnswer(reg.resolve(q).asDict());
    if (c.ask === "candidates") return { candidates: reg.candidates(q).map((r) => [r.model.key, r.via]) };
    if (c.ask === "models") return { models: reg.models(q).map((m) => m.key) };
    if (c.ask === "active") {
      const m = reg.activeModel(q.provider, q.capability);
      return m === null ? { error: "no_active_model" } : { model: m.key };
    }
    if (c.ask === "key") {
      const p = reg.provider(q.provider);
      const shared = p.allow_shared_credentials;
      try {
        const key = p.apiKey(q.personal ? "personal-key" : null, { env: c.keys_env, group: q.group });
        return { source: key.source, shared };
      } catch (err) {
        if (err instanceof ClientError) return { error: err.code, shared, message: err.message };
        throw err;
      }
    }
  } catch (err) {
    if (err instanceof ClientError) return { error: err.code, message: err.message };
    throw err;
  }
  throw new Error(`unknown ask ${c.ask}`);
}

// The same rule as tests/conformance/contract.py's check().
function check(c, got) {
  const want = c.expect;
  if ("error" in want) assert.equal(got.error, want.error, JSON.stringify(got));
  else assert.ok(!("error" in got), JSON.stringify(got));
  for (const [key, value] of Object.entries(want)) {
    if (key !== "error") assert.deepEqual(got[key], value, `${key}: ${JSON.stringify(got)}`);
  }
  if (c.ask === "resolve" && !("error" in want)) assert.deepEqual(got.warnings, want.warnings ?? []);
  if (c.message !== null) assert.equal(got.message, c.message);
  if (c.warning_messages !== null) assert.deepEqual(got.warning_messages, c.warning_messages);
}

for (const c of CASES) {
  test(c.id, async () => {
    const got = await answer(c);
    answers[c.id] = got;
    check(c, got);
  });
}

after(() => writeFileSync(join(DIR, "answers.json"), JSON.stringify(answers, null, 1)));
