#!/usr/bin/env bash
# Cross-builds libnncrt and its C test for AArch64 and runs the test under
# qemu-user on a Cortex-A72 (a baseline ARMv8.0 core: qemu's default CPU has
# every extension, which would hide instructions a real core lacks). The
# golden hash in init_test.c makes this also the check that nnc_init_params
# gives the same bits as on x86-64.
#
#   test/runtime/aarch64.sh [WORK_DIR]
#
# Environment: CC (aarch64-linux-gnu-gcc), QEMU (qemu-aarch64), SYSROOT
# (/usr/aarch64-linux-gnu), NNC_PYTHON (/usr/bin/python3, the interpreter
# with torch; the emulated test runs it natively through system()).
# Prints the sizes of the -O2 objects. Exits 77 (ctest SKIP_RETURN_CODE)
# when the cross compiler or qemu is missing, else the test's status.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${1:-$(mktemp -d /tmp/nncrt-aarch64.XXXXXX)}"
cc="${CC:-aarch64-linux-gnu-gcc}"
qemu="${QEMU:-qemu-aarch64}"
sysroot="${SYSROOT:-/usr/aarch64-linux-gnu}"
python="${NNC_PYTHON:-/usr/bin/python3}"

for tool in "$cc" "$qemu"; do
  if ! command -v "$tool" >/dev/null; then
    echo "aarch64.sh: $tool not found; skipping" >&2
    exit 77
  fi
done
mkdir -p "$work/obj"

flags=(-std=c99 -O2 -Wall -Wextra -Werror -ffp-contract=off -I"$root/runtime")
objects=()
for src in status model init json safetensors_header safetensors_load safetensors_save; do
  "$cc" "${flags[@]}" -c "$root/runtime/$src.c" -o "$work/obj/$src.o"
  objects+=("$work/obj/$src.o")
done
echo "libnncrt objects, aarch64 -O2:"
size_tool="${cc%gcc}size"
command -v "$size_tool" >/dev/null || size_tool=size
(cd "$work/obj" && "$size_tool" "${objects[@]##*/}")

tests=()
for src in harness test_model init_test safetensors_test save_failures_test oracle_test main; do
  tests+=("$here/$src.c")
done
"$cc" "${flags[@]}" "${tests[@]}" "${objects[@]}" -lm -o "$work/nncrt-test"

exec "$qemu" -L "$sysroot" -cpu cortex-a72 "$work/nncrt-test" \
  --python "$python" --oracle "$here/Inputs/runtime_oracle.py" --tmp "$work/tmp"
