#!/usr/bin/env bash
# Memory of a step, nnc against PyTorch: nnc's scratch arena (nnc --report) and
# PyTorch's measured peak working memory (bench/memory_torch.py) for ResNet-20 and
# the small U-Net at batch 1 and 64, inference and one training step; one table.
# See bench/README.md.
#
#   bench/memory.sh [--json FILE] [--smoke] [--rss-check] [--out DIR]
#
#   --json FILE   also write one JSON record per row
#   --smoke       for CI: batch 1 only (test/bench/memory-smoke.test)
#   --rss-check   also measure PyTorch by its resident set (one more column)
#   --out DIR     working directory (default bench/out/memory)
# Environment: NNC (the compiler, default build/bin/nnc), BENCH_CPU (the CPU
# everything runs on, default 1).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
NNC="${NNC:-$ROOT/build/bin/nnc}"
CPU="${BENCH_CPU:-1}"
PY=/usr/bin/python3
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"   # wait_for, variant

MODELS=(examples/resnet20.nn examples/unet_small.nn)
BATCHES=(1 64)

usage() { sed -n '7,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

JSON="" OUT="$HERE/out/memory" TORCH_ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --json) [[ $# -ge 2 ]] || usage; JSON="$2"; shift ;;
    --smoke) BATCHES=(1) ;;
    --rss-check) TORCH_ARGS+=(--rss-check) ;;
    --out) [[ $# -ge 2 ]] || usage; OUT="$2"; shift ;;
    *) usage ;;
  esac
  shift
done
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

# One thread on one CPU; unpinned where that CPU does not exist (a 1-CPU CI machine).
PIN=(taskset -c "$CPU")
"${PIN[@]}" true 2>/dev/null || PIN=()

# nnc_rows FILE.nn: nnc's two memory plans of FILE as the rows of nnc.tsv
# (file batch mode arena naive params opt_state); fails if --report lacks a field.
nnc_rows() {
  local file=$1 batch=$2
  wait_for "$NNC"
  "${PIN[@]}" "$NNC" "$file" --report | awk -v file="$file" -v batch="$batch" '
    /^Memory plan \(inference\)/ { plan = "infer" }
    /^Memory plan \(training step\)/ { plan = "train" }
    plan && $1 == "parameters:" { params = $2 }
    plan && $1 == "optimizer" { opt[plan] = $3 }
    plan && $1 == "scratch" { arena[plan] = $3 }
    plan && $1 == "intermediate" { naive[plan] = $3 }
    END {
      if (params == "" || !("infer" in arena) || !("train" in arena) || !("train" in opt)) {
        print "bench: " file ": no inference and training memory plan in nnc --report" > "/dev/stderr"
        exit 1
      }
      printf "%s\t%s\tinfer\t%s\t%s\t%s\t0\n", file, batch, arena["infer"], naive["infer"], params
      printf "%s\t%s\ttrain\t%s\t%s\t%s\t%s\n", file, batch, arena["train"], naive["train"], params,
        opt["train"]
    }'
}

: >"$OUT/nnc.tsv"
for model in "${MODELS[@]}"; do
  for batch in "${BATCHES[@]}"; do
    file="$OUT/$(basename "$model" .nn)-b$batch.nn"
    echo "nnc --report $(basename "$file")" >&2
    variant "$ROOT/$model" "$batch" - >"$file"
    nnc_rows "$file" "$batch" >>"$OUT/nnc.tsv"
  done
done

"${PIN[@]}" "$PY" "$HERE/memory_torch.py" --nnc "$OUT/nnc.tsv" ${JSON:+--json "$JSON"} \
  "${TORCH_ARGS[@]}" | tee "$OUT/table.md"
