#!/usr/bin/env bash
# Installs what is missing, builds nnc, and runs every test:
#   1. an AddressSanitizer + UndefinedBehaviorSanitizer build and its lit suite,
#   2. the release build (warnings are errors) with the full ctest suite,
#      whose summary line ends the output.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/tools/setup.sh"

echo "== sanitizer build (ASan + UBSan) =="
# -O1: the usual optimization for sanitizer builds, and quicker to compile.
bash "$root/tools/build.sh" "$root/build-asan" -DNNC_WERROR=ON -DNNC_SANITIZE=ON -DNNC_FUZZ=ON \
  -DCMAKE_C_FLAGS_RELEASE=-O1 -DCMAKE_CXX_FLAGS_RELEASE=-O1
sanitizer_status=0
(cd "$root/build-asan" && ctest --output-on-failure) || sanitizer_status=$?

echo "== release build =="
bash "$root/tools/build.sh" "$root/build" -DNNC_WERROR=ON
cd "$root/build"
ctest --output-on-failure
if [ "$sanitizer_status" -ne 0 ]; then
  echo "the sanitizer build's tests failed (see above)" >&2
  exit "$sanitizer_status"
fi
