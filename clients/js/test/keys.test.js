import assert from "node:assert/strict";
import { test } from "node:test";

import { NoCredentials, Provider } from "../src/index.js";

// The same table as tests/client/test_client_key_groups.py: one contract, every reader.
const env = { RC_KG_OPENAI: "shared-test-value-0123" };
const entry = (groups) => ({
  id: "openai",
  credentials: ["env:RC_KG_OPENAI"],
  allow_shared_credentials: true,
  ...(groups === undefined ? {} : { shared_key_groups: groups }),
});
const CASES = [
  [["staff", "user:carol"], null, "staff", "env:RC_KG_OPENAI"],
  [["staff", "user:carol"], null, ["support", "user:carol"], "env:RC_KG_OPENAI"],
  [["staff", "user:carol"], null, ["support"], null],
  [["staff", "user:carol"], null, undefined, null],
  [["staff", "user:carol"], null, "Staff", null],
  [["staff", "user:carol"], "sk-own", undefined, "personal"],
  [[], null, "staff", null],
  [[], "sk-own", undefined, "personal"],
  [undefined, null, undefined, "env:RC_KG_OPENAI"],
  [undefined, null, "anything", "env:RC_KG_OPENAI"],
];

for (const [groups, personal, group, source] of CASES) {
  test(`shared_key_groups ${JSON.stringify(groups)} group ${JSON.stringify(group)}`, () => {
    const p = new Provider(entry(groups));
    if (source === null) {
      assert.throws(() => p.apiKey(personal, { env, group }), (err) => {
        assert.ok(err instanceof NoCredentials);
        assert.ok(!err.message.includes(env.RC_KG_OPENAI));
        return true;
      });
    } else {
      assert.equal(p.apiKey(personal, { env, group }).source, source);
    }
  });
}
