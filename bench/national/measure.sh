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

# run_rows KEY LABEL PREP PAGES_FILES_FN BYTES ROWS COMMAND... — RUNS runs of COMMAND after `PREP i`; one row.
run_rows() {
  local key="$1" label="$2" prep="$3" count="$4" bytes="$5" rows="$6"; shift 6
  local i walls=() renders=() rss_max=0 bad=0 render stage=""
  for ((i = 1; i <= RUNS; i++)); do
    $prep "$i"
    sync
    timed "$key" "$@"
    walls+=("$TIMED_WALL")
    [ -n "$TIMED_RSS" ] && [ "$TIMED_RSS" -gt "$rss_max" ] && rss_max=$TIMED_RSS
    [ "$TIMED_EXIT" = 0 ] || bad=$TIMED_EXIT
    # A rebuild row that found nothing to rebuild measured nothing: its edit did not change the source.
    case "$key" in csv* | template*) grep -q '^up to date' "$LOGS/$key.err" && bad="up-to-date" ;; esac
    # `timings: load 0.42 s · validate 1.66 s · render 7.82 s · …` (or `render + write 5.72 s` where pages are
    # written as they are rendered) → that stage's seconds and name
    render=$(sed -n 's/^timings:.* · \(render[a-z +]*\) \([0-9.]*\) s.*/\2/p' "$LOGS/$key.err" | tail -n 1)
    stage=$(sed -n 's/^timings:.* · \(render[a-z +]*\) \([0-9.]*\) s.*/\1/p' "$LOGS/$key.err" | tail -n 1)
    [ -n "$render" ] && renders+=("$render")
    printf '    %-48s run %d/%d: %8.3f s  %7.1f MiB  exit %d%s\n' "$label" "$i" "$RUNS" "$TIMED_WALL" \
      "$(awk -v k="${TIMED_RSS:-0}" 'BEGIN{print k/1024}')" "$TIMED_EXIT" "${render:+  (render $render s)}" >&2
  done
  local pages files
  read -r pages files < <($count)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$label" "$RUNS" \
    "$(printf '%s\n' "${walls[@]}" | median)" "$rss_max" "$bad" "$pages" "$files" "$bytes" "$rows" \
    "$( ((${#renders[@]})) && printf '%s\n' "${renders[@]}" | median)" "$stage" >>"$RESULTS"
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

# measure_hugo KEY LABEL DEST — `hugo --quiet` on the peer site made by hugo_site.py
measure_hugo() {
  F_DEST="$3"
  run_rows "$1" "$2" prep_dest count_dest "" "" hugo --quiet -s "$WORK/hugo" -d "$F_DEST"
}

# measure_validate KEY LABEL ARGS... — `hromadata validate ARGS` in the current folder; the first ARG is the file
measure_validate() {
  run_rows "$1" "$2" prep_warm "echo - -" "$(stat -c %s "$3")" "$STREAM_ROWS" "$BIN" validate "${@:3}"
}
