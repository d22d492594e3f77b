#!/usr/bin/env bash
# The main job on the shipped examples: installs what is missing, builds nnc
# (and the example application, which embeds LeNet-5 compiled by nnc), then
# prints the summary table of every model in examples/, compiles LeNet-5 to
# an object and header, and classifies the shipped image with it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/tools/setup.sh"
bash "$root/tools/build.sh" "$root/build"
for model in "$root"/examples/*.nn; do
  echo "== $(basename "$model") =="
  "$root/build/bin/nnc" "$model" --summary
  echo
done
out="$root/build/example-output"
mkdir -p "$out"
echo "== nnc examples/lenet5.nn -o $out/lenet5.o =="
"$root/build/bin/nnc" "$root/examples/lenet5.nn" -o "$out/lenet5.o"
ls -l "$out/lenet5.o" "$out/lenet5.h"
echo
echo "== build/bin/classify examples/classify/seven.pgm (LeNet-5 embedded in a C program) =="
"$root/build/bin/classify" "$root/examples/classify/seven.pgm"
