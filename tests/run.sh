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
# The suite compares our checksums with coreutils' sha256sum, an independent implementation.
if ! need sha256sum; then
  if need apt-get; then
    apt-get update -qq && apt-get install -y -qq coreutils
  else
    echo "tests/run.sh: sha256sum (coreutils) is required" >&2
    exit 2
  fi
fi

# The CKAN push tool (tools/ckan-push.py) and the fake CKAN its tests talk to are Python 3
# scripts using only the standard library.
if ! need python3; then
  if need apt-get; then
    apt-get update -qq && apt-get install -y -qq python3
  else
    echo "tests/run.sh: python3 is required" >&2
    exit 2
  fi
fi
HROMADATA_PYTHON="${HROMADATA_PYTHON:-$(command -v python3)}"
export HROMADATA_PYTHON

cargo fmt --all -- --check
cargo test --locked
