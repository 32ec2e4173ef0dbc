#!/usr/bin/env bash
# A coverage-guided campaign with AFL++ over the fuzz targets, one after
# the other: `fuzz/afl.sh SECONDS [TARGET…]` (default: every target).
# Needs cargo-afl (`cargo install cargo-afl`, which builds AFL++); builds
# the harness with the `fuzz` profile (optimised, overflow checks on).
# Findings land in fuzz/afl/TARGET/default/{crashes,hangs}; replay one with
# `cargo run -p qcode-fuzz -- replay TARGET FILE`. See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: fuzz/afl.sh SECONDS [TARGET…]}
shift
cargo afl build --profile fuzz -p qcode-fuzz --features afl
harness=target/fuzz/qcode-fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <("$harness" list | cut -d' ' -f1)
fi
# No core dumps to wait for, no CPU governor to check, no screen to draw.
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1
# The campaigns' folder is not in the repository: a fresh clone has none.
mkdir -p fuzz/afl
for t in "${targets[@]}"; do
    out=fuzz/afl/$t
    # A campaign goes on where the last one stopped (`-i -` resumes).
    if [ -d "$out/default/queue" ]; then input=-; else input=fuzz/seeds/$t; fi
    cargo afl fuzz -i "$input" -o "$out" -x "fuzz/dict/$t.dict" -V "$seconds" -t 5000 -m 4096 \
        -- "$harness" afl "$t" >"fuzz/afl/$t.log" 2>&1 || true
    stats=$out/default/fuzzer_stats
    if [ -f "$stats" ]; then
        execs=$(awk -F: '/^execs_done/ {gsub(/ /, "", $2); print $2}' "$stats")
        crashes=$(awk -F: '/^saved_crashes/ {gsub(/ /, "", $2); print $2}' "$stats")
        hangs=$(awk -F: '/^saved_hangs/ {gsub(/ /, "", $2); print $2}' "$stats")
        echo "$t: $execs executions, $crashes crashes, $hangs hangs"
    else
        echo "$t: AFL++ did not start; see fuzz/afl/$t.log"
    fi
done
