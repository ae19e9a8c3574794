// The fixtures are made by the Python side (tests/js/make_fixtures.py) at test time;
// `python -m pytest tests/js` makes them and runs these tests with REGCTL_JS_FIXTURES.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const DIR = process.env.REGCTL_JS_FIXTURES;
if (!DIR) {
  throw new Error(
    "REGCTL_JS_FIXTURES is not set: run `python -m pytest tests/js`, or " +
      "`python -m tests.js.make_fixtures DIR` and set REGCTL_JS_FIXTURES=DIR",
  );
}
export const CASES = JSON.parse(readFileSync(join(DIR, "cases.json"), "utf8"));
export const path = (name) => join(DIR, name);

/** `fn()`'s value, or {error: ClassName} as the Python side records failures. */
export function outcome(fn) {
  try {
    return fn();
  } catch (err) {
    if (err && typeof err.name === "string" && err.name !== "Error" && err.name !== "TypeError") {
      return { error: err.name };
    }
    throw err;
  }
}
