#!/usr/bin/env bash
# The main job on the shipped examples: installs what is missing, builds nnc,
# then compiles every model in examples/, printing its summary table, and
# prints LeNet-5's nn IR.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/tools/setup.sh"
bash "$root/tools/build.sh" "$root/build"
for model in "$root"/examples/*.nn; do
  echo "== $(basename "$model") =="
  "$root/build/bin/nnc" "$model" --summary
  echo
done
echo "== examples/lenet5.nn as nn IR =="
"$root/build/bin/nnc" "$root/examples/lenet5.nn" --emit=nn
