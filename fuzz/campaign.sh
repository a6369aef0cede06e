#!/usr/bin/env bash
# The long campaign (fuzz/README.md): every target in turn, one process on one core, for SECS
# seconds each (default 540), release build, new corpus entries, logs and crashes in OUT
# (default /tmp/hromadata-fuzz-campaign), one summary line per target in OUT/summary.txt.
# Usage: [TARGETS="csv cell"] [SECS=540] [EXTRA="-len_control=0"] bash fuzz/campaign.sh
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/target}"
out="${OUT:-/tmp/hromadata-fuzz-campaign}"
secs=${SECS:-540}
for t in ${TARGETS:-csv cell descriptor codifier slug template}; do
  mkdir -p "$out/corpus/$t" "$out/crashes/$t"
  d=""; [ -f "dict/$t.dict" ] && d="-dict=dict/$t.dict"
  start=$(date +%s)
  echo "$t start $(date -u +%T)" >> "$out/summary.txt"
  # shellcheck disable=SC2086 # $d and $EXTRA are lists of options
  cargo fuzz run -O "$t" "$out/corpus/$t" "corpus/$t" -- \
    -max_total_time="$secs" -jobs=1 -workers=1 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    $d ${EXTRA:-} -artifact_prefix="$out/crashes/$t/" > "$out/$t.cargo.log" 2>&1
  rc=$?
  # -jobs=1 runs the fuzzer as a child whose output goes to fuzz-0.log in the current folder.
  mv fuzz-0.log "$out/$t.log" 2>/dev/null || true
  echo "$t rc=$rc wall=$(( $(date +%s) - start ))s $(grep -aE 'DONE' "$out/$t.log" | tail -n 1)" >> "$out/summary.txt"
done
echo "all done $(date -u +%T)" >> "$out/summary.txt"
