#!/usr/bin/env bash
# The account-matrix benchmark of issue 7 (docs/performance.md): on one generated
# snapshot (benches/gen_snapshot.py), times
#   (a) `s3why batch --snapshot DIR --request T` (every principal x every bucket), and
#   (b) the same pairs fed to `s3why batch` as independent fact documents (NDJSON written
#       by benches/harness/src/bin/matrix_docs.rs from the same matrix),
# prints wall time, CPU and peak memory of each and the ratio, the same two deciding only
# (--no-bundled) and how many pairs the matrix evaluated, and checks that both give every
# pair the same decision and findings.
#
# Usage: benches/snapshot.sh [--seed N] [--principals N] [--buckets N]
# Needs: cargo, python3, GNU time (/usr/bin/time); about 1 GB of disk for 100k documents.
set -euo pipefail
cd "$(dirname "$0")/.."

SEED=7 PRINCIPALS=200 BUCKETS=500
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) SEED=$2; shift 2 ;;
    --principals) PRINCIPALS=$2; shift 2 ;;
    --buckets) BUCKETS=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
WORK=${BENCH_DIR:-target/bench}
mkdir -p "$WORK"
SNAP=$WORK/snapshot-$PRINCIPALS-$BUCKETS
REQUEST=$WORK/snapshot-request.json

echo "== building (release)" >&2
cargo build --release --quiet
CARGO_TARGET_DIR="$PWD/benches/harness/target" cargo build --release --quiet \
  --manifest-path benches/harness/Cargo.toml --bin matrix_docs
S3WHY=target/release/s3why

echo "== generating: benches/gen_snapshot.py --seed $SEED --principals $PRINCIPALS --buckets $BUCKETS" >&2
python3 benches/gen_snapshot.py --seed "$SEED" --principals "$PRINCIPALS" \
  --buckets "$BUCKETS" --request "$REQUEST" "$SNAP" >/dev/null

# timed NAME CMD...: runs CMD under GNU time (batch exits 1 when a pair is denied).
timed() {
  local name=$1 status=0
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" "$@" || status=$?
  [ "$status" -le 1 ] || { echo "failed ($status): $*" >&2; exit 1; }
  read -r wall user sys rss < <(tail -n 1 "$WORK/time.txt")
  # To standard error: standard output is the command's, redirected by the caller.
  printf '%-30s %8s s wall %8s s CPU %6s MiB peak\n' "$name" "$wall" \
    "$(python3 -c "print(round($user + $sys, 1))")" "$(( rss / 1024 ))" >&2
  eval "${name%% *}_WALL=$wall"
}

# Each contender runs once untimed first: the first process to fault in memory after a
# generator exits pays the kernel's compaction for transparent huge pages (about 0.8 s
# of CPU for the matrix's 124 MiB, measured), which is the machine's state.
echo "== timing (each run alone on the machine, after one untimed run)" >&2
"$S3WHY" batch --quiet --snapshot "$SNAP" --request "$REQUEST" >/dev/null || true
timed "snapshot (batch --snapshot)" \
  "$S3WHY" batch --quiet --snapshot "$SNAP" --request "$REQUEST" >"$WORK/matrix.ndjson"
benches/harness/target/release/matrix_docs "$SNAP" "$REQUEST" >"$WORK/matrix-docs.ndjson"
"$S3WHY" batch --quiet "$WORK/matrix-docs.ndjson" >/dev/null || true
timed "documents (batch FILE.ndjson)" \
  "$S3WHY" batch --quiet "$WORK/matrix-docs.ndjson" >"$WORK/matrix-docs.out"
python3 -c "print('documents / snapshot: %.1fx' % ($documents_WALL / $snapshot_WALL))"

# What bounds the ratio: the same two runs deciding only (no findings), and how many
# pairs the matrix evaluates (the others take the record of a principal with the same
# policies). If the ratio stays when the rules are gone, the rules' speed is not what
# sets it.
echo "== the same, deciding only (--no-bundled)" >&2
"$S3WHY" batch --quiet --no-bundled --snapshot "$SNAP" --request "$REQUEST" >/dev/null || true
timed "bare (snapshot, --no-bundled)" \
  "$S3WHY" batch --quiet --no-bundled --snapshot "$SNAP" --request "$REQUEST" >/dev/null
timed "bare_documents (--no-bundled)" \
  "$S3WHY" batch --quiet --no-bundled "$WORK/matrix-docs.ndjson" >/dev/null
python3 -c "print('deciding only, documents / snapshot: %.1fx' % ($bare_documents_WALL / $bare_WALL))"
"$S3WHY" batch --snapshot "$SNAP" --request "$REQUEST" 2>&1 >/dev/null | grep '^pairs evaluated' || true

echo "== checking that both ways agree, pair by pair" >&2
python3 - "$WORK/matrix.ndjson" "$WORK/matrix-docs.out" <<'PY'
import json, sys
def verdicts(path):
    out = []
    for line in open(path):
        r = json.loads(line)
        # The source names the pair or the document line, and a document's findings
        # carry the line they point at: the rest must be equal.
        for f in r.get("findings", []):
            f.pop("location", None)
        out.append({k: v for k, v in r.items() if k not in ("source", "pair")})
    return out
a, b = verdicts(sys.argv[1]), verdicts(sys.argv[2])
assert len(a) == len(b), (len(a), len(b))
diff = sum(x != y for x, y in zip(a, b))
print(f"{len(a)} pairs, {diff} differ")
sys.exit(1 if diff else 0)
PY
