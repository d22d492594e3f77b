#!/usr/bin/env bash
# Measures nnc's generated code and its peers (oneDNN, PyTorch, Halide, OpenBLAS,
# XNNPACK; /work/shared/peers) in one run and prints one table with the ratios.
# See bench/README.md.
#
#   bench/run.sh [--json FILE] [--no-peers] [--quick] [--smoke] [--only TEXT] [--out DIR]
#
#   --json FILE  also write one JSON record per workload, system and thread count
#   --no-peers   nnc only (and the W0 FMA peak)
#   --quick      5 samples per measurement instead of 15, one W0 run
#   --smoke      for CI: batch 64 -> 2, nnc -O0, one call each, no peers, no W0
#   --only TEXT  only the workloads whose name contains TEXT
#   --out DIR    working directory (default bench/out)
# Environment: NNC (the compiler, default build/bin/nnc), NNC_RUNTIME (libnncrt.a,
# default build/runtime/libnncrt.a), CC (default cc), PEERS_DIR (default
# /work/shared/peers), BENCH_CPU (the CPU nnc and the 1-thread peers run on,
# default 1), BENCH_CPUS_2T (the CPUs of the 2-thread runs of batch-64 workloads,
# default 0,1), PEERS_QUICK and PEERS_PASSES (passed to the peers, default 1 and 1).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
NNC="${NNC:-$ROOT/build/bin/nnc}"
NNC_RUNTIME="${NNC_RUNTIME:-$ROOT/build/runtime/libnncrt.a}"
CC="${CC:-cc}"
PEERS="${PEERS_DIR:-/work/shared/peers}"
CPU="${BENCH_CPU:-1}"
PY=/usr/bin/python3
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"   # wait_for, variant

usage() { sed -n '6,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

JSON="" PEERS_ON=1 MODE=full ONLY="" OUT="$HERE/out"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --json) [[ $# -ge 2 ]] || usage; JSON="$2"; shift ;;
    --no-peers) PEERS_ON=0 ;;
    --quick) MODE=quick ;;
    --smoke) MODE=smoke; PEERS_ON=0 ;;
    --only) [[ $# -ge 2 ]] || usage; ONLY="$2"; shift ;;
    --out) [[ $# -ge 2 ]] || usage; OUT="$2"; shift ;;
    *) usage ;;
  esac
  shift
done

# Measurement policy per mode (bench_model.c's options); smoke shrinks batches and
# compiles at -O0, because compiling dominates a CI run.
case "$MODE" in
  full)  MEASURE=(--samples 15 --min-sample-s 0.03 --warmup-s 0.2 --warmup-calls 3 --max-s 1) ;;
  quick) MEASURE=(--samples 5 --min-sample-s 0.03 --warmup-s 0.1 --warmup-calls 2 --max-s 0.3) ;;
  smoke) MEASURE=(--samples 1 --min-sample-s 0 --warmup-s 0 --warmup-calls 0) ;;
esac
OPT_LEVEL=$([[ $MODE == smoke ]] && echo -O0 || echo -O2)

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
RES="$OUT/nnc.txt"    # RESULT lines of nnc and of the W0 runs around them
LOG="$OUT/log.txt"    # compiler and driver messages
PEERS_BUILD="$OUT/peers-build"
: >"$RES"
: >"$LOG"

# The peers' CMake project, built with one job; run.sh's own build is then a no-op.
build_peers() {
  cmake -S "$PEERS" -B "$PEERS_BUILD" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER="${CXX:-g++}" >>"$LOG" 2>&1
  cmake --build "$PEERS_BUILD" -j1 "$@" >>"$LOG" 2>&1
}

# W0, the FMA peak, one thread on the benchmark CPU.
run_peak() {
  [[ -x "$PEERS_BUILD/peak" ]] || return 0
  echo "W0 FMA peak" >&2
  "${PIN[@]}" "$PEERS_BUILD/peak" --threads 1 >>"$RES" 2>>"$LOG"
}

# flop MODEL.NN MODE: 2 x MACs of the conv and dense layers (nnc --summary), times 3
# for a training step -- the peers' count.
flop() {
  "$NNC" "$1" --summary | awk -v factor="$([[ $2 == train ]] && echo 3 || echo 1)" '
    /\((conv|dense)\)/ { f = $(NF - 1); gsub(",", "", f); sum += f }
    END { printf "%.0f\n", sum * factor }'
}

# measure_workload INDEX NAME MODEL BATCH MODE OPTIMIZER NOTE: compile, build the
# driver, run it pinned to one CPU; a failure is reported as an n/a row.
measure_workload() {
  local index=$1 name=$2 model=$3 batch=$4 mode=$5 optimizer=$6 note=$7 torch=$8 dir flop_count
  dir="$OUT/work/$index"
  mkdir -p "$dir"
  [[ $MODE == smoke && $batch == 64 ]] && batch=2 && note="smoke: batch 2; $note"
  echo "$name" >&2
  {
    variant "$ROOT/$model" "$batch" "$optimizer" >"$dir/model.nn" &&
      wait_for "$NNC" && flop_count=$(flop "$dir/model.nn" "$mode") &&
      "$NNC" "$dir/model.nn" "$OPT_LEVEL" --name=model $([[ $mode == train ]] || echo --no-train) \
        -o "$dir/model.o" &&
      wait_for "$NNC_RUNTIME" &&
      "$CC" -O2 -std=c99 -Wall -I"$dir" -I"$ROOT/runtime" "$HERE/bench_model.c" "$dir/model.o" \
        "$NNC_RUNTIME" -lm -lpthread -o "$dir/bench_model" &&
      "${PIN[@]}" "$dir/bench_model" --workload "$name" --flop "$flop_count" \
        $([[ $mode == train ]] && echo --train) --variant "nnc $OPT_LEVEL" --note "$note" \
        "${MEASURE[@]}" >>"$RES" &&
      # Batch 64 also on 2 threads (the _parallel entry points, libnncrt's pool).
      if [[ $batch == 64 && ${#PIN2[@]} -gt 0 ]]; then
        "${PIN2[@]}" "$dir/bench_model" --workload "$name" --flop "$flop_count" \
          $([[ $mode == train ]] && echo --train) --variant "nnc $OPT_LEVEL" --note "$note" \
          --threads 2 "${MEASURE[@]}" >>"$RES"
      fi &&
      # The PyTorch row the peers harness does not measure, on the same CPU.
      if [[ $torch == torch && $MODE != smoke && $PEERS_ON == 1 ]]; then
        "${PIN[@]}" "$PY" "$HERE/time_torch_step.py" "$dir/model.nn" --mode "$mode" \
          --workload "$name" --flop "$flop_count" --note "eager, time_torch_step.py" \
          $([[ $MODE == quick ]] && echo --quick) >>"$RES"
      fi
  } 2>>"$LOG" && return 0
  echo "FAILED: $name (see $LOG)" >&2
  echo "RESULT|$name|nnc|nnc $OPT_LEVEL|1|0|nan|nan|nan|FAILED, see log.txt" >>"$RES"
  FAILED=1
}

# One thread on one CPU; unpinned where that CPU does not exist (a 1-CPU CI machine).
PIN=(taskset -c "$CPU")
"${PIN[@]}" true 2>/dev/null || PIN=()
# Two threads on two CPUs (BENCH_CPUS_2T, default 0,1); none on a 1-CPU machine.
PIN2=(taskset -c "${BENCH_CPUS_2T:-0,1}")
"${PIN2[@]}" true 2>/dev/null || PIN2=()
FAILED=0
HAVE_PEAK=0
if [[ $MODE != smoke ]]; then
  if [[ ! -d "$PEERS" ]]; then
    echo "bench: no peers harness at $PEERS (set PEERS_DIR): no W0 peak, no peers" >&2
  elif build_peers $([[ $PEERS_ON == 1 ]] || echo --target peak); then
    HAVE_PEAK=1
  else
    echo "bench: building the peers failed (see $LOG): no W0 peak, no peers" >&2
  fi
fi
[[ $HAVE_PEAK == 1 ]] && run_peak

index=0
trim() { sed -E 's/^[[:space:]]+|[[:space:]]+$//g' <<<"$1"; }
while IFS='|' read -r name model batch mode optimizer note torch; do
  name=$(trim "$name")
  [[ -z $name || $name == \#* || $name != *"$ONLY"* ]] && continue
  index=$((index + 1))
  measure_workload "$(printf %02d $index)" "$name" "$(trim "$model")" "$(trim "$batch")" \
    "$(trim "$mode")" "$(trim "$optimizer")" "$(trim "$note")" "$(trim "$torch")" </dev/null
done <"$HERE/workloads.txt"
[[ $HAVE_PEAK == 1 && $MODE == full ]] && run_peak

PEER_ARGS=()
if [[ $PEERS_ON == 1 && $HAVE_PEAK == 1 ]]; then
  echo "peers (PEERS_QUICK=${PEERS_QUICK:-1} PEERS_PASSES=${PEERS_PASSES:-1}; minutes) ..." >&2
  if OUT_DIR="$OUT/peers" BUILD_DIR="$PEERS_BUILD" PEERS_QUICK="${PEERS_QUICK:-1}" \
      PEERS_PASSES="${PEERS_PASSES:-1}" PEERS_CPU_1T="$CPU" \
      bash "$PEERS/run.sh" >/dev/null; then
    PEER_ARGS=(--peers "$OUT/peers/results.txt")
  else
    echo "bench: the peers' run.sh failed; nnc only" >&2
    FAILED=1
  fi
fi

echo >&2
"$PY" "$HERE/report.py" "$RES" "${PEER_ARGS[@]}" ${JSON:+--json "$JSON"} | tee "$OUT/table.md"
exit "$FAILED"
