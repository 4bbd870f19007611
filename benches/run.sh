#!/usr/bin/env bash
# The batch benchmark of issue 5 (docs/performance.md): on one seeded corpus, measures
#   (a) `s3why batch` records/s (all cores),
#   (b) the floor: one thread reading the NDJSON and parsing each line into serde_json::Value,
#   (c) the same decisions in Rego (benches/rego/s3why.rego) on regorus,
# prints records/s and the ratios, checks that the Rego agrees with s3why, then peak
# memory of `s3why batch` at 10k and 200k records, and time against statements per
# policy (1x, 4x, 16x).
#
# Usage: benches/run.sh [--seed N] [--count N] [--rego-count N] [--big N] [--rates-only]
#                       [--skip-memory]
# Needs: cargo, python3 (stand-in corpus generator), GNU time (/usr/bin/time).
# S3WHY_BIN=PATH measures another s3why binary (e.g. an experiment) instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."

SEED=7 COUNT=10000 REGO_COUNT=1000 BIG=200000 RATES_ONLY= SKIP_MEMORY=
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) SEED=$2; shift 2 ;;
    --count) COUNT=$2; shift 2 ;;
    --rego-count) REGO_COUNT=$2; shift 2 ;;
    --big) BIG=$2; shift 2 ;;
    --rates-only) RATES_ONLY=1; shift ;;
    --skip-memory) SKIP_MEMORY=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
JOBS=$(nproc)
WORK=${BENCH_DIR:-target/bench}
mkdir -p "$WORK"

echo "== building (release)" >&2
[ -n "${S3WHY_BIN:-}" ] || cargo build --release --quiet
CARGO_TARGET_DIR="$PWD/benches/harness/target" cargo build --release --quiet \
  --manifest-path benches/harness/Cargo.toml
S3WHY=${S3WHY_BIN:-target/release/s3why}
HARNESS=benches/harness/target/release

# corpus FILE COUNT SCALE: the project's generator when it exists (scale 1), else the
# stand-in of benches/gen_corpus.py (which also makes the 4x and 16x corpora).
corpus() {
  if [ "$3" = 1 ] && "$S3WHY" corpus --help >/dev/null 2>&1; then
    "$S3WHY" corpus --profile realistic --seed "$SEED" --count "$2" >"$1"
    echo "s3why corpus --profile realistic --seed $SEED --count $2"
  else
    python3 benches/gen_corpus.py --seed "$SEED" --count "$2" --scale "$3" >"$1"
    echo "benches/gen_corpus.py --seed $SEED --count $2 --scale $3 (stand-in)"
  fi
}

# timed CMD...: runs CMD under GNU time; sets SECS (wall), RSS_KB (peak) and CPU (user+sys).
timed() {
  local status=0
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/time.txt" "$@" || status=$?
  # batch exits 1 when a record is denied: that is a verdict, not a failure.
  [ "$status" -le 1 ] || { echo "failed ($status): $*" >&2; exit 1; }
  local user sys
  read -r SECS RSS_KB user sys < <(tail -n 1 "$WORK/time.txt")
  CPU=$(python3 -c "import sys; print(float(sys.argv[1]) + float(sys.argv[2]))" "$user" "$sys")
}

rate() { python3 -c "import sys; print(f'{int(sys.argv[1]) / max(float(sys.argv[2]), 1e-9):.0f}')" "$1" "$2"; }
per() { python3 -c "import sys; print(f'{float(sys.argv[1]) * 1e6 / int(sys.argv[2]):.0f}')" "$1" "$2"; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / max(float(sys.argv[2]), 1e-9):.2f}')" "$1" "$2"; }

echo "== corpus" >&2
FROM=$(corpus "$WORK/corpus.ndjson" "$COUNT" 1)
head -n "$REGO_COUNT" "$WORK/corpus.ndjson" >"$WORK/rego.ndjson"
BYTES=$(wc -c <"$WORK/corpus.ndjson")
echo "corpus: $FROM; $COUNT records, $((BYTES / COUNT)) bytes a record"
echo "machine: $JOBS cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== measuring" >&2
cat "$WORK/corpus.ndjson" >/dev/null # warm the page cache for every contender
timed "$S3WHY" batch --quiet --format ndjson --jobs "$JOBS" "$WORK/corpus.ndjson" >"$WORK/s3why.out"
S3WHY_RATE=$(rate "$COUNT" "$SECS"); S3WHY_CPU=$(per "$CPU" "$COUNT")
# The decisions alone, without the ruleset's findings (what the Rego computes).
timed "$S3WHY" batch --quiet --format ndjson --jobs "$JOBS" --no-bundled "$WORK/corpus.ndjson" >/dev/null
BARE_RATE=$(rate "$COUNT" "$SECS"); BARE_CPU=$(per "$CPU" "$COUNT")
timed "$HARNESS/floor" "$WORK/corpus.ndjson" >"$WORK/floor.txt" 2>/dev/null
FLOOR_RATE=$(rate "$COUNT" "$SECS"); FLOOR_CPU=$(per "$CPU" "$COUNT")
timed "$HARNESS/rego" benches/rego/s3why.rego "$WORK/rego.ndjson" --jobs "$JOBS" \
  --decisions "$WORK/rego.decisions" >"$WORK/rego.txt" 2>/dev/null
REGO_RATE=$(rate "$REGO_COUNT" "$SECS"); REGO_CPU=$(per "$CPU" "$REGO_COUNT")
timed "$HARNESS/rego" benches/rego/s3why.rego "$WORK/rego.ndjson" --jobs 1 >"$WORK/rego1.txt" 2>/dev/null
REGO1_RATE=$(rate "$REGO_COUNT" "$SECS"); REGO1_CPU=$(per "$CPU" "$REGO_COUNT")

echo
printf '%-46s %10s %16s\n' "contender (wall clock, process start included)" "records/s" "CPU us/record"
printf '%-46s %10s %16s\n' "s3why batch (--jobs $JOBS)" "$S3WHY_RATE" "$S3WHY_CPU"
printf '%-46s %10s %16s\n' "s3why batch --no-bundled (decisions only)" "$BARE_RATE" "$BARE_CPU"
printf '%-46s %10s %16s\n' "floor: read + serde_json::Value, 1 thread" "$FLOOR_RATE" "$FLOOR_CPU"
printf '%-46s %10s %16s\n' "Rego on regorus ($JOBS threads, $REGO_COUNT records)" "$REGO_RATE" "$REGO_CPU"
printf '%-46s %10s %16s\n' "Rego on regorus (1 thread)" "$REGO1_RATE" "$REGO1_CPU"
echo "s3why / regorus: $(ratio "$S3WHY_RATE" "$REGO_RATE")x (target >= 30x); vs 1-thread regorus: $(ratio "$S3WHY_RATE" "$REGO1_RATE")x"
echo "s3why / floor:   $(ratio "$S3WHY_RATE" "$FLOOR_RATE") (target >= 0.5)"
echo "decisions only: s3why / regorus $(ratio "$BARE_RATE" "$REGO_RATE")x, s3why / floor $(ratio "$BARE_RATE" "$FLOOR_RATE")"
echo "CPU per record, regorus / s3why: $(ratio "$REGO1_CPU" "$S3WHY_CPU")x ($(ratio "$REGO1_CPU" "$BARE_CPU")x decisions only); s3why / floor: $(ratio "$S3WHY_CPU" "$FLOOR_CPU")x"

# Agreement: the baseline must decide what s3why decides, or it is not the same work.
python3 - "$WORK/s3why.out" "$WORK/rego.decisions" <<'PY'
import json, sys
ours = [json.loads(l).get("decision", "error") for l in open(sys.argv[1])]
theirs = [l.strip() for l in open(sys.argv[2])]
same = sum(a == b for a, b in zip(ours, theirs))
print(f"Rego agrees with s3why on {same} of {len(theirs)} records")
# A disagreement is a defect of one side (the baseline once found s3why allowing SSE-KMS
# over plain HTTP): name the records, to check against AWS's documentation.
differ = [str(i + 1) for i, (a, b) in enumerate(zip(ours, theirs)) if a != b]
if differ:
    print(f"  they differ on lines {', '.join(differ[:20])}{' ...' if len(differ) > 20 else ''} of rego.ndjson (s3why / Rego: {', '.join(ours[int(n) - 1] + '/' + theirs[int(n) - 1] for n in differ[:5])})")
PY

[ -z "$RATES_ONLY" ] || exit 0

echo
echo "== memory (peak RSS of s3why batch, NDJSON on stdin)" >&2
[ -n "$SKIP_MEMORY" ] && MEM_SIZES="" || MEM_SIZES="$COUNT $BIG"
for n in $MEM_SIZES; do
  reps=$(( (n + COUNT - 1) / COUNT ))
  timed "$S3WHY" batch --quiet --jobs "$JOBS" - \
    < <(for _ in $(seq "$reps"); do cat "$WORK/corpus.ndjson"; done | head -n "$n") >/dev/null
  echo "records $n: peak RSS $((RSS_KB / 1024)) MiB, $(rate "$n" "$SECS") records/s"
  eval "RSS_$n=$RSS_KB"
done
[ -z "$MEM_SIZES" ] || echo "200k / 10k peak memory: $(eval ratio "\$RSS_$BIG" "\$RSS_$COUNT") (target <= 1.5)"

echo
echo "== statements per policy" >&2
printf '%-6s %10s %14s %16s %16s\n' scale records statements/rec "records/s" "us/statement"
for scale in 1 4 16; do
  n=$(( 4000 / scale ))
  python3 benches/gen_corpus.py --seed "$SEED" --count "$n" --scale "$scale" >"$WORK/scale.ndjson"
  stmts=$(python3 -c "
import json, sys
n = t = 0
for l in open(sys.argv[1]):
    d = json.loads(l); n += 1
    t += sum(len(p['document']['Statement']) for p in d['identity']['policies'])
    t += len(d['bucket']['policy']['Statement'])
print(t // n)" "$WORK/scale.ndjson")
  # One untimed run first: the first process to fault in memory after the generator
  # exits pays the kernel's compaction for transparent huge pages (measured: about
  # 0.4 s of system time at 16x, 0.05 s on every later run), which is the machine's
  # state, not the statements.
  "$S3WHY" batch --quiet --jobs "$JOBS" "$WORK/scale.ndjson" >/dev/null || true
  timed "$S3WHY" batch --quiet --jobs "$JOBS" "$WORK/scale.ndjson" >/dev/null
  r=$(rate "$n" "$SECS")
  us=$(python3 -c "import sys; print(f'{float(sys.argv[1]) * 1e6 / int(sys.argv[2]) / int(sys.argv[3]):.3f}')" "$CPU" "$n" "$stmts")
  printf '%-6s %10s %14s %16s %16s\n' "${scale}x" "$n" "$stmts" "$r" "$us"
done
echo "(us/statement = CPU time (user+sys) per record / statements per record: flat means linear)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
