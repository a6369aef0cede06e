#!/usr/bin/env bash
# The CI smoke pass of the fuzz targets: installs cargo-fuzz when missing, builds every target
# (AddressSanitizer, debug assertions and overflow checks on; the `dev` profile of
# fuzz/Cargo.toml, opt-level 1: much less build time than cargo-fuzz's release build, and still
# several runs a second of the slowest target; figures in fuzz/README.md), replays the saved
# crash inputs in fuzz/regressions/<target>/, then fuzzes each target for a few seconds over its
# seed corpus.
# Exits non-zero on any crash and prints where the crashing input was saved.
#
# Usage: bash fuzz/smoke.sh [seconds per target, default 20]   (FUZZ_TARGETS="csv slug" to pick)
# Only stable Rust is needed: cargo-fuzz's nightly flags are allowed by RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")"

CARGO_FUZZ_VERSION=0.13.1
seconds="${1:-${FUZZ_SECONDS:-20}}"
targets="${FUZZ_TARGETS:-csv cell descriptor codifier slug template}"
export RUSTC_BOOTSTRAP=1
# The fuzz crate has its own target folder: its flags differ from the main build's.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/target}"

if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

cargo fuzz build --dev

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The targets write their inputs to scratch files there too (fuzz/src/lib.rs).
export HROMADATA_FUZZ_SCRATCH="$work/scratch"
failed=0
for t in $targets; do
  options=()
  [[ -f "dict/$t.dict" ]] && options=("-dict=dict/$t.dict")
  # At a few runs a second, libFuzzer's slow growth of input sizes would keep `template` at 4
  # bytes (ten empty strings) for the whole pass: full-size inputs from the start.
  [[ "$t" == template ]] && options+=(-len_control=0 -max_len=1024)
  artifacts="$PWD/artifacts/$t"
  mkdir -p "$artifacts" "$work/$t" "corpus/$t"
  # Saved crash inputs first: each must now pass.
  if compgen -G "regressions/$t/*" >/dev/null; then
    if ! cargo fuzz run --dev "$t" regressions/"$t"/* -- \
        -artifact_prefix="$artifacts/" >"$work/$t.replay.log" 2>&1; then
      echo "fuzz/smoke.sh: $t: a saved regression input fails again; see the log below" >&2
      tail -n 40 "$work/$t.replay.log" >&2
      failed=1
      continue
    fi
  fi
  # New inputs go to a scratch folder: the committed seed corpus stays as it is. One process on
  # one core (no -jobs: that would send the output to fuzz-N.log in the current folder).
  if cargo fuzz run --dev "$t" "$work/$t" "corpus/$t" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      "${options[@]}" -artifact_prefix="$artifacts/" >"$work/$t.log" 2>&1; then
    echo "fuzz/smoke.sh: $t: $(grep -aE '^#[0-9]+.*DONE' "$work/$t.log" | tail -n 1)"
  else
    echo "fuzz/smoke.sh: $t crashed; the input is saved as:" >&2
    grep -aE 'Test unit written to' "$work/$t.log" >&2 || echo "  (no input saved; see the log)" >&2
    tail -n 40 "$work/$t.log" >&2
    failed=1
  fi
done
exit "$failed"
