#!/usr/bin/env bash
# Validation benchmark: hromadata validate vs frictionless-py vs the hashing floor, side by side in one run.
#
#   bash bench/validate/run.sh [--rows N] [--runs K] [--fl-runs K] [--copies N] [--seed S] [--work DIR]
#                              [--no-build] [--skip-frictionless]
#
# See bench/README.md for what it measures and prints.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

ROWS="${BENCH_ROWS:-1000000}"
RUNS="${BENCH_RUNS:-3}"
FL_RUNS="${BENCH_FL_RUNS:-1}"
COPIES="${BENCH_COPIES:-2}"
SEED="${BENCH_SEED:-20260707}"
WORK="${BENCH_WORKDIR:-${TMPDIR:-/tmp}/hromadata-bench}"
BUILD=1
FRICTIONLESS=1
FRICTIONLESS_VERSION="5.21.0"
PYTHON="${PYTHON:-python3}"

usage() { sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --fl-runs) FL_RUNS="$2"; shift 2 ;;
    --copies) COPIES="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --skip-frictionless) FRICTIONLESS=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for v in ROWS RUNS FL_RUNS COPIES SEED; do
  [[ "${!v}" =~ ^[0-9]+$ ]] && [ "${!v}" -ge 1 ] || { echo "run.sh: $v must be a positive integer, got '${!v}'" >&2; exit 2; }
done

# '.' as the decimal mark in $EPOCHREALTIME, printf and awk, whatever the caller's locale.
if locale -a 2>/dev/null | grep -qix 'c.utf-\{0,1\}8'; then export LC_ALL=C.UTF-8; else export LC_ALL=C; fi
export PYTHONIOENCODING=utf-8

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 2; }

START=$EPOCHREALTIME
mkdir -p "$WORK/logs" || die "cannot create the work folder $WORK"
DATA="$WORK/data"
LOGS="$WORK/logs"
RESULTS="$WORK/results.tsv"
: > "$RESULTS"

# --- tools: GNU time and openssl from Debian when missing ---------------------------------------
missing=()
[ -x /usr/bin/time ] || missing+=(time)
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (apt-get)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  { $SUDO apt-get install -y -qq "${missing[@]}" || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${missing[@]}"; }; } \
    >"$LOGS/apt.log" 2>&1 || die "apt-get install ${missing[*]} failed; see $LOGS/apt.log"
fi

# --- build hromadata ----------------------------------------------------------------------------
BIN="${HROMADATA_BIN:-$ROOT/target/release/hromadata}"
if [ "$BUILD" = 1 ] && [ -z "${HROMADATA_BIN:-}" ]; then
  say "cargo build --release (log: $LOGS/build.log)"
  if ! (cd "$ROOT" && cargo build --release) >"$LOGS/build.log" 2>&1; then
    tail -n 20 "$LOGS/build.log" >&2
    if [ -x "$BIN" ]; then
      say "WARNING: the release build failed; measuring the existing $BIN"
    else
      die "the release build failed and there is no $BIN"
    fi
  fi
fi
[ -x "$BIN" ] || die "no hromadata binary at $BIN"
HD_VALIDATE=0
HD_JSON=0
if "$BIN" validate --help >"$LOGS/validate-help.txt" 2>&1; then
  HD_VALIDATE=1
  grep -q -- '--format' "$LOGS/validate-help.txt" && HD_JSON=1
else
  say "hromadata validate is not implemented in this build (\`hromadata validate --help\` failed); its rows are skipped"
fi

# --- data ---------------------------------------------------------------------------------------
data_ok() {
  "$PYTHON" - "$DATA" "$ROWS" "$SEED" "$COPIES" <<'EOF'
import json, os, sys
d, rows, seed, copies = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
try:
    m = json.load(open(os.path.join(d, "meta.json")))
    ok = (m["rows"], m["seed"], m["copies"]) == (rows, seed, copies) \
        and os.path.getsize(os.path.join(d, "payments.csv")) == m["bytes"] \
        and os.path.getsize(os.path.join(d, "payments-bad.csv")) > 0 \
        and all(os.path.getsize(os.path.join(d, "package", f"payments-{k}.csv")) == m["bytes"] for k in range(1, copies + 1))
except (OSError, KeyError, ValueError):
    ok = False
sys.exit(0 if ok else 1)
EOF
}
gen_version_ok() {
  local want have
  want=$(grep -m1 '^GENERATOR_VERSION' "$HERE/generate.py" | tr -dc 0-9)
  have=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["generator_version"])' "$DATA/meta.json" 2>/dev/null)
  [ "$want" = "$have" ]
}
if data_ok && gen_version_ok; then
  say "reusing the data in $DATA ($ROWS rows, seed $SEED)"
else
  say "generating $ROWS rows (seed $SEED, $COPIES copies) into $DATA"
  rm -rf "$DATA"
  t0=$EPOCHREALTIME
  "$PYTHON" "$HERE/generate.py" "$DATA" --rows "$ROWS" --seed "$SEED" --copies "$COPIES" || die "the generator failed"
  say "generated in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}') s"
fi
# Every tool runs inside $DATA on relative paths (frictionless refuses absolute paths as "not safe").
FILE="payments.csv"
BAD="payments-bad.csv"
SCHEMA="schema.json"
PACKAGE="package/datapackage.json"
BYTES=$(stat -c %s "$DATA/$FILE")
BAD_ROW=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["bad_row"])' "$DATA/meta.json")

# --- frictionless in a venv (once) --------------------------------------------------------------
FL="$WORK/venv/bin/frictionless"
if [ "$FRICTIONLESS" = 1 ]; then
  if [ -x "$FL" ] && "$WORK/venv/bin/python" -c "import frictionless,sys; sys.exit(frictionless.__version__ != '$FRICTIONLESS_VERSION')" 2>/dev/null; then
    say "reusing frictionless $FRICTIONLESS_VERSION in $WORK/venv"
  else
    say "installing frictionless==$FRICTIONLESS_VERSION into $WORK/venv (log: $LOGS/pip.log)"
    rm -rf "$WORK/venv"
    { "$PYTHON" -m venv "$WORK/venv" && "$WORK/venv/bin/pip" install -q --disable-pip-version-check "frictionless==$FRICTIONLESS_VERSION"; } \
      >"$LOGS/pip.log" 2>&1 || { tail -n 20 "$LOGS/pip.log" >&2; say "WARNING: frictionless could not be installed; its rows are skipped"; FRICTIONLESS=0; }
  fi
fi

# --- measuring ----------------------------------------------------------------------------------
# measure LABEL RUNS BYTES ROWS EXPECTED_EXIT LOGNAME COMMAND...
#   runs COMMAND RUNS times under /usr/bin/time; records the median wall time and the largest peak RSS.
LAST_EXIT=""
measure() {
  local label="$1" runs="$2" bytes="$3" rows="$4" expect="$5" name="$6"; shift 6
  local walls=() rss_max=0 code=0 i t0 t1 wall rss
  for ((i = 1; i <= runs; i++)); do
    t0=$EPOCHREALTIME
    /usr/bin/time -f '%M' -o "$LOGS/$name.time" "$@" >"$LOGS/$name.out" 2>"$LOGS/$name.err"
    code=$?
    t1=$EPOCHREALTIME
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.6f", b-a}')
    rss=$(tail -n 1 "$LOGS/$name.time" | tr -dc 0-9)
    walls+=("$wall")
    [ -n "$rss" ] && [ "$rss" -gt "$rss_max" ] && rss_max=$rss
    printf '    %-34s run %d/%d: %8.3f s  %7.1f MiB  exit %d\n' "$label" "$i" "$runs" "$wall" \
      "$(awk -v k="${rss:-0}" 'BEGIN{print k/1024}')" "$code" >&2
  done
  local median
  median=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END{if (NR%2) print a[(NR+1)/2]; else printf "%.6f\n", (a[NR/2]+a[NR/2+1])/2}')
  local result
  case "$code" in
    "$expect") result="ok (exit $code)" ;;
    *) result="UNEXPECTED exit $code (see $LOGS/$name.out)" ;;
  esac
  if [ "$expect" = 0 ] && [ "$code" = 0 ] && [[ "$label" == *validate* ]]; then result="valid (exit 0)"; fi
  if [ "$code" != "$expect" ]; then
    say "$label exited $code (expected $expect); first lines of its output:"
    head -n 5 "$LOGS/$name.out" "$LOGS/$name.err" >&2
  fi
  local cmd="${*//$WORK/\$WORK}"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$runs" "$median" "$bytes" "$rows" "$rss_max" "$result" "$cmd" >>"$RESULTS"
  LAST_EXIT=$code
}
skip_row() {  # LABEL REASON COMMAND
  printf '%s\t-\t\t0\t0\t\t%s\t%s\n' "$1" "$2" "${3//$WORK/\$WORK}" >>"$RESULTS"
}

cd "$DATA" || die "cannot enter $DATA"
say "warm-up: cat FILE > /dev/null (every tool then reads from the same page cache)"
cat "$FILE" "$BAD" >/dev/null

say "measuring on $DATA/$FILE ($BYTES bytes, $ROWS rows); hromadata/openssl/sha256sum/wc: $RUNS runs, frictionless: $FL_RUNS"
HD_VALID_EXIT=""; FL_VALID_EXIT=""
if [ "$HD_VALIDATE" = 1 ]; then
  measure "hromadata validate (file)" "$RUNS" "$BYTES" "$ROWS" 0 hd-file "$BIN" validate "$FILE" --schema "$SCHEMA"
  HD_VALID_EXIT=$LAST_EXIT
  measure "hromadata validate (package x$COPIES)" "$RUNS" $((BYTES * COPIES)) $((ROWS * COPIES)) 0 hd-package "$BIN" validate "$PACKAGE"
else
  skip_row "hromadata validate (file)" "not implemented yet in this build" "$BIN validate $FILE --schema $SCHEMA"
  skip_row "hromadata validate (package x$COPIES)" "not implemented yet in this build" "$BIN validate $PACKAGE"
fi
if [ "$FRICTIONLESS" = 1 ]; then
  measure "frictionless validate $FRICTIONLESS_VERSION" "$FL_RUNS" "$BYTES" "$ROWS" 0 frictionless "$FL" validate "$FILE" --schema "$SCHEMA"
  FL_VALID_EXIT=$LAST_EXIT
else
  skip_row "frictionless validate $FRICTIONLESS_VERSION" "skipped" "$FL validate $FILE --schema $SCHEMA"
fi
measure "openssl dgst -sha256 (floor)" "$RUNS" "$BYTES" "$ROWS" 0 openssl openssl dgst -sha256 "$FILE"
measure "sha256sum" "$RUNS" "$BYTES" "$ROWS" 0 sha256sum sha256sum "$FILE"
measure "wc -l" "$RUNS" "$BYTES" "$ROWS" 0 wc wc -l "$FILE"

# --- agreement on an injected error -------------------------------------------------------------
say "agreement check: $DATA/$BAD has a non-numeric amount in row $BAD_ROW"
agree=(--bad-row "$BAD_ROW")
if [ "$HD_VALIDATE" = 1 ]; then
  fmt=(); [ "$HD_JSON" = 1 ] && fmt=(--format json)
  "$BIN" validate "$BAD" --schema "$SCHEMA" "${fmt[@]}" >"$LOGS/hd-bad.out" 2>"$LOGS/hd-bad.err"
  agree+=(--hd-valid-exit "$HD_VALID_EXIT" --hd-bad "$LOGS/hd-bad.out" --hd-bad-exit $?)
else
  agree+=(--hd-missing "hromadata validate is not implemented in this build")
fi
if [ "$FRICTIONLESS" = 1 ]; then
  "$FL" validate "$BAD" --schema "$SCHEMA" --json >"$LOGS/fl-bad.out" 2>"$LOGS/fl-bad.err"
  agree+=(--fl-valid-exit "$FL_VALID_EXIT" --fl-bad "$LOGS/fl-bad.out" --fl-bad-exit $?)
else
  agree+=(--fl-missing "frictionless was skipped")
fi
AGREEMENT=$("$PYTHON" "$HERE/report.py" agree "${agree[@]}")

# --- the table ----------------------------------------------------------------------------------
CPU=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
[ -n "$CPU" ] || CPU=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
SHANI=no; grep -qw sha_ni /proc/cpuinfo 2>/dev/null && SHANI=yes
HD_VERSION=$("$BIN" --version 2>/dev/null | head -n 1)
FL_VERSION=""; [ "$FRICTIONLESS" = 1 ] && FL_VERSION=$("$WORK/venv/bin/python" -c 'import frictionless; print(frictionless.__version__)' 2>/dev/null)
{
  echo
  echo "hromadata validation benchmark — $ROWS rows, $BYTES bytes ($(awk -v b="$BYTES" 'BEGIN{printf "%.1f", b/1e6}') MB), package of $COPIES copies"
  echo "machine: nproc $(nproc), CPU: ${CPU:-unknown} (SHA-NI: $SHANI), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "versions: ${HD_VERSION:-hromadata ?}; frictionless ${FL_VERSION:-not installed}; $(openssl version | cut -d' ' -f1-2)"
  echo "data: $DATA (the commands listed under the table run there; \$WORK = $WORK)"
  echo "wall = median of the runs; MB/s = bytes read / wall (10^6 bytes; the package reads $COPIES× the file); peak RSS = largest of the runs"
  echo
  "$PYTHON" "$HERE/report.py" table "$RESULTS" --commands
  echo
  echo "$AGREEMENT"
  echo "total time of this run: $(awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.0f", b-a}') s; logs in $LOGS"
} | tee "$WORK/results.txt"
