#!/usr/bin/env bash
# Throughput, memory and correctness of `qcode freq` against ripgrep and a
# straightforward Python implementation, on a generated corpus.
#
#   bench/compare.sh [SIZE] [options]      SIZE: 100M, 1G (default), ...
#
# Options:
#   --seed N          corpus seed (default 42)
#   --reps N          repetitions of each timed run; medians are reported (3)
#   --check-size S    size of the subset on which the Python baseline runs and
#                     on which counts are compared (default 50M)
#   --no-scaling      skip the scaling runs (corpus size, codebook size)
#   --clean           delete the generated corpus at the end
#
# Environment: QCODE=path (skip `cargo build --release`; QCODE_LABEL=text
# names that build in the report), RG=path (ripgrep to use; default `rg`,
# installed with apt-get when missing).
#
# Steps: build qcode; generate the corpus with bench/gen_corpus.py into
# bench/corpus/ (git-ignored; reused when already there); time qcode,
# ripgrep and bench/baseline.py, interleaving the repetitions, with
# /usr/bin/time for wall time and peak RSS; check that the baseline's counts
# equal qcode's (exit status 1 if not) and that 1 and 2 threads give the same
# table; print Markdown tables. Timings use a warm page cache.
#
# ripgrep counts raw matches of the keyword set, line by line (terms.txt: every
# keyword term of the codebook, `*` -> `\w*`, spaces -> `\s+`); qcode also
# reads, normalises and segments the documents, folds accents, runs the 20
# regular expressions and evaluates all/near/not/speaker rules: the comparison
# is one of throughput, not of results.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

SIZE=1G
SEED=42
REPS=3
CHECK_SIZE=50M
SCALING=1
CLEAN=0
while [ $# -gt 0 ]; do
    case "$1" in
        --seed) SEED=$2; shift 2 ;;
        --reps) REPS=$2; shift 2 ;;
        --check-size) CHECK_SIZE=$2; shift 2 ;;
        --no-scaling) SCALING=0; shift ;;
        --clean) CLEAN=1; shift ;;
        -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) SIZE=$1; shift ;;
    esac
done

say() { printf '\n== %s\n' "$*" >&2; }
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
APT_UPDATED=0
apt_install() {
    if [ "$APT_UPDATED" = 0 ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
    $SUDO apt-get install -y -qq "$@" >/dev/null
}

# ---------------------------------------------------------------- tools
[ -x /usr/bin/time ] || { say "installing GNU time"; apt_install time; }
RG=${RG:-rg}
command -v "$RG" >/dev/null 2>&1 || { say "installing ripgrep"; apt_install ripgrep; RG=rg; }
command -v python3 >/dev/null 2>&1 || { say "installing python3"; apt_install python3 python3-pip; }
python3 -c 'import yaml' 2>/dev/null || {
    say "installing pyyaml"
    python3 -m pip install -q pyyaml 2>/dev/null || python3 -m pip install -q --break-system-packages pyyaml
}
if [ -z "${QCODE:-}" ]; then
    say "cargo build --release"
    cargo build --release -q
    QCODE=$ROOT/target/release/qcode
fi

# ---------------------------------------------------------------- corpus
CORPUS=$ROOT/bench/corpus/$SIZE-seed$SEED
if [ ! -f "$CORPUS/.complete" ]; then
    say "generating a $SIZE corpus (seed $SEED) in $CORPUS"
    rm -rf "$CORPUS"
    python3 bench/gen_corpus.py "$CORPUS" --size "$SIZE" --seed "$SEED"
    touch "$CORPUS/.complete"
fi
TR=$CORPUS/transcripts
WORK=$CORPUS/run
rm -rf "$WORK"
mkdir -p "$WORK"

# Subsets: the first transcripts in generation order (languages interleaved),
# hard-linked, up to a size.
subset() {
    local name=$1 bytes=$2
    python3 - "$TR" "$CORPUS/subsets/$name" "$bytes" <<'EOF'
import os, sys, re
src, dst, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = []
for root, _, names in os.walk(src):
    for n in names:
        files.append((int(re.search(r"(\d+)", n).group(1)), os.path.join(root, n)))
files.sort()
if os.path.isdir(dst):
    import shutil; shutil.rmtree(dst)
total = 0
for _, p in files:
    if total >= limit:
        break
    rel = os.path.relpath(p, src)
    os.makedirs(os.path.join(dst, os.path.dirname(rel)), exist_ok=True)
    os.link(p, os.path.join(dst, rel))
    total += os.path.getsize(p)
EOF
    echo "$CORPUS/subsets/$name"
}
bytes_of() { python3 -c '
import sys, re
m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]?)", sys.argv[1].upper().rstrip("B").rstrip("I"))
print(int(float(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2)]))' "$1"; }
TOTAL=$(du -sb --apparent-size "$TR" | cut -f1)
CHECK=$(subset check "$(bytes_of "$CHECK_SIZE")")
TENTH=$(subset tenth $((TOTAL / 10)))
HUNDREDTH=$(subset hundredth $((TOTAL / 100)))
# The tenth with the digits of 70% of its paragraphs removed (seeded): the
# generator puts a number in most sentences, real transcripts far fewer
# (samples/ has about a third as much text near a digit).
SPARSE=$CORPUS/subsets/tenth-sparse-digits
python3 - "$TENTH" "$SPARSE" <<'EOF'
import os, random, re, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
if os.path.isdir(dst):
    shutil.rmtree(dst)
rng = random.Random(7)
for root, _, names in sorted(os.walk(src)):
    for n in sorted(names):
        p = os.path.join(root, n)
        q = os.path.join(dst, os.path.relpath(p, src))
        os.makedirs(os.path.dirname(q), exist_ok=True)
        parts = re.split(rb"(\n\n)", open(p, "rb").read())
        kept = [x if x == b"\n\n" or rng.random() < 0.3 else re.sub(rb"[0-9]", b"", x) for x in parts]
        open(q, "wb").write(b"".join(kept))
EOF

CB=$ROOT/bench/codebook.yaml
python3 bench/baseline.py "$CB" --rg-terms "$WORK/terms.txt"
# Plain literals (wildcards dropped) for the fixed-string ripgrep run.
sed 's/\\w\*//g; s/\\s+/ /g; s/\\//g' "$WORK/terms.txt" | sort -u > "$WORK/terms_fixed.txt"

# ---------------------------------------------------------------- timing
RESULTS=$WORK/results.txt
: > "$RESULTS"
# measure LABEL DIR CMD...: appends "LABEL DIR wall_s peak_rss_kb" to RESULTS.
# Standard output goes to $OUT (default $WORK/out).
measure() {
    local label=$1 dir=$2 status=0; shift 2
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" > "${OUT:-$WORK/out}" 2> "$WORK/err" || status=$?
    # ripgrep exits with 1 when nothing matched.
    if [ "$status" != 0 ] && ! { [ "$status" = 1 ] && [ "$1" = "$RG" ]; }; then
        echo "FAILED ($status): $*" >&2; tail -5 "$WORK/err" >&2; exit 1
    fi
    echo "$label $dir $(tail -1 "$WORK/time")" >> "$RESULTS"
}
warm() { find "$1" -type f -print0 | xargs -0 cat > /dev/null; }

# `sed -n 1p` reads all of it: with `head -1`, ripgrep could write into a
# closed pipe and fail the script (pipefail).
RG_VERSION=$("$RG" --version | sed -n 1p)
QCODE_VERSION="$("$QCODE" --version)"
if [ "$QCODE" = "$ROOT/target/release/qcode" ] && git rev-parse --short HEAD >/dev/null 2>&1; then
    QCODE_VERSION="$QCODE_VERSION (commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock || echo ', with local changes'))"
fi
[ -z "${QCODE_LABEL:-}" ] || QCODE_VERSION="$QCODE_VERSION ($QCODE_LABEL)"
START=$(date +%s)
RG_ASCII=1
"$RG" -i -w --no-unicode -c -f "$WORK/terms.txt" "$HUNDREDTH" > /dev/null 2>&1 || RG_ASCII=0

say "warming the page cache"
warm "$TR"

Q=("$QCODE" freq -c "$CB" --format csv)
say "timing on the whole corpus ($REPS repetitions, interleaved)"
for r in $(seq "$REPS"); do
    echo "  repetition $r" >&2
    measure qcode "$TR" "${Q[@]}" "$TR"
    cp "$WORK/out" "$WORK/j2.csv"
    measure qcode-j1 "$TR" "$QCODE" freq -j 1 -c "$CB" --format csv "$TR"
    cp "$WORK/out" "$WORK/j1.csv"
    measure rg-fixed "$TR" "$RG" --count-matches -i -w -F -f "$WORK/terms_fixed.txt" "$TR"
    [ "$RG_ASCII" = 0 ] || measure rg-ascii "$TR" "$RG" --count-matches -i -w --no-unicode -f "$WORK/terms.txt" "$TR"
    measure qcode "$TENTH" "${Q[@]}" "$TENTH"
done

say "timing on the tenth with fewer digits (1 thread)"
for r in $(seq "$REPS"); do
    measure qcode-j1 "$TENTH" "$QCODE" freq -j 1 -c "$CB" --format csv "$TENTH"
    measure qcode-j1 "$SPARSE" "$QCODE" freq -j 1 -c "$CB" --format csv "$SPARSE"
done

say "timing on the $CHECK_SIZE check subset"
for r in $(seq "$REPS"); do
    measure qcode "$CHECK" "${Q[@]}" "$CHECK"
    measure qcode-j1 "$CHECK" "$QCODE" freq -j 1 -c "$CB" --format csv "$CHECK"
done
echo "  ripgrep as specified (-i -w -f terms.txt; slow: once)" >&2
measure rg "$CHECK" "$RG" --count-matches -i -w -f "$WORK/terms.txt" "$CHECK"
echo "  Python baseline (once)" >&2
"$QCODE" freq -c "$CB" --format json "$CHECK" > "$WORK/qcode_check.json"
measure python "$CHECK" python3 bench/baseline.py "$CB" "$CHECK" --compare "$WORK/qcode_check.json"
cp "$WORK/err" "$WORK/baseline_check.txt"

say "checking counts"
COUNTS_OK=1
if grep -q "counts agree" "$WORK/baseline_check.txt"; then
    grep "counts agree" "$WORK/baseline_check.txt" >&2
else
    COUNTS_OK=0
    cat "$WORK/baseline_check.txt" >&2
fi
if cmp -s "$WORK/j1.csv" "$WORK/j2.csv"; then echo "1 and 2 threads: identical tables" >&2; else
    echo "1 and 2 threads give DIFFERENT tables" >&2; COUNTS_OK=0; fi

say "memory of qcode code --format csv (streaming)"
for d in "$HUNDREDTH" "$TENTH"; do
    OUT=/dev/null measure code-csv "$d" "$QCODE" code -c "$CB" --format csv "$d"
done

SAMPLES_CMD=()
if [ -d samples/transcripts ] && [ -f codebooks/smuggling.yaml ]; then
    say "small run: qcode freq samples/transcripts (10 runs)"
    SAMPLES_CMD=("$QCODE" freq samples/transcripts -c codebooks/smuggling.yaml)
    [ -f samples/attributes.csv ] && SAMPLES_CMD+=(--attributes samples/attributes.csv)
    for r in $(seq 10); do measure samples samples/transcripts "${SAMPLES_CMD[@]}"; done
fi

if [ "$SCALING" = 1 ]; then
    say "scaling: corpus size"
    QUARTER=$(subset quarter $((TOTAL / 4)))
    HALF=$(subset half $((TOTAL / 2)))
    for r in $(seq "$REPS"); do
        for d in "$QUARTER" "$HALF"; do
            measure qcode "$d" "${Q[@]}" "$d"
            measure qcode-j1 "$d" "$QCODE" freq -j 1 -c "$CB" --format csv "$d"
        done
        measure qcode-j1 "$TENTH" "$QCODE" freq -j 1 -c "$CB" --format csv "$TENTH"
    done
    say "scaling: codebook size (on the quarter corpus)"
    for n in 10 100 400 1000; do
        python3 bench/gen_corpus.py --codebook-terms "$n" --no-patterns -o "$WORK/kw$n.yaml"
        python3 bench/baseline.py "$WORK/kw$n.yaml" --rg-terms "$WORK/kw$n.txt"
        sed 's/\\w\*//g; s/\\s+/ /g; s/\\//g' "$WORK/kw$n.txt" | sort -u > "$WORK/kw$n-fixed.txt"
    done
    python3 bench/gen_corpus.py --codebook-terms 0 --patterns-only -o "$WORK/re20.yaml"
    for r in $(seq "$REPS"); do
        for n in 10 100 400 1000; do
            measure "kw$n" "$QUARTER" "$QCODE" freq -c "$WORK/kw$n.yaml" --format csv "$QUARTER"
            measure "kw$n-rg" "$QUARTER" "$RG" --count-matches -i -w -F -f "$WORK/kw$n-fixed.txt" "$QUARTER"
        done
        measure re20 "$QUARTER" "$QCODE" freq -c "$WORK/re20.yaml" --format csv "$QUARTER"
        measure full "$QUARTER" "${Q[@]}" "$QUARTER"
    done
fi

# ---------------------------------------------------------------- report
say "results"
python3 - "$RESULTS" "$TR" "$CHECK" "$TENTH" "$HUNDREDTH" "$SIZE" "$CHECK_SIZE" "$RG_VERSION" "$COUNTS_OK" "$QCODE_VERSION" "$(( $(date +%s) - START ))" "$SPARSE" <<'EOF'
import os, re, statistics, sys
results, full, check, tenth, hundredth, size, check_size, rg_version, counts_ok, qcode_version, elapsed, sparse = sys.argv[1:]
rows = {}
for line in open(results):
    label, d, wall, rss = line.split()
    rows.setdefault((label, d), []).append((float(wall), int(rss)))
def nbytes(d):
    return sum(os.path.getsize(os.path.join(r, n)) for r, _, ns in os.walk(d) for n in ns)
def nfiles(d):
    return sum(len(ns) for _, _, ns in os.walk(d))
sizes = {}
def mb(d):
    if d not in sizes:
        sizes[d] = nbytes(d) / 1e6
    return sizes[d]
def med(label, d):
    v = rows.get((label, d))
    if not v:
        return None
    return statistics.median(w for w, _ in v), statistics.median(r for _, r in v) / 1024, len(v)
def line(name, label, d, ref=None):
    m = med(label, d)
    if m is None:
        return
    wall, rss, n = m
    rate = mb(d) / wall if wall > 0 else float("inf")
    vs = ""
    if ref is not None and med(*ref):
        vs = "{:.1f}×".format(wall / med(*ref)[0])
    print("| {} | {:,.0f} MB, {:,} files | {:.2f} s | {} MB/s | {:.0f} MB | {} | {} |".format(
        name, mb(d), nfiles(d), wall, "{:,.0f}".format(rate) if rate >= 10 else "{:.2f}".format(rate), rss, vs, n))
cpu = "?"
try:
    for l in open("/proc/cpuinfo"):
        if l.startswith("model name"):
            cpu = l.split(":", 1)[1].strip(); break
except OSError:
    pass
print()
mem = "?"
try:
    for l in open("/proc/meminfo"):
        if l.startswith("MemTotal"):
            mem = "{:.0f} GiB".format(int(l.split()[1]) / 2**20); break
except OSError:
    pass
print("Machine: {}, {} cores, {} RAM, Linux {}; {}; {}; Python {}.".format(
    cpu, os.cpu_count(), mem, os.uname().release, qcode_version, rg_version, sys.version.split()[0]))
print("Warm page cache; medians of n runs; the measurements of `bench/compare.sh {}` took {} min.".format(size, int(elapsed) // 60))
print()
print("| run | input | wall | throughput | peak RSS | time ÷ qcode | n |")
print("|---|---|---:|---:|---:|---:|---:|")
Q = ("qcode", full)
line("`qcode freq` (2 threads)", "qcode", full)
line("`qcode freq -j 1`", "qcode-j1", full, Q)
line("`rg -i -w -F` (keywords as fixed strings)", "rg-fixed", full, Q)
line("`rg -i -w --no-unicode -f terms.txt`", "rg-ascii", full, Q)
line("`qcode freq` on a tenth", "qcode", tenth)
QC = ("qcode", check)
line("`qcode freq` on the check subset", "qcode", check)
line("`qcode freq -j 1` on the check subset", "qcode-j1", check, QC)
line("`rg -i -w -f terms.txt` (as in the issue)", "rg", check, QC)
line("Python baseline (`re`, per paragraph)", "python", check, QC)
if med("python", check) and med("qcode-j1", check):
    print("\nPython baseline ÷ `qcode -j 1` (one core each): {:.0f}×".format(med("python", check)[0] / med("qcode-j1", check)[0]))
print()
full_rss = med("qcode", full)
tenth_rss = med("qcode", tenth)
if full_rss and tenth_rss:
    print("Peak RSS of `qcode freq`: {:.0f} MB on {:,.0f} MB, {:.0f} MB on {:,.0f} MB: ×{:.2f} for ×{:.1f} the text.".format(
        tenth_rss[1], mb(tenth), full_rss[1], mb(full), full_rss[1] / tenth_rss[1], mb(full) / mb(tenth)))
c1, c2 = med("code-csv", hundredth), med("code-csv", tenth)
if c1 and c2:
    print("Peak RSS of `qcode code --format csv`: {:.0f} MB on {:,.0f} MB, {:.0f} MB on {:,.0f} MB: ×{:.2f} for ×{:.1f} the text.".format(
        c1[1], mb(hundredth), c2[1], mb(tenth), c2[1] / c1[1], mb(tenth) / mb(hundredth)))
def near_digits(d):
    """The share of the text within 20 bytes of a digit."""
    near = total = 0
    for root, _, names in os.walk(d):
        for n in names:
            text = open(os.path.join(root, n), "rb").read()
            total += len(text)
            end = -1
            for m in re.finditer(rb"[0-9]", text):
                a, b = max(m.start() - 20, end), min(m.start() + 20, len(text))
                if b > a:
                    near += b - a
                    end = b
    return near / total if total else 0
m_dense, m_sparse = med("qcode-j1", tenth), med("qcode-j1", sparse)
if m_dense and m_sparse:
    print("Fewer digits, 1 thread: {:.2f} s on the tenth ({:.0f}% of its text within 20 bytes of a digit), {:.2f} s with the digits of 70% of its paragraphs removed ({:.0f}%): {:.0f}% less time.".format(
        m_dense[0], 100 * near_digits(tenth), m_sparse[0], 100 * near_digits(sparse), 100 * (1 - m_sparse[0] / m_dense[0])))
s = rows.get(("samples", "samples/transcripts"))
if s:
    walls = sorted(w for w, _ in s)
    print("`qcode freq samples/transcripts …` ({} files): median {:.0f} ms, max {:.0f} ms over {} runs.".format(
        nfiles("samples/transcripts"), 1000 * statistics.median(walls), 1000 * walls[-1], len(walls)))
print("Counts: {}".format("baseline and qcode agree; 1 and 2 threads identical" if counts_ok == "1" else "DIFFER (see above)"))
# scaling
size_rows = [(d, med("qcode", d), med("qcode-j1", d)) for d in sorted({d for (l, d) in rows if l == "qcode" and d != check}, key=mb)]
if len(size_rows) > 2:
    print("\nScaling with corpus size (full codebook):\n")
    print("| corpus | 2 threads | MB/s | 1 thread | MB/s | speed-up | peak RSS |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for d, m2, m1 in size_rows:
        if m2 is None:
            continue
        one = "{:.2f} s | {:,.0f}".format(m1[0], mb(d) / m1[0]) if m1 else "– | –"
        sp = "{:.2f}×".format(m1[0] / m2[0]) if m1 else "–"
        print("| {:,.0f} MB | {:.2f} s | {:,.0f} | {} | {} | {:.0f} MB |".format(mb(d), m2[0], mb(d) / m2[0], one, sp, m2[1]))
kw = [(n, med("kw%d" % n, d), med("kw%d-rg" % n, d), d) for n in (10, 100, 400, 1000) for d in {dd for (l, dd) in rows if l == "kw%d" % n}]
if kw:
    d = kw[0][3]
    print("\nScaling with codebook size (on {:,.0f} MB, 2 threads):\n".format(mb(d)))
    print("| codebook | qcode | MB/s | `rg -i -w -F` | MB/s |")
    print("|---|---:|---:|---:|---:|")
    for n, m, r, d in kw:
        rr = "{:.2f} s | {:,.0f}".format(r[0], mb(d) / r[0]) if r else "– | –"
        print("| {} keywords, no regexes | {:.2f} s | {:,.0f} | {} |".format(n, m[0], mb(d) / m[0], rr))
    for label, name in (("re20", "20 regexes only"), ("full", "full (427 keywords, 20 regexes, rules)")):
        m = med(label, d)
        if m:
            print("| {} | {:.2f} s | {:,.0f} | – | – |".format(name, m[0], mb(d) / m[0]))
EOF

if [ "$CLEAN" = 1 ]; then rm -rf "$CORPUS"; fi
[ "$COUNTS_OK" = 1 ]
