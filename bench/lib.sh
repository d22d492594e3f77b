# shellcheck shell=bash
# Shell functions shared by bench/run.sh and bench/memory.sh (sourced, not run).

# wait_for FILE: a rebuild of nnc may briefly remove its files; wait up to a
# minute for FILE to exist.
wait_for() {
  local _
  for _ in $(seq 60); do [[ -e "$1" ]] && return 0; sleep 1; done
  echo "bench: $1 does not exist (build nnc first)" >&2
  return 1
}

# variant SRC BATCH OPTIMIZER: the model text with every input's and target's first
# dimension set to BATCH and the train section's optimizer replaced ("-": unchanged);
# fails if SRC has no such input or optimizer line.
variant() {
  local src=$1 batch=$2 optimizer=$3 text
  text=$(cat "$src")
  if [[ $batch != - ]]; then
    text=$(sed -E "s/^([[:space:]]*(input|target)[[:space:]]+[A-Za-z0-9_]+[[:space:]]*:[[:space:]]*(f32|i32)\[)[0-9]+/\1$batch/" <<<"$text")
    grep -Eq "^[[:space:]]*input[^[]*\[${batch}[],]" <<<"$text" ||
      { echo "bench: $src: no input declaration to set the batch of" >&2; return 1; }
  fi
  if [[ $optimizer != - ]]; then
    text=$(sed -E "s/^([[:space:]]*optimizer[[:space:]]*=).*/\1 $optimizer/" <<<"$text")
    grep -Fq "optimizer = $optimizer" <<<"$text" ||
      { echo "bench: $src: no optimizer line to replace" >&2; return 1; }
  fi
  printf '%s\n' "$text"
}
