#!/usr/bin/env python3
"""A straightforward Python implementation of `qcode freq`, for benchmarks.

    python3 bench/baseline.py CODEBOOK.yaml INPUT... [--compare qcode.json]
    python3 bench/baseline.py CODEBOOK.yaml --rg-terms terms.txt

It reads the same codebook YAML and the same .txt/.md transcripts and prints
the same table as `qcode freq --format csv` (codes in codebook order, parents
counting their sub-codes' segments once per segment, hits adding up). It is
written the way a researcher would write it with the `re` module, one
paragraph at a time, with no attempt at speed: every keyword, wildcard and
regular expression is one compiled `re` pattern, run over every paragraph.

It implements the rules as documented, independently of qcode's code:

* text: UTF-8 (a BOM is dropped), CRLF/CR -> LF, NFC; YAML front matter is
  skipped; paragraphs are runs of non-blank lines, trimmed;
* speaker labels (qcode's default rule): at the start of a line, an optional
  [hh:mm:ss] / (mm:ss) / bare h:mm:ss timestamp, a name of 1-4 words starting
  with an uppercase letter (at most 40 characters), a colon and white space
  or the end of the line. A paragraph's speaker is that of the last label
  starting at or before it; labels are never matched;
* matching runs on the folded paragraph: labels as separators, lower case, accents
  removed (NFD, combining marks dropped), white space runs collapsed to one
  space. Keywords are case-insensitive whole words (a word = letters and
  digits); `*` stands for any letters inside a word; a phrase matches across
  line breaks; `accents: tolerant` (default): an unaccented keyword letter
  matches an accented text letter, an accented keyword letter must match
  exactly; `exact`: every letter must match; `ignore`: accents never matter;
* patterns: case-insensitive `re` regexes, run on the folded text when the
  pattern is ASCII (`accents: ignore`: always; `exact`: never), else on the
  original paragraph (matches touching a label are dropped);
* `all`: every term occurs; `near`: the two terms' words are at most `within`
  words apart; `not`: vetoes the code; `min_hits`; `speakers` /
  `skip_speakers` (case-insensitive, `*` globs; the codebook's skip_speakers
  apply to codes without their own);
* hits: the supporting matches (keywords, patterns, `all` terms when all
  occur, both terms of each near pair), leftmost-longest and
  non-overlapping.

--compare FILE checks the counts against `qcode freq --format json` output:
documents, segments, and segments/documents/hits of every code must be
identical; differences are printed and the exit status is 1.
--rg-terms FILE writes every keyword term of the codebook as a regex, one a
line, for `rg -i -w -f FILE` (`*` -> `\\w*`, spaces -> `\\s+`).
"""

import argparse
import json
import os
import re
import sys
import unicodedata

import yaml

# ---------------------------------------------------------------------------
# Codebook.

ALNUM = r"[^\W_]"  # a letter or digit (Python's \w without the underscore)


def combining(c):
    return unicodedata.category(c) in ("Mn", "Mc", "Me")


FOLD_CACHE = {}


def fold_char(c):
    """Lower case, canonical decomposition, combining marks removed."""
    f = FOLD_CACHE.get(c)
    if f is None:
        out = []
        for low in c.lower():
            if combining(low):
                continue
            for d in unicodedata.normalize("NFD", low):
                if not combining(d):
                    out.append(d)
        f = FOLD_CACHE[c] = "".join(out)
    return f


def fold_str(s):
    return "".join(fold_char(c) for c in s)


class Term:
    """A keyword: words with `*` wildcards. Its literal pieces (folded) are
    joined into one regex (`*` inside a word -> any letters, words -> one
    space) that is searched for at every position; word boundaries,
    leading/trailing wildcards and accents are then checked around each
    match."""

    def __init__(self, raw, accents):
        words = raw.split()
        if not words:
            raise ValueError("empty term")
        self.raw = raw
        self.open_start = words[0].startswith("*")
        self.open_end = words[-1].endswith("*")
        if self.open_start:
            words[0] = words[0][1:]
        if self.open_end:
            words[-1] = words[-1][:-1]
        words = [w.lower() for w in words]
        self.pieces = []  # (folded literal, [required original char or None])
        parts = []
        for w in words:
            word_parts = []
            for piece in w.split("*"):
                lit, req = self.fold_piece(piece, accents)
                self.pieces.append((lit, req))
                word_parts.append("(" + re.escape(lit) + ")")
            parts.append((ALNUM + "*").join(word_parts))
        self.regex = re.compile(" ".join(parts))
        self.needs_check = any(r is not None for _, req in self.pieces for r in req)

    @staticmethod
    def fold_piece(piece, accents):
        lit = []
        req = []
        for c in piece:
            f = fold_char(c)
            lower = c.lower()[:1]
            if accents == "ignore":
                need = None
            elif accents == "exact":
                need = lower
            else:
                need = lower if f[:1] != lower else None
            for k, fc in enumerate(f):
                lit.append(fc)
                req.append(need if k == 0 else None)
        return "".join(lit), req

    def find(self, folded, fmap, original):
        """Distinct spans (folded start, folded end) of the term in a folded
        paragraph, overlapping ones included."""
        out = set()
        pos = 0
        n = len(folded)
        while True:
            m = self.regex.search(folded, pos)
            if m is None:
                break
            pos = m.start() + 1
            s, e = m.start(), m.end()
            if self.open_start:
                while s > 0 and folded[s - 1].isalnum():
                    s -= 1
            elif s > 0 and folded[s - 1].isalnum():
                continue
            if self.open_end:
                while e < n and folded[e].isalnum():
                    e += 1
            elif e < n and folded[e].isalnum():
                continue
            if self.needs_check and not self.accents_ok(m, fmap, original):
                continue
            out.add((s, e))
        return sorted(out)

    def accents_ok(self, m, fmap, original):
        for gi, (lit, req) in enumerate(self.pieces):
            at = m.start(gi + 1)
            for k, need in enumerate(req):
                if need is not None and original[fmap[at + k]].lower()[:1] != need:
                    return False
        return True


def glob(pattern):
    """A speaker glob (`*` = anything), compiled."""
    return re.compile("".join(".*" if c == "*" else re.escape(c) for c in pattern), re.S)


class Code:
    def __init__(self, raw, parent, defaults):
        self.name = raw["name"]
        self.label = (raw.get("label") or self.name).strip() or self.name
        self.parent = parent
        accents = raw.get("accents", defaults["accents"])
        self.keywords = [Term(k, accents) for k in raw.get("keywords", []) or []]
        self.all = [Term(k, accents) for k in raw.get("all", []) or []]
        self.near = [(Term(n["terms"][0], accents), Term(n["terms"][1], accents), int(n["within"]))
                     for n in raw.get("near", []) or []]
        self.not_ = [Term(k, accents) for k in raw.get("not", []) or []]
        self.patterns = []
        for p in raw.get("patterns", []) or []:
            on_folded = {"exact": False, "ignore": True}.get(accents, p.isascii())
            src = strip_accents(p) if on_folded else p
            self.patterns.append((re.compile(src, re.I), on_folded))
        self.min_hits = int(raw.get("min_hits", 1))
        self.speakers = [glob(s.strip().lower()) for s in raw.get("speakers", []) or []]
        if "skip_speakers" in raw:
            self.skip = [glob(s.strip().lower()) for s in raw.get("skip_speakers") or []]
        else:
            self.skip = defaults["skip"]


def strip_accents(pattern):
    out = []
    for c in pattern:
        if c.isascii():
            out.append(c)
        else:
            out.extend(d for d in unicodedata.normalize("NFD", c) if not combining(d))
    return "".join(out)


def load_codebook(path):
    with open(path, encoding="utf-8-sig") as f:
        raw = yaml.safe_load(f)
    if raw.get("speaker_pattern"):
        sys.exit("baseline.py: custom speaker patterns are not implemented")
    if raw.get("unit", "paragraph") != "paragraph":
        sys.exit("baseline.py: only the paragraph unit is implemented")
    defaults = {
        "accents": raw.get("accents", "tolerant"),
        "skip": [glob(s.strip().lower()) for s in raw.get("skip_speakers", []) or []],
    }
    codes = []

    def walk(items, parent):
        for c in items:
            codes.append(Code(c, parent, defaults))
            walk(c.get("children", []) or [], len(codes) - 1)

    walk(raw["codes"], None)
    return codes


# ---------------------------------------------------------------------------
# Documents: reading, speaker labels, paragraphs.

TS = r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?:[.,][0-9]{1,3})?"
LABEL = re.compile(
    r"[ \t]*(?:(?:\[(?P<t1>" + TS + r")\]|\((?P<t2>" + TS + r")\))[ \t]*"
    r"|(?P<t3>[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]{1,3})?)[ \t]+)?"
    r"(?P<speaker>[^\W\d_][\w.'’-]*(?: [\w.'’-]+){0,3}):(?:\s|$)"
)


def find_label(line):
    """(start, end, speaker) of the label at the start of `line`, or None."""
    m = LABEL.match(line)
    if not m:
        return None
    speaker = m.group("speaker").strip()
    if unicodedata.category(speaker[0]) not in ("Lu", "Lt") or len(speaker) > 40:
        return None
    start = m.start()
    while start < m.end() and line[start] in " \t":
        start += 1
    end = m.end()
    while end < len(line) and line[end] in " \t":
        end += 1
    return start, end, speaker


def read_text(path):
    with open(path, "rb") as f:
        data = f.read()
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    if text.startswith("---\n"):
        offset = 4
        for line in text[4:].split("\n"):
            if line.rstrip() in ("---", "..."):
                text = text[offset + len(line) + 1:]
                break
            offset += len(line) + 1
    return text


def paragraphs(text):
    """(start, end, [labels]) of each trimmed paragraph; labels as absolute
    (start, end, speaker). Also returns all labels of the text."""
    labels = []
    paras = []
    pos = 0
    cur = None
    for line in text.split("\n"):
        lab = find_label(line)
        if lab:
            labels.append((pos + lab[0], pos + lab[1], lab[2]))
        if line.strip():
            if cur is None:
                cur = [pos, pos + len(line)]
            else:
                cur[1] = pos + len(line)
        elif cur is not None:
            paras.append(tuple(cur))
            cur = None
        pos += len(line) + 1
    if cur is not None:
        paras.append(tuple(cur))
    out = []
    for s, e in paras:
        chunk = text[s:e]
        s += len(chunk) - len(chunk.lstrip())
        e = s + len(chunk.strip())
        out.append((s, e))
    return out, labels


def fold_paragraph(text, start, end, labels):
    """Folded text of text[start:end] and, per folded character, the index of
    the original character (relative to `start`). A label inside the
    paragraph becomes a separator (U+0000), so phrases stop there."""
    label_end = {}
    for ls, le, _ in labels:
        if ls < end and le > start:
            label_end[max(ls, start) - start] = min(le, end) - start
    chars = text[start:end]
    out = []
    fmap = []
    last_space = True
    i = 0
    while i < len(chars):
        if i in label_end:
            if out and out[-1] != "\x00":
                out.append("\x00")
                fmap.append(i)
            last_space = True
            i = label_end[i]
            continue
        c = chars[i]
        if c.isspace():
            if not last_space:
                out.append(" ")
                fmap.append(i)
                last_space = True
            i += 1
            continue
        f = fold_char(c)
        for fc in f:
            out.append(fc)
            fmap.append(i)
        if f:
            last_space = False
        i += 1
    return "".join(out), fmap


# ---------------------------------------------------------------------------
# Coding one paragraph.

def to_original(span, fmap):
    s, e = span
    return fmap[s], fmap[e - 1] + 1


def word_distance(folded, a, b):
    lo, hi = min(a, b), max(a, b)
    count = 0
    prev_word = True
    for c in folded[lo:hi]:
        w = c.isalnum()
        if w and not prev_word:
            count += 1
        prev_word = w
    if not prev_word:
        count += 1
    return count


def code_paragraph(code, folded, fmap, para, para_labels):
    """Number of hits of `code` in the paragraph (0: not applied)."""
    def spans(term):
        return [(to_original(sp, fmap), sp[0]) for sp in term.find(folded, fmap, para)]

    for t in code.not_:
        if t.find(folded, fmap, para):
            return 0
    support = []
    for t in code.keywords:
        support.extend(o for o, _ in spans(t))
    for rx, on_folded in code.patterns:
        if on_folded:
            for m in rx.finditer(folded):
                if m.end() > m.start():
                    support.append(to_original((m.start(), m.end()), fmap))
        else:
            for m in rx.finditer(para):
                if m.end() > m.start() and not any(m.start() < le and ls < m.end() for ls, le in para_labels):
                    support.append((m.start(), m.end()))
    if code.all:
        found = [spans(t) for t in code.all]
        if all(found):
            for f in found:
                support.extend(o for o, _ in f)
    for a, b, within in code.near:
        xs, ys = spans(a), spans(b)
        for x, xf in xs:
            for y, yf in ys:
                if x != y and word_distance(folded, xf, yf) <= within:
                    support.append(x)
                    support.append(y)
    support = sorted(set(support), key=lambda s: (s[0], -s[1]))
    hits = 0
    last_end = -1
    for s, e in support:
        if s >= last_end:
            hits += 1
            last_end = e
    return hits if hits >= code.min_hits else 0


def speaker_ok(code, speaker):
    if speaker is not None:
        sp = speaker.lower()
        if any(p.fullmatch(sp) for p in code.skip):
            return False
        if code.speakers and not any(p.fullmatch(sp) for p in code.speakers):
            return False
        return True
    return not code.speakers


def code_document(codes, text, totals, ancestors):
    paras, labels = paragraphs(text)
    seen_codes = set()
    first = 0  # labels before `first` end before the current paragraph
    for s, e in paras:
        speaker = None
        for ls, le, sp in labels:
            if ls <= s:
                speaker = sp
            else:
                break
        while first < len(labels) and labels[first][1] <= s:
            first += 1
        inside = []
        for lab in labels[first:]:
            if lab[0] >= e:
                break
            inside.append(lab)
        folded, fmap = fold_paragraph(text, s, e, inside)
        para = text[s:e]
        para_labels = [(ls - s, le - s) for ls, le, _ in inside]
        applied = {}
        for ci, code in enumerate(codes):
            if not speaker_ok(code, speaker):
                continue
            h = code_paragraph(code, folded, fmap, para, para_labels)
            if h:
                applied[ci] = h
        rolled = {}
        for ci, h in applied.items():
            for a in ancestors[ci]:
                rolled[a] = rolled.get(a, 0) + h
        for a, h in rolled.items():
            totals[a][0] += 1
            totals[a][2] += h
            seen_codes.add(a)
    for a in seen_codes:
        totals[a][1] += 1
    return len(paras)


def discover(inputs):
    files = []
    for inp in inputs:
        if os.path.isdir(inp):
            for root, dirs, names in os.walk(inp):
                dirs[:] = sorted(d for d in dirs if not d.startswith((".", "~")))
                for n in sorted(names):
                    if n.startswith((".", "~")):
                        continue
                    if n.lower().endswith((".txt", ".md", ".markdown", ".text")):
                        files.append(os.path.join(root, n))
        else:
            files.append(inp)
    return files


def rg_terms(codes):
    seen = []
    for c in codes:
        terms = c.keywords + c.all + c.not_ + [t for a, b, _ in c.near for t in (a, b)]
        for t in terms:
            words = t.raw.split()
            rx = r"\s+".join(r"\w*".join(re.escape(p) for p in w.split("*")) for w in words)
            if rx not in seen:
                seen.append(rx)
    return seen


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("codebook")
    ap.add_argument("inputs", nargs="*")
    ap.add_argument("--compare", metavar="QCODE.json", help="check against `qcode freq --format json`")
    ap.add_argument("--rg-terms", metavar="FILE", help="write the keyword terms for ripgrep and exit")
    a = ap.parse_args()
    codes = load_codebook(a.codebook)
    if a.rg_terms:
        with open(a.rg_terms, "w", encoding="utf-8") as f:
            f.write("\n".join(rg_terms(codes)) + "\n")
        return
    ancestors = []
    for i in range(len(codes)):
        chain = [i]
        while codes[chain[-1]].parent is not None:
            chain.append(codes[chain[-1]].parent)
        ancestors.append(chain)
    totals = [[0, 0, 0] for _ in codes]  # segments, documents, hits
    documents = segments = 0
    for path in discover(a.inputs):
        segments += code_document(codes, read_text(path), totals, ancestors)
        documents += 1
    out = sys.stdout
    out.write("code,parent,label,segments,documents,% documents,hits\n")
    for c, (s, d, h) in zip(codes, totals):
        parent = codes[c.parent].name if c.parent is not None else ""
        pct = "{:.1f}".format(100.0 * d / documents) if documents else "undefined (no documents)"
        label = '"' + c.label.replace('"', '""') + '"' if any(ch in c.label for ch in ',"\n') else c.label
        out.write("{},{},{},{},{},{},{}\n".format(c.name, parent, label, s, d, pct, h))
    print("# {} documents, {} segments".format(documents, segments), file=sys.stderr)
    if a.compare:
        with open(a.compare, encoding="utf-8") as f:
            q = json.load(f)
        diffs = []
        if q["documents"] != documents:
            diffs.append("documents: qcode {} baseline {}".format(q["documents"], documents))
        if q.get("segments") != segments:
            diffs.append("segments: qcode {} baseline {}".format(q.get("segments"), segments))
        byname = {c["code"]: c for c in q["codes"]}
        for c, (s, d, h) in zip(codes, totals):
            qc = byname.get(c.name)
            if qc is None:
                diffs.append("{}: missing in qcode's output".format(c.name))
                continue
            for key, mine in (("segments", s), ("documents", d), ("hits", h)):
                if qc[key] != mine:
                    diffs.append("{} {}: qcode {} baseline {}".format(c.name, key, qc[key], mine))
        if diffs:
            print("COUNTS DIFFER:\n  " + "\n  ".join(diffs), file=sys.stderr)
            sys.exit(1)
        print("counts agree: {} documents, {} segments, {} codes (segments, documents, hits)".format(
            documents, segments, len(codes)), file=sys.stderr)


if __name__ == "__main__":
    main()
