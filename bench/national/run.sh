#!/usr/bin/env bash
# National-scale benchmark: build time, pages/s, rebuilds, growth, the disk's file-creation floor, Hugo,
# validation throughput and streaming, side by side in one run; prints one table with the targets.
#
#   bash bench/national/run.sh [--datasets N,N,...] [--runs K] [--work DIR] [--tmpfs DIR] [--disk DIR]
#                              [--big-rows R] [--stream-rows R] [--seed S] [--no-build] [--skip-hugo]
#                              [--skip-frictionless] [--skip-validate] [--skip-disk] [--keep-sites]
#
# Quick run (a minute or two): bash bench/national/run.sh --datasets 200 --runs 1 --skip-frictionless
# See bench/README.md (section national/) for what each row means.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

SIZES="${BENCH_DATASETS:-1000,5000,35000}"
RUNS="${BENCH_RUNS:-3}"
WORK="${BENCH_WORKDIR:-${TMPDIR:-/tmp}/hromadata-bench-national}"
TMPFS="${BENCH_TMPFS:-/dev/shm/hromadata-bench-national}"
DISK="${BENCH_DISK:-/var/tmp/hromadata-bench-disk}"
PER_HROMADA=20
LARGE=auto
LARGE_ROWS=auto
BIG_ROWS=auto
STREAM_ROWS=auto
SEED=20261122
BUILD=1 HUGO=1 FRICTIONLESS=1 VALIDATE=1 ONDISK=1 KEEP=0
PYTHON="${PYTHON:-python3}"

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --datasets) SIZES="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --tmpfs) TMPFS="$2"; shift 2 ;;
    --disk) DISK="$2"; shift 2 ;;
    --per-hromada) PER_HROMADA="$2"; shift 2 ;;
    --large) LARGE="$2"; shift 2 ;;
    --large-rows) LARGE_ROWS="$2"; shift 2 ;;
    --big-rows) BIG_ROWS="$2"; shift 2 ;;
    --stream-rows) STREAM_ROWS="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --skip-hugo) HUGO=0; shift ;;
    --skip-frictionless) FRICTIONLESS=0; shift ;;
    --skip-validate) VALIDATE=0; shift ;;
    --skip-disk) ONDISK=0; shift ;;
    --keep-sites) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 2; }
secs_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}'; }

# '.' as the decimal mark in $EPOCHREALTIME, printf and awk, whatever the caller's locale.
if locale -a 2>/dev/null | grep -qix 'c.utf-\{0,1\}8'; then export LC_ALL=C.UTF-8; else export LC_ALL=C; fi
export PYTHONIOENCODING=utf-8

read -r -a SIZE_LIST <<<"$(tr ',' '\n' <<<"$SIZES" | sort -n -u | tr '\n' ' ')"
[ ${#SIZE_LIST[@]} -ge 1 ] || die "--datasets needs at least one size"
for v in "${SIZE_LIST[@]}" "$RUNS" "$PER_HROMADA" "$SEED"; do
  [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge 1 ] || die "sizes, --runs, --per-hromada and --seed must be positive integers, got '$v'"
done
MAX=${SIZE_LIST[-1]}
MIN=${SIZE_LIST[0]}
# Auto sizes: the issue's at national scale; a quick run (largest tree under 1,000 datasets) keeps every
# side file small so that it finishes in a minute or two.
if [ "$MAX" -ge 1000 ]; then auto=(4 100000 1000000 3100000); else auto=(1 10000 20000 60000); fi
[ "$LARGE" = auto ] && LARGE=${auto[0]}
[ "$LARGE_ROWS" = auto ] && LARGE_ROWS=${auto[1]}
[ "$BIG_ROWS" = auto ] && BIG_ROWS=${auto[2]}
[ "$STREAM_ROWS" = auto ] && STREAM_ROWS=${auto[3]}
for v in LARGE LARGE_ROWS BIG_ROWS STREAM_ROWS; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "--${v,,} must be a number or auto, got '${!v}'"
done

START=$EPOCHREALTIME
LOGS="$WORK/logs"
mkdir -p "$LOGS" "$WORK/trees" || die "cannot create the work folder $WORK"
mkdir -p "$TMPFS" || die "cannot create $TMPFS"
[ "$ONDISK" = 1 ] && { mkdir -p "$DISK" || die "cannot create $DISK"; }
RESULTS="$WORK/results.tsv"
INFO="$WORK/info.tsv"  # key<TAB>value lines for the header
: >"$RESULTS"
: >"$INFO"
info() { printf '%s\t%s\n' "$1" "$2" >>"$INFO"; }

# --- tools ---------------------------------------------------------------------------------------
missing=()
[ -x /usr/bin/time ] || missing+=(time)
command -v openssl >/dev/null || missing+=(openssl)
command -v cc >/dev/null || missing+=(gcc)
[ "$HUGO" = 1 ] && ! command -v hugo >/dev/null && missing+=(hugo)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (apt-get)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  { $SUDO apt-get install -y -qq "${missing[@]}" || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${missing[@]}"; }; } \
    >"$LOGS/apt.log" 2>&1 || die "apt-get install ${missing[*]} failed; see $LOGS/apt.log"
fi
cc -O2 -o "$WORK/floor" "$HERE/floor.c" 2>"$LOGS/floor-cc.log" || die "cannot compile floor.c; see $LOGS/floor-cc.log"

# --- hromadata -----------------------------------------------------------------------------------
BIN="${HROMADATA_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/hromadata}"
if [ "$BUILD" = 1 ] && [ -z "${HROMADATA_BIN:-}" ]; then
  say "cargo build --release (log: $LOGS/build.log)"
  if ! (cd "$ROOT" && cargo build --release) >"$LOGS/build.log" 2>&1; then
    tail -n 20 "$LOGS/build.log" >&2
    [ -x "$BIN" ] || die "the release build failed and there is no $BIN"
    say "WARNING: the release build failed; measuring the existing $BIN"
  fi
fi
[ -x "$BIN" ] || die "no hromadata binary at $BIN"
"$BIN" build --help >"$LOGS/build-help.txt" 2>&1 || die "\`$BIN build --help\` failed"
HAS_CACHE=0; grep -q -- '--cache' "$LOGS/build-help.txt" && HAS_CACHE=1
grep -q -- '--timings' "$LOGS/build-help.txt" || say "this build has no --timings: the render-stage row stays empty"
info cache "$([ "$HAS_CACHE" = 1 ] && echo "incremental cache (--cache)" || echo "no --cache in this build: every rebuild is a full build")"

# --- data ----------------------------------------------------------------------------------------
GEN_SUM=$(sha256sum "$HERE/generate.py" | cut -c1-16)
# tree N → the path of a generated source tree of N datasets (generated once per generator version and flags)
tree() {
  local n="$1" key dir t0
  key="n$n-p$PER_HROMADA-l${LARGE}x$LARGE_ROWS-s$SEED"
  dir="$WORK/trees/$key"
  if [ "$(cat "$dir.ok" 2>/dev/null)" = "$GEN_SUM" ] && [ -d "$dir" ]; then
    say "reusing the tree of $n datasets ($dir)"
  else
    say "generating $n datasets into $dir"
    rm -f "$dir.ok"; t0=$EPOCHREALTIME
    "$PYTHON" "$HERE/generate.py" "$dir" --datasets "$n" --per-hromada "$PER_HROMADA" --large "$LARGE" \
      --large-rows "$LARGE_ROWS" --seed "$SEED" >"$LOGS/generate-$n.log" 2>&1 || die "the generator failed; see $LOGS/generate-$n.log"
    info "generated $n" "$(secs_since "$t0") s"
    echo "$GEN_SUM" >"$dir.ok"
  fi
  TREE="$dir"
}
# payments ROWS DIR → bench/validate's data (payments.csv, schema.json, payments-bad.csv) in DIR, reused when
# meta.json matches; the same layout and seed as bench/validate/run.sh, which then reuses it too.
payments() {
  local rows="$1" dir="$2" copies="$3" t0
  if "$PYTHON" -c 'import json,os,sys; m=json.load(open(sys.argv[1]+"/meta.json")); sys.exit(not (m["rows"]==int(sys.argv[2]) and m["copies"]==int(sys.argv[3]) and os.path.getsize(sys.argv[1]+"/payments.csv")==m["bytes"]))' \
      "$dir" "$rows" "$copies" 2>/dev/null; then
    say "reusing $rows payment rows in $dir"
  else
    say "generating $rows payment rows into $dir"
    rm -rf "$dir"; t0=$EPOCHREALTIME
    "$PYTHON" "$ROOT/bench/validate/generate.py" "$dir" --rows "$rows" --copies "$copies" >"$LOGS/generate-payments-$rows.log" 2>&1 \
      || die "bench/validate/generate.py failed; see $LOGS/generate-payments-$rows.log"
    info "generated payments $rows" "$(secs_since "$t0") s"
  fi
}

for n in "${SIZE_LIST[@]}"; do tree "$n"; done
BIGTREE="$TREE"
# The national tree: the largest tree plus the payments file, as hard links in a scratch copy, so that the
# edits of the rebuild rows never touch the cached tree (an edit replaces a file, never writes into one).
NAT="$WORK/src-national"
rm -rf "$NAT" "$WORK/payments-only" "$WORK/payments-only.json"
cp -al "$BIGTREE" "$NAT" || die "cannot hard-link $BIGTREE to $NAT"
if [ "$BIG_ROWS" -gt 0 ]; then
  payments "$BIG_ROWS" "$WORK/validate-$BIG_ROWS/data" 2
  "$PYTHON" "$HERE/generate.py" "$WORK/payments-only" --datasets 0 --big-rows "$BIG_ROWS" \
    --big-file "$WORK/validate-$BIG_ROWS/data/payments.csv" >"$LOGS/generate-payments-only.log" 2>&1 || die "see $LOGS/generate-payments-only.log"
  cp -al "$WORK/payments-only/publishers/mindev/payments" "$NAT/publishers/mindev/" || die "cannot add the payments dataset"
fi
info national "$MAX datasets$([ "$BIG_ROWS" -gt 0 ] && echo " + the payments file ($BIG_ROWS rows, $(stat -c %s "$WORK/validate-$BIG_ROWS/data/payments.csv") bytes)")"
info tree "$(du -sb "$NAT" | cut -f1) bytes in $(find "$NAT" -type f | wc -l) files; $("$PYTHON" -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["datasets"], "datasets,", m["resources"], "resources (without the payments file)")' "$BIGTREE.json")"
say "warm-up: reading the source trees once (every build then reads from the page cache)"
for n in "${SIZE_LIST[@]}"; do tree "$n" >/dev/null 2>&1; tar -cf - "$TREE" 2>/dev/null | cat >/dev/null; done

. "$HERE/measure.sh"

# --- builds of the national tree -----------------------------------------------------------------
# The CSV the "one changed CSV" row edits: the first budget dataset (10 rows of year,own,transfers,total).
EDIT_CSV=$(find "$NAT/publishers" -path '*/d00/data/data-2023.csv' | sort | head -n 1)
[ -n "$EDIT_CSV" ] || die "no budget CSV to edit in $NAT"
EDITS=0
edit_csv() {  # a new own_revenues in row 1, different every time (the run number alone repeats across rows)
  EDITS=$((EDITS + 1))
  awk -F, -v OFS=, -v r="$EDITS" 'NR == 2 { $2 = sprintf("%d.%02d", 123456789 + r, r % 100) } { print }' "$EDIT_CSV" >"$EDIT_CSV.new" \
    && mv "$EDIT_CSV.new" "$EDIT_CSV"
}
THEME="$WORK/theme"
# The template edit_template appends to: a dataset's page (every dataset rendered again, the
# catalogue-wide pages kept) or a territory's (only the territory pages rendered again).
EDITED=dataset.html
edit_template() { printf '\n{# bench run %s #}\n' "$1" >>"$THEME/templates/$EDITED"; }

T_SITE="$TMPFS/site"
say "national tree ($MAX datasets) → tmpfs $T_SITE, $RUNS runs each"
measure_build cold-tmpfs "cold build → tmpfs" cold "$NAT" "$T_SITE"
"$PYTHON" - "$T_SITE" "$WORK/site-files.txt" <<'EOF'
import os, sys
site, out = sys.argv[1], sys.argv[2]
rows = []
for root, dirs, files in os.walk(site):
    for f in files:
        p = os.path.join(root, f)
        rows.append(f"{os.lstat(p).st_size}\t{os.path.relpath(p, site)}")
rows.sort(key=lambda r: r.split("\t", 1)[1])
open(out, "w").write("\n".join(rows) + "\n")
EOF
if [ "$HUGO" = 1 ]; then
  say "making the Hugo peer site (one content file per HTML page)"
  t0=$EPOCHREALTIME
  "$PYTHON" "$HERE/hugo_site.py" "$T_SITE" "$WORK/hugo" >"$LOGS/hugo-site.log" 2>&1 || die "hugo_site.py failed; see $LOGS/hugo-site.log"
  info "hugo content" "$(cat "$LOGS/hugo-site.log") files, made in $(secs_since "$t0") s"
fi
measure_build nochange "rebuild, nothing changed" warm "$NAT" "$T_SITE"
# The first rebuild after a cold build starts from an empty staging folder; later ones recycle the site the
# previous build replaced (`.<out>.retired`): measured apart.
RUNS=1 measure_build csv-first "rebuild after a cold build, one CSV changed" csv "$NAT" "$T_SITE"
measure_build csv "rebuild, one CSV changed" csv "$NAT" "$T_SITE"
rm -rf "$THEME"; cp -r "$ROOT/themes/default" "$THEME"
quiet_build "$NAT" "$T_SITE" --theme "$THEME"  # the cache now holds the pages of this theme
measure_build template "rebuild, dataset.html changed" template "$NAT" "$T_SITE" --theme "$THEME"
EDITED=territory.html
measure_build template-territory "rebuild, territory.html changed" template "$NAT" "$T_SITE" --theme "$THEME"
RAYON_NUM_THREADS=1 measure_build threads1 "cold build → tmpfs, 1 thread" cold "$NAT" "$T_SITE"
measure_floor floor-tmpfs "file-creation floor → tmpfs" "$TMPFS/floor"
# tmpfs is memory: the national site and the floor's copy are ~10 GB each at 35,000 datasets,
# more than Hugo can share a 24 GB machine with.
rm -rf "$T_SITE" "$TMPFS/.site.retired" "$TMPFS/.hromadata-cache" "$TMPFS/floor"
[ "$HUGO" = 1 ] && measure_hugo hugo-tmpfs "hugo → tmpfs" "$TMPFS/hugo"
rm -rf "$TMPFS/hugo"
if [ "$ONDISK" = 1 ]; then
  say "national tree → disk $DISK"
  measure_disk_pairs "$NAT" "$DISK/site" "$DISK/floor"
  [ "$KEEP" = 1 ] || rm -rf "$DISK/floor"
  RUNS=1 measure_build csv-first-disk "rebuild after a cold build, one CSV changed → disk" csv "$NAT" "$DISK/site"
  measure_build csv-disk "rebuild, one CSV changed → disk" csv "$NAT" "$DISK/site"
  [ "$HUGO" = 1 ] && measure_hugo hugo-disk "hugo → disk" "$DISK/hugo"
  [ "$KEEP" = 1 ] || rm -rf "$DISK/site" "$DISK/.site.retired" "$DISK/.hromadata-cache" "$DISK/floor" "$DISK/hugo"
fi

# --- growth: the generated trees without the payments file, cold → tmpfs ----------------------------
for n in "${SIZE_LIST[@]}"; do
  tree "$n" 2>/dev/null
  say "growth: $n datasets"
  measure_build "grow-$n" "cold build → tmpfs, $n datasets (no payments file)" cold "$TREE" "$TMPFS/site-$n"
  [ "$KEEP" = 1 ] || rm -rf "$TMPFS/site-$n" "$TMPFS/.site-$n.retired" "$TMPFS/.hromadata-cache"
done

# --- validation throughput (bench/validate) and streaming ---------------------------------------------
if [ "$VALIDATE" = 1 ] && [ "$BIG_ROWS" -gt 0 ]; then
  say "validation throughput: bench/validate/run.sh --rows $BIG_ROWS (log: $LOGS/validate.log)"
  vflags=(--rows "$BIG_ROWS" --runs "$RUNS" --work "$WORK/validate-$BIG_ROWS" --no-build)
  [ "$FRICTIONLESS" = 1 ] || vflags+=(--skip-frictionless)
  HROMADATA_BIN="$BIN" bash "$ROOT/bench/validate/run.sh" "${vflags[@]}" >"$LOGS/validate.log" 2>&1 \
    || say "WARNING: bench/validate/run.sh exited $?; see $LOGS/validate.log"
  # label runs wall bytes rows rss result command → this script's rows
  awk -F'\t' -v OFS='\t' '{ print "validate", $1, $2, $3, $6, ($7 ~ /exit 0/ ? 0 : $7), "", "", $4, $5, "", "" }' \
    "$WORK/validate-$BIG_ROWS/results.tsv" >>"$RESULTS"
  grep '^agreement:' "$WORK/validate-$BIG_ROWS/results.txt" | head -n 1 | { read -r a; info agreement "${a:-not checked}"; }
  FL_VERSION=$("$WORK/validate-$BIG_ROWS/venv/bin/python" -c 'import frictionless; print(frictionless.__version__)' 2>/dev/null)
  [ "$FRICTIONLESS" = 1 ] && info frictionless "${FL_VERSION:-not installed}"
fi
if [ "$STREAM_ROWS" -gt 0 ]; then
  payments "$STREAM_ROWS" "$WORK/stream-$STREAM_ROWS" 1
  cat "$WORK/stream-$STREAM_ROWS/payments.csv" >/dev/null
  say "streaming: hromadata validate on $STREAM_ROWS rows ($(stat -c %s "$WORK/stream-$STREAM_ROWS/payments.csv") bytes)"
  (cd "$WORK/stream-$STREAM_ROWS" && measure_validate stream "validate, streaming a large file" payments.csv --schema schema.json)
fi

# --- the table -----------------------------------------------------------------------------------
CPU=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
info cpu "${CPU:-unknown}"
info shani "$(grep -qw sha_ni /proc/cpuinfo 2>/dev/null && echo yes || echo no)"
info nproc "$(nproc)"
info memory "$(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
info load "$(cut -d' ' -f1-3 /proc/loadavg)"
info tmpfs "$TMPFS ($(df -PT "$TMPFS" | awk 'NR==2{print $2}'))"
[ "$ONDISK" = 1 ] && info disk "$DISK ($(df -PT "$DISK" | awk 'NR==2{print $2 " on " $1}')$(d=$(df -P "$DISK" | awk 'NR==2{print $1}' | sed 's|/dev/||;s|[0-9]*$||'); [ -r "/sys/block/$d/queue/rotational" ] && { [ "$(cat "/sys/block/$d/queue/rotational")" = 1 ] && echo ", rotational" || echo ", non-rotational"; }))"
info hromadata "$("$BIN" --version 2>/dev/null | head -n 1)"
[ "$HUGO" = 1 ] && info hugo "$(hugo version 2>/dev/null | cut -d' ' -f1-2)"
info openssl "$(openssl version | cut -d' ' -f1-2)"
info sizes "${SIZE_LIST[*]}"
info runs "$RUNS"
info total "$(secs_since "$START") s"
"$PYTHON" "$HERE/report.py" "$RESULTS" "$INFO" | tee "$WORK/results.txt"
[ "$KEEP" = 1 ] || rm -rf "$TMPFS"
