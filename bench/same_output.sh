#!/usr/bin/env bash
# Runs every command and output format of two qcode builds on the same
# inputs and compares what they print and write, byte for byte: the check
# that a change meant to keep behaviour (a refactoring, an optimisation)
# really does.
#
#   bench/same_output.sh OLD_QCODE NEW_QCODE [CORPUS_DIR]
#
# OLD_QCODE, NEW_QCODE: paths to the two binaries (e.g. a release build of
# the commit before the change, from `git worktree add`, and of the change).
# CORPUS_DIR: optional folder of generated transcripts (bench/gen_corpus.py
# OUT --size 10M writes one under OUT/transcripts) coded with the benchmark
# codebook as well.
#
# For each case it records standard output, standard error, the exit code
# and every file the command wrote, under a temporary folder per build, and
# prints the cases that differ (exit status 1) or "all N cases identical".
# Runs at 1 and 2 threads must also agree with each other.
set -euo pipefail

cd "$(dirname "$0")/.."
OLD=$(realpath "$1")
NEW=$(realpath "$2")
CORPUS=${3:-}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

S=samples/transcripts
CB=codebooks/smuggling.yaml
AT=samples/attributes.csv
CODERS=samples/coders

# One case per line: NAME<TAB>ARGUMENTS. `OUT/` in an argument is the
# case's own output folder.
cases() {
    cat <<EOF
code-csv	code $S -c $CB --attributes $AT
code-jsonl	code $S -c $CB --format jsonl
code-table	code $S -c $CB --format table
code-out	code $S -c $CB --attributes $AT --out OUT/coded.csv
code-turn	code $S -c $CB --unit turn
code-sentence	code $S -c $CB --unit sentence
code-line	code $S -c $CB --unit line
code-document	code $S -c $CB --unit document
code-times	code $S/focus_group_border_residents.srt $S/zoom_call_guatemala_lender.vtt -c $CB --from 00:01:00 --to 00:20:00
code-minimal	code $S -c codebooks/minimal.yaml --format table
code-speaker-pattern	code $S -c $CB --speaker-pattern '(?P<speaker>[A-Z][a-z]+):'
code-encoding	code $S/entrevista_antigua_windows1252.txt -c $CB --encoding windows-1252
code-survey	code samples/survey/open_answers.csv -c $CB --text-col answer --id-col respondent
code-xlsx	code samples/survey/open_answers.xlsx -c $CB --text-col answer
freq-table	freq $S -c $CB
freq-csv	freq $S -c $CB --format csv
freq-json	freq $S -c $CB --format json
freq-md	freq $S -c $CB --format markdown
freq-by-country	freq $S -c $CB --attributes $AT --by country
freq-by-country-json	freq $S -c $CB --attributes $AT --by country --format json
freq-by-speaker	freq $S -c $CB --by speaker --count hits
freq-by-document	freq $S -c $CB --by document --count documents --format csv
freq-out	freq $S -c $CB --out OUT/counts.md
freq-coded	freq --coded $CODERS/ana.csv
freq-coded-cb	freq --coded $CODERS/ana.csv --coded $CODERS/luis.csv -c $CB --by speaker
freq-coded-coder	freq --coded $CODERS/ana.csv --coded $CODERS/luis.csv --coder luis --format json
freq-survey	freq samples/survey/open_answers.csv -c $CB --text-col answer --by country
excerpts-text	excerpts $S -c $CB
excerpts-code	excerpts $S -c $CB --code prices,debt --context 1
excerpts-md	excerpts $S -c $CB --code covid_closures --format markdown
excerpts-csv	excerpts $S -c $CB --format csv
excerpts-coded	excerpts --coded $CODERS/ana.csv --code debt
excerpts-coded-md	excerpts --coded $CODERS/luis.csv -c $CB --format markdown
check-smuggling	codebook check $CB
check-minimal	codebook check codebooks/minimal.yaml
agree-table	agree $CODERS/ana.csv $CODERS/luis.csv --transcripts $S -c $CB --replicates 2000
agree-csv	agree $CODERS/ana.csv $CODERS/luis.csv --transcripts $S -c $CB --replicates 2000 --format csv
agree-json	agree $CODERS/ana.csv $CODERS/luis.csv -c $CB --replicates 2000 --format json
agree-md	agree $CODERS/ana.csv $CODERS/luis.csv --replicates 2000 --format markdown
agree-doc	agree $CODERS/ana.csv $CODERS/luis.csv --unit document --replicates 2000
agree-dis	agree $CODERS/ana.csv $CODERS/luis.csv --transcripts $S -c $CB --replicates 500 --disagreements OUT/dis.csv
agree-spans	agree $CODERS/ana.csv $CODERS/luis.csv --spans --transcripts $S
agree-spans-json	agree $CODERS/ana.csv $CODERS/luis.csv --spans --overlap 50 --overlap-basis shorter --format json
agree-long	agree tests/fixtures/agree/ana.csv tests/fixtures/agree/luis.csv --replicates 1000
audit-table	audit --gold $CODERS/gold.csv $S -c $CB
audit-json	audit --gold $CODERS/gold.csv $S -c $CB --format json --errors OUT/errors.csv
audit-md	audit --gold $CODERS/gold.csv $S -c $CB --format markdown --code prices,debt
audit-coded	audit --gold $CODERS/gold.csv OUT/../code-out/coded.csv -c $CB
export-qdc	export --qdc OUT/cb.qdc -c $CB
export-dic	export --dic OUT/cb.dic -c $CB
export-qdpx	export --qdpx OUT/p.qdpx $S -c $CB --attributes $AT
export-qdpx-utf16	export --qdpx OUT/p.qdpx $S -c $CB --positions utf16
export-qdpx-coded	export --qdpx OUT/r.qdpx $S --coded $CODERS/ana.csv --coded $CODERS/luis.csv
import-qdpx	import OUT/../export-qdpx/p.qdpx --out OUT/coded.csv --texts OUT/texts --write-codebook OUT/cb.yaml
import-qdc	import OUT/../export-qdc/cb.qdc --out OUT/cb.yaml
import-dic	import OUT/../export-dic/cb.dic
import-nvivo	import $WORK/nvivo.qdpx
import-atlas	import $WORK/atlas.qdpx --write-codebook OUT/cb.yaml
import-qualcoder	import $WORK/qualcoder.qdpx
import-nvivo-qdc	import tests/fixtures/refi/nvivo.qdc
help	--help
help-code	code --help
help-freq	freq --help
help-excerpts	excerpts --help
help-agree	agree --help
help-audit	audit --help
help-codebook	codebook check --help
help-export	export --help
help-import	import --help
err-no-codebook	freq $S
err-bad-code	excerpts $S -c $CB --code pricez
err-missing	freq nowhere -c $CB
err-unit	freq --coded $CODERS/ana.csv --by nothing
err-choice-format	freq $S -c $CB --format xlsx
err-choice-unit	code $S -c $CB --unit para
err-choice-positions	export --qdpx OUT/p.qdpx $S -c $CB --positions bytes
EOF
    if [ -n "$CORPUS" ]; then
        printf 'bench-freq\tfreq %s -c bench/codebook.yaml\n' "$CORPUS"
        printf 'bench-code\tcode %s -c bench/codebook.yaml --out OUT/coded.csv\n' "$CORPUS"
        printf 'bench-turns\tfreq %s -c bench/codebook.yaml --unit turn --by speaker --format csv\n' "$CORPUS"
    fi
}

run_all() {
    local bin=$1 dir=$2 threads=$3
    mkdir -p "$dir"
    while IFS=$'\t' read -r name args; do
        local out=$dir/$name
        mkdir -p "$out"
        # Paths in messages name OUT as the same placeholder in every run.
        local argv=${args//OUT/$out}
        set +e
        eval "RAYON_NUM_THREADS=$threads \"$bin\" $argv" >"$out/.stdout" 2>"$out/.stderr"
        echo $? >"$out/.exit"
        set -e
        sed -i "s|$dir|OUT|g" "$out/.stdout" "$out/.stderr"
    done < <(cases)
}

# The REFI-QDA fixtures are kept unpacked; zip them once for both builds.
for tool in nvivo atlas qualcoder; do
    (cd tests/fixtures/refi/$tool && python3 -c '
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for root, _, names in sorted(os.walk(".")):
        for n in sorted(names):
            z.write(os.path.join(root, n), os.path.relpath(os.path.join(root, n), "."))
' "$WORK/$tool.qdpx")
done

run_all "$OLD" "$WORK/old" 2
run_all "$NEW" "$WORK/new" 2
run_all "$NEW" "$WORK/new1" 1

n=$(cases | wc -l)
status=0
if ! diff -r -q "$WORK/old" "$WORK/new" >"$WORK/diff" 2>&1; then
    echo "OLD and NEW differ:"
    cat "$WORK/diff"
    status=1
fi
if ! diff -r -q "$WORK/new" "$WORK/new1" >"$WORK/diff1" 2>&1; then
    echo "NEW differs between 2 threads and 1 thread:"
    cat "$WORK/diff1"
    status=1
fi
if [ "$status" = 0 ]; then
    echo "all $n cases identical (stdout, stderr, exit code, files written), and at 1 and 2 threads"
fi
if [ -n "${KEEP:-}" ]; then
    cp -r "$WORK" "$KEEP"
    echo "outputs kept in $KEEP"
fi
exit $status
