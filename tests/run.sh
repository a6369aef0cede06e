#!/usr/bin/env bash
# Runs every test of hromadata on a fresh machine: installs what the tests need, then runs the
# unit tests and the integration suite. Usage: bash tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }
if ! need cargo; then
  echo "tests/run.sh: cargo is required (install Rust with rustup)" >&2
  exit 2
fi
# Installs Debian package $2 when command $1 is missing (what for: $3).
need_or_install() {
  need "$1" && return 0
  if need apt-get; then
    apt-get update -qq && apt-get install -y -qq "$2"
  else
    echo "tests/run.sh: $1 ($2) is required: $3" >&2
    exit 2
  fi
}
# The suite compares our checksums with coreutils' sha256sum, an independent implementation.
need_or_install sha256sum coreutils "to cross-check our checksums"
# The CKAN push tool (tools/ckan-push.py) and the fake CKAN its tests talk to are Python 3
# scripts using only the standard library.
need_or_install python3 python3 "for tools/ckan-push.py and the DCAT-AP checks"
HROMADATA_PYTHON="${HROMADATA_PYTHON:-$(command -v python3)}"
export HROMADATA_PYTHON
# The DCAT-AP checks (tests/testsuite/dcat.rs) run rdflib and pySHACL, pinned in
# tests/tools/requirements.txt, from a venv made here once (and again when that file changes).
venv="$PWD/.venv-tests"
if ! cmp -s tests/tools/requirements.txt "$venv/requirements.txt"; then
  if ! python3 -m venv --clear "$venv" >/dev/null 2>&1; then
    if need apt-get; then
      apt-get update -qq && apt-get install -y -qq python3-venv
      python3 -m venv --clear "$venv"
    else
      echo "tests/run.sh: python3 with the venv module is required" >&2
      exit 2
    fi
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/tools/requirements.txt
  cp tests/tools/requirements.txt "$venv/requirements.txt"
fi
export HROMADATA_TEST_PYTHON="$venv/bin/python"

cargo fmt --all -- --check
cargo test --locked

# The fuzz targets' smoke pass (fuzz/README.md): replays the saved crash inputs, then fuzzes each
# target for FUZZ_SECONDS (20) seconds; cargo-fuzz is installed on first use. libfuzzer-sys
# compiles libFuzzer (C++).
need_or_install c++ g++ "to build libFuzzer for the fuzz smoke pass"
bash fuzz/smoke.sh

# Browser tests (tests/browser): the built embedded catalogue served on 127.0.0.1 from a sub-path, driven in
# Debian's headless Chromium by playwright-core (no browser download), with axe-core for WCAG 2.1 AA;
# html.test.mjs runs the Nu HTML Checker (npm vnu-jar) over every page on Java; tests/search checks the search
# index and search.js logic under Node on the same site.
need_or_install chromium chromium "for the browser tests"
need_or_install node nodejs "for the browser tests"
need_or_install npm npm "to install playwright-core, axe-core and vnu-jar"
need_or_install java default-jre-headless "for the Nu HTML Checker"
if ! cmp -s tests/browser/package-lock.json tests/browser/node_modules/.package-lock.json.installed; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
  cp tests/browser/package-lock.json tests/browser/node_modules/.package-lock.json.installed
fi
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
site="$target_dir/browser-site"
"$target_dir/debug/hromadata" build --out "$site" >/dev/null
# The hostile catalogue of tests/testsuite/hostile.rs (XSS payloads in every field), built by the test
# suite's own generator, for tests/browser/inject.test.mjs.
hostile="$target_dir/hostile-site"
HROMADATA_HOSTILE_SITE="$hostile" cargo test --locked --quiet --test testsuite hostile::site -- --ignored --exact >/dev/null
HROMADATA_SITE="$site" HROMADATA_HOSTILE_SITE="$hostile" HROMADATA_SCREENSHOTS="$target_dir/browser-screenshots" \
  node --test --test-reporter=spec tests/search/ tests/browser/
