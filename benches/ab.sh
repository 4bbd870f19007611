#!/usr/bin/env bash
# Two s3why binaries on one input, alternately, to measure a change too small for the
# drift of this machine (10-20% within the hour, docs/performance.md): runs A and B in
# turn ROUNDS times and prints each one's median CPU (user+sys) and wall time, and B/A.
# Alternating puts both under the same drift; medians drop the odd slow run.
#
# Usage: benches/ab.sh A B FILE [ROUNDS] [-- ARGS...]
#   A, B:  s3why binaries (e.g. a copy of target/release/s3why before the change, and after)
#   FILE:  NDJSON input (e.g. from `s3why corpus --profile realistic --count 2000`), or
#          `none` when ARGS name the input: the account matrix of benches/snapshot.sh is
#          `none 3 -- --snapshot target/bench/snapshot-200-500 --request target/bench/snapshot-request.json`
#   ARGS:  extra arguments for `s3why batch` (default: --jobs 1, the steadiest measure)
# Needs: GNU time (/usr/bin/time), python3.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,14p' "$0" >&2; exit 2; }
A=$1 B=$2 FILE=$3 ROUNDS=${4:-7}
shift $(($# >= 4 ? 4 : 3))
[ "${1:-}" != "--" ] || shift
ARGS=("$@")
[ ${#ARGS[@]} -gt 0 ] || ARGS=(--jobs 1)
[ "$FILE" = none ] || ARGS+=("$FILE")
TIMES=$(mktemp)
trap 'rm -f "$TIMES" "$TIMES.one"' EXIT

run() { # run LABEL BINARY: appends "LABEL cpu wall"
  local status=0
  /usr/bin/time -f "%U %S %e" -o "$TIMES.one" "$2" batch --quiet "${ARGS[@]}" >/dev/null || status=$?
  # batch exits 1 when a record is denied: that is a verdict, not a failure.
  [ "$status" -le 1 ] || { echo "failed ($status): $2" >&2; exit 1; }
  read -r user sys wall < <(tail -n 1 "$TIMES.one")
  echo "$1 $(python3 -c "print(float('$user') + float('$sys'))") $wall" >>"$TIMES"
}

run warmup "$A" # the first run after a build or a generator pays for the page cache
for _ in $(seq "$ROUNDS"); do
  run A "$A"
  run B "$B"
done

python3 - "$TIMES" "$ROUNDS" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {}
for label in "AB":
    cpu = [float(r[1]) for r in rows if r[0] == label]
    wall = [float(r[2]) for r in rows if r[0] == label]
    med[label] = (statistics.median(cpu), statistics.median(wall))
    print(f"{label}: median CPU {med[label][0]:.3f} s, wall {med[label][1]:.3f} s "
          f"(CPU {min(cpu):.3f}..{max(cpu):.3f} over {len(cpu)} runs)")
print(f"B/A: CPU {med['B'][0] / med['A'][0]:.3f}, wall {med['B'][1] / med['A'][1]:.3f}")
EOF
