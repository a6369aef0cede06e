# Measuring helpers of bench/national/run.sh (sourced; uses its RUNS, BIN, WORK, LOGS, RESULTS, HAS_CACHE,
# STREAM_ROWS, say and the edit_csv / edit_template functions).
#
# Every measured command runs RUNS times, each under `/usr/bin/time -f %M` (peak RSS) with bash's
# $EPOCHREALTIME around it (wall). Before each run: that row's preparation (removing the out folder and the
# cache for a cold build, an edit for a rebuild), then `sync`, so that no run pays for the previous one's
# dirty pages. A row records the median wall, the largest peak RSS and the files and HTML pages it made:
#   key label runs wall_s rss_kib exit pages files bytes rows render_s note      (tab-separated)

TIMED_WALL="" TIMED_RSS="" TIMED_EXIT=0
# timed LOGNAME COMMAND... — one run; sets TIMED_WALL (s), TIMED_RSS (KiB), TIMED_EXIT.
timed() {
  local name="$1" t0 t1; shift
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$LOGS/$name.time" "$@" >"$LOGS/$name.out" 2>"$LOGS/$name.err"
  TIMED_EXIT=$?
  t1=$EPOCHREALTIME
  TIMED_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.6f", b-a}')
  TIMED_RSS=$(tail -n 1 "$LOGS/$name.time" | tr -dc 0-9)
  if [ "$TIMED_EXIT" != 0 ]; then
    say "$name exited $TIMED_EXIT; the end of its output:"
    tail -n 5 "$LOGS/$name.out" "$LOGS/$name.err" >&2
  fi
}

median() { sort -g | awk '{a[NR]=$1} END{if (NR==0) print ""; else if (NR%2) print a[(NR+1)/2]; else printf "%.6f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# A row's runs are gathered per key (row_begin, row_run, row_end), so that two rows can take turns run by
# run (measure_disk_pairs).
declare -A ROW_WALLS ROW_RENDERS ROW_RSS ROW_BAD ROW_STAGE

# row_begin KEY — a row with no runs yet.
row_begin() { ROW_WALLS[$1]="" ROW_RENDERS[$1]="" ROW_RSS[$1]=0 ROW_BAD[$1]=0 ROW_STAGE[$1]=""; }

# row_run KEY LABEL PREP I COMMAND... — run I of a row: `PREP I`, sync, COMMAND timed; sets TIMED_WALL.
row_run() {
  local key="$1" label="$2" prep="$3" i="$4" render stage; shift 4
  $prep "$i"
  sync
  timed "$key" "$@"
  ROW_WALLS[$key]+="$TIMED_WALL "
  [ -n "$TIMED_RSS" ] && [ "$TIMED_RSS" -gt "${ROW_RSS[$key]}" ] && ROW_RSS[$key]=$TIMED_RSS
  [ "$TIMED_EXIT" = 0 ] || ROW_BAD[$key]=$TIMED_EXIT
  # A rebuild row that found nothing to rebuild measured nothing: its edit did not change the source.
  case "$key" in csv* | template*) grep -q '^up to date' "$LOGS/$key.err" && ROW_BAD[$key]="up-to-date" ;; esac
  # `timings: load 0.42 s · validate 1.66 s · render 7.82 s · …` (or `render + write 5.72 s` where pages are
  # written as they are rendered) → that stage's seconds and name
  render=$(sed -n 's/^timings:.* · \(render[a-z +]*\) \([0-9.]*\) s.*/\2/p' "$LOGS/$key.err" | tail -n 1)
  stage=$(sed -n 's/^timings:.* · \(render[a-z +]*\) \([0-9.]*\) s.*/\1/p' "$LOGS/$key.err" | tail -n 1)
  [ -n "$stage" ] && ROW_STAGE[$key]=$stage
  [ -n "$render" ] && ROW_RENDERS[$key]+="$render "
  printf '    %-48s run %d/%d: %8.3f s  %7.1f MiB  exit %d%s\n' "$label" "$i" "$RUNS" "$TIMED_WALL" \
    "$(awk -v k="${TIMED_RSS:-0}" 'BEGIN{print k/1024}')" "$TIMED_EXIT" "${render:+  (render $render s)}" >&2
}

# row_end KEY LABEL PAGES_FILES_FN BYTES ROWS — the row's line in RESULTS: median wall, largest peak RSS.
row_end() {
  local key="$1" label="$2" count="$3" bytes="$4" rows="$5" pages files
  read -r pages files < <($count)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$label" "$RUNS" \
    "$(printf '%s\n' ${ROW_WALLS[$key]} | median)" "${ROW_RSS[$key]}" "${ROW_BAD[$key]}" "$pages" "$files" \
    "$bytes" "$rows" "$( [ -n "${ROW_RENDERS[$key]}" ] && printf '%s\n' ${ROW_RENDERS[$key]} | median)" \
    "${ROW_STAGE[$key]}" >>"$RESULTS"
}

# run_rows KEY LABEL PREP PAGES_FILES_FN BYTES ROWS COMMAND... — RUNS runs of COMMAND after `PREP i`; one row.
run_rows() {
  local key="$1" label="$2" prep="$3" count="$4" bytes="$5" rows="$6" i; shift 6
  row_begin "$key"
  for ((i = 1; i <= RUNS; i++)); do
    row_run "$key" "$label" "$prep" "$i" "$@"
  done
  row_end "$key" "$label" "$count" "$bytes" "$rows"
}

# count_in DIR → "HTML_PAGES FILES"
count_in() { echo "$(find "$1" -type f -name '*.html' 2>/dev/null | wc -l) $(find "$1" -type f 2>/dev/null | wc -l)"; }

# The build under measurement; OUT's cache lives beside it (the default place), passed explicitly when the
# binary has --cache, so that a cold build can remove it.
B_SRC="" B_OUT="" B_EXTRA=()
build_cmd() {
  local cache=()
  [ "$HAS_CACHE" = 1 ] && cache=(--cache "$(dirname "$B_OUT")/.hromadata-cache")
  echo "$BIN" build --source "$B_SRC" --out "$B_OUT" --timings "${cache[@]}" "${B_EXTRA[@]}"
}
# A cold build has no cache and no retired site to recycle (`.<out>.retired`, see the README).
prep_cold() {
  local d b
  d=$(dirname "$B_OUT") b=$(basename "$B_OUT")
  rm -rf "$B_OUT" "$d/.hromadata-cache" "$d/.$b".staging-* "$d/.$b.retired"
}
prep_warm() { :; }
prep_csv() { edit_csv "$1"; }
prep_template() { edit_template "$1"; }
count_build() { count_in "$B_OUT"; }

# measure_build KEY LABEL cold|warm|csv|template SRC OUT [EXTRA BUILD ARGS...]
measure_build() {
  local key="$1" label="$2" mode="$3"
  B_SRC="$4" B_OUT="$5" B_EXTRA=("${@:6}")
  mkdir -p "$(dirname "$B_OUT")"
  # shellcheck disable=SC2046 # build_cmd prints a command whose paths have no spaces (checked below)
  run_rows "$key" "$label" "prep_$mode" count_build "" "" $(build_cmd)
}
case "$WORK$TMPFS$DISK$BIN" in *[[:space:]]*) die "the work, tmpfs and disk folders and the binary's path must not contain spaces" ;; esac

# quiet_build SRC OUT [EXTRA...] — an untimed build (fills the cache before a rebuild row)
quiet_build() {
  B_SRC="$1" B_OUT="$2" B_EXTRA=("${@:3}")
  # shellcheck disable=SC2046
  $(build_cmd) >"$LOGS/quiet-build.out" 2>&1 || say "WARNING: the untimed build failed; see $LOGS/quiet-build.out"
}

F_DEST=""
prep_dest() { rm -rf "$F_DEST"; }
count_floor() { echo "$(grep -c '\.html$' "$WORK/site-files.txt") $(wc -l <"$WORK/site-files.txt")"; }
count_dest() { count_in "$F_DEST"; }

# measure_floor KEY LABEL DEST — the trivial C program writing the built site's files (paths, sizes) into DEST
measure_floor() {
  F_DEST="$3"
  run_rows "$1" "$2" prep_dest count_floor "" "" "$WORK/floor" "$WORK/site-files.txt" "$F_DEST"
}

# measure_disk_pairs SRC OUT DEST — the cold build into OUT and the floor into DEST, run for run in turns
# (floor first in odd runs, build first in even ones): this machine's disk slows down over successive runs
# of whatever writes to it (see bench/README.md), so two series measured one after the other compare two
# states of the disk. Each pair's walls go to INFO as `disk pairs` for report.py's per-run ratios.
measure_disk_pairs() {
  local i pairs="" floor_wall build_wall
  local floor_label="file-creation floor → disk" build_label="cold build → disk"
  B_SRC="$1" B_OUT="$2" B_EXTRA=() F_DEST="$3"
  mkdir -p "$(dirname "$B_OUT")"
  row_begin floor-disk
  row_begin cold-disk
  for ((i = 1; i <= RUNS; i++)); do
    if ((i % 2)); then
      row_run floor-disk "$floor_label" prep_dest "$i" "$WORK/floor" "$WORK/site-files.txt" "$F_DEST"
      floor_wall=$TIMED_WALL
    fi
    # shellcheck disable=SC2046 # build_cmd prints a command whose paths have no spaces
    row_run cold-disk "$build_label" prep_cold "$i" $(build_cmd)
    build_wall=$TIMED_WALL
    if ! ((i % 2)); then
      row_run floor-disk "$floor_label" prep_dest "$i" "$WORK/floor" "$WORK/site-files.txt" "$F_DEST"
      floor_wall=$TIMED_WALL
    fi
    pairs+="${pairs:+ }$floor_wall/$build_wall"
  done
  row_end cold-disk "$build_label" count_build "" ""
  row_end floor-disk "$floor_label" count_floor "" ""
  info "disk pairs" "$pairs"
}

# measure_hugo KEY LABEL DEST — `hugo --quiet` on the peer site made by hugo_site.py
measure_hugo() {
  F_DEST="$3"
  run_rows "$1" "$2" prep_dest count_dest "" "" hugo --quiet -s "$WORK/hugo" -d "$F_DEST"
}

# measure_validate KEY LABEL ARGS... — `hromadata validate ARGS` in the current folder; the first ARG is the file
measure_validate() {
  run_rows "$1" "$2" prep_warm "echo - -" "$(stat -c %s "$3")" "$STREAM_ROWS" "$BIN" validate "${@:3}"
}
