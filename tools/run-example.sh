#!/usr/bin/env bash
# The main job on the shipped examples: installs what is missing, builds nnc
# (and the example applications, which embed LeNet-5 compiled by nnc), then
# prints the summary table of every model in examples/, compiles LeNet-5 to
# an object and header, classifies the shipped image with it, trains LeNet-5
# on Fashion-MNIST for one epoch (examples/train_fashion) and classifies a
# Fashion-MNIST image with the trained weights.
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
echo
echo "== build/bin/train_fashion (LeNet-5 with its training step embedded): one epoch of Fashion-MNIST =="
"$root/build/bin/train_fashion" --epochs 1 --out "$out/fashion_lenet5.safetensors"
echo
echo "== build/bin/classify --fashion --weights $out/fashion_lenet5.safetensors examples/classify/ankle_boot.pgm =="
"$root/build/bin/classify" --fashion --weights "$out/fashion_lenet5.safetensors" \
  "$root/examples/classify/ankle_boot.pgm"
