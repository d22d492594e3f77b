#!/usr/bin/env bash
# Installs every Debian package nnc needs to build, test and run its examples.
# Idempotent: installs only what is missing; safe to run twice. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  # Build: compiler infrastructure and libraries.
  cmake ninja-build ccache g++ pkg-config
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools clang-19 lld-19 libzstd-dev
  libclang-rt-19-dev libfmt-dev libgtest-dev
  # Tests: the PyTorch oracle (system interpreter) and numpy for its glue.
  python3 python3-torch python3-numpy
  # Cross-compilation to AArch64 and running it under emulation.
  g++-aarch64-linux-gnu qemu-user
  # examples/train_fashion: the Fashion-MNIST data set, read with zlib.
  dataset-fashion-mnist zlib1g-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}"
