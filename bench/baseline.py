#!/usr/bin/env python3
"""A straightforward Python implementation of `qcode freq`, for benchmarks.

    python3 bench/baseline.py CODEBOOK.yaml INPUT... [--compare qcode.json]
    python3 bench/baseline.py CODEBOOK.yaml --rg-terms terms.txt

It reads the same codebook YAML and the same .txt/.md transcripts and prints
the same table as `qcode freq --format csv` (codes in codebook order, parents
counting their sub-codes' segments once per segment, hits adding up). It is
written the way a researcher would write it with the `re` module, one
passage at a time, with no attempt at speed: every keyword, wildcard and
regular expression is one compiled `re` pattern, run over every paragraph.

It implements the rules as documented, independently of qcode's code:

* text: UTF-8 (a BOM is dropped), CRLF/CR -> LF, NFC; YAML front matter is
  skipped; character references decoded in Markdown;
* speakers and passages as docs/speakers.md describes qcode's automatic
  reading (`passages` below): the metadata header at the top is left out;
  each line is read for a label shape (`Name:`, `**Name:**`, `<Name>`,
  `[Name]`, a name alone, a name and a time alone, times before or after
  the name), a timestamp alone, a time marker or a heading; a name that
  recurs is a label, a name seen once is one in the shape of the recurring
  ones where a turn starts, names alone need two that recur, and names
  that never recur are labels when two or more open half the paragraphs.
  Passages are paragraphs cut at labelled lines; a passage without a label
  continues the speaker before it except after a heading, a rule, the
  header or a timed header's passage, or when the labels name one speaker.
  Labels, timestamps and time marks are never matched;
* matching runs on the folded passage: labels as separators, lower case, accents
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
# Documents: reading, the metadata header, speakers and passages
# (docs/speakers.md). A passage is a paragraph (a run of non-blank lines),
# cut at every labelled line; what is not a passage (the header, a label
# or a timestamp alone on its line) is never coded.

GAP = " \t\u00a0"
PARTICLES = {"de", "del", "la", "las", "los", "le", "les", "da", "das", "do", "dos", "di", "du", "van", "von",
             "der", "den", "ter", "y", "e", "el"}
ABBREVIATIONS = {"sr", "sra", "srta", "dr", "dra", "lic", "lcdo", "lcda", "ing", "prof", "profa", "mtro", "mtra",
                 "pbro", "mr", "mrs", "ms", "st", "fr", "hno", "hna", "gral", "cap", "tte", "sgto", "cnel", "arq",
                 "dña", "dn", "sto", "sta", "pe", "sgt", "lt", "col", "gen", "rev", "hon", "jr"}
CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,](\d{1,3})(?!\d))?")
F4_MARK = re.compile(r"#(\d{1,2}:\d{2}:\d{2})-(\d)#\s*$")


def nbytes(s):
    return len(s.encode("utf-8"))


def clock(s, i=0):
    """(end, has hours) of a clock time at s[i:]: m:ss, mm:ss, h:mm:ss,
    hh:mm:ss, with an optional fraction of 1-3 digits; no fourth field and
    no digit right after it."""
    m = CLOCK.match(s, i)
    if not m:
        return None
    end = m.end()
    if s[end:end + 1] == ":" and s[end + 1:end + 2].isdigit():
        return None
    if s[end:end + 1].isdigit():
        return None
    fields = [m.group(2)] + ([m.group(3)] if m.group(3) else [])
    if any(int(f) >= 60 for f in fields):
        return None
    return end, m.group(3) is not None


def bracketed_time(s, i=0):
    """End of `[t]`, `(t)` or a range `(t - t)` at s[i:]."""
    if s[i:i + 1] not in ("[", "("):
        return None
    close = "]" if s[i] == "[" else ")"
    c = clock(s, i + 1)
    if not c:
        return None
    at = c[0]
    if s[at:at + 1] != close:
        j = at
        while j < len(s) and s[j] in GAP:
            j += 1
        if s[j:j + 1] not in ("-", "–"):
            return None
        j += 1
        while j < len(s) and s[j] in GAP:
            j += 1
        c2 = clock(s, j)
        if not c2 or s[c2[0]:c2[0] + 1] != close:
            return None
        at = c2[0]
    return at + 1


def time_alone(s):
    end = bracketed_time(s)
    if end is None:
        c = clock(s)
        end = c[0] if c else None
    return end is not None and s[end:].strip(GAP) == ""


def read_name(s, close=None, strict=False):
    """(length, stop, strict?) of a name at the start of s; stop is one of
    colon, end, paren, gap, close."""
    if not s or not s[0].isupper():
        return None
    loose = False
    words = 0
    i = 0
    while True:
        j = i
        while j < len(s) and (s[j].isalnum() or s[j] in ".-_'’–"):
            j += 1
        if j == i or nbytes(s[:j]) > 240:
            return None
        word = s[i:j]
        dash = word in ("-", "–")
        if not dash:
            words += 1
            if words > 8:
                return None
            lead = word[0]
            if not (lead.isupper() or "0" <= lead <= "9" or word in PARTICLES):
                if strict or not lead.islower():
                    return None
                loose = True
        nxt = s[j:j + 1]
        if nxt == "":
            stop = "end"
        elif nxt == ":":
            stop = "colon"
        elif close is not None and nxt == close:
            stop = "close"
        elif nxt in ("\t", "\u00a0"):
            stop = "gap"
        elif nxt == " ":
            after = s[j + 1:]
            if after == "":
                stop = "end"
            elif after[0] in " \t\u00a0[":
                stop = "gap"
            elif after[0] == "(":
                stop = "paren"
            elif "0" <= after[0] <= "9" and time_alone(after):
                stop = "gap"
            else:
                stop = None
        else:
            return None
        if word.endswith(".") and not (len(word) == 2 or word[:-1].lower() in ABBREVIATIONS):
            return None
        if stop is not None:
            if dash:
                return None
            return j, stop, not loose
        i = j + 1


def gap_len(s, i):
    j = i
    while j < len(s) and s[j] in GAP:
        j += 1
    return j - i


def after_colon(line, at):
    """(end, timed, alone) after a label's colon at line[at:]."""
    if at < len(line) and line[at] not in GAP:
        return None
    end = at + gap_len(line, at)
    timed = False
    t = bracketed_time(line, end)
    if t is not None and (t == len(line) or line[t] in GAP):
        timed = True
        end = t + gap_len(line, t)
    alone = line[end:].rstrip() == ""
    return (len(line) if alone else end), timed, alone


def time_to_end(rest):
    s = rest.lstrip(GAP)
    if len(s) == len(rest) and rest:
        return False
    return time_alone(s)


class Candidate:
    def __init__(self, name, start, end, timed, shape, alone, strict):
        self.name, self.start, self.end, self.timed = name, start, end, timed
        self.shape, self.alone, self.strict = shape, alone, strict


def plain(line, at, timed=False):
    s = line[at:]
    colon = ":" in s.encode("utf-8")[:242].decode("utf-8", "ignore")
    if not colon:
        end = s.rstrip(GAP)
        if not (end[-1:].isdigit() and end[-1:].isascii() or end[-1:] in ("]", ")")) and nbytes(end) > 160:
            return None
    r = read_name(s, None, not colon)
    if not r:
        return None
    n, stop, strict = r
    name = s[:n]
    if stop == "colon":
        a = after_colon(line, at + n + 1)
        if not a:
            return None
        end, after, alone = a
        return Candidate(name, at, end, timed or after, "colon_alone" if alone else "colon", alone, strict)
    if stop == "paren":
        op = at + n + 1
        t = bracketed_time(line, op)
        if t is None or line[t:t + 1] != ":":
            return None
        a = after_colon(line, t + 1)
        if not a:
            return None
        end, _, alone = a
        return Candidate(name, at, end, True, "timed_header" if alone else "colon", alone, strict)
    if stop == "gap" and line[at + n:].strip() != "":
        if not time_to_end(line[at + n:]):
            return None
        return Candidate(name, at, len(line), True, "timed_header", True, strict)
    if stop in ("end", "gap"):
        words = [w for w in name.split(" ") if w not in ("-", "–")]
        if len(words) <= 5 and strict:
            return Candidate(name, at, len(line), timed, "name_alone", True, strict)
    return None


def enclosed(line, at, open_, close):
    inner = at + len(open_)
    r = read_name(line[inner:], close[0])
    if not r:
        return None
    n, stop, strict = r
    colon = stop == "colon"
    after = inner + n + (1 if colon else 0)
    if not line.startswith(close, after):
        return None
    return line[inner:inner + n], after + len(close), colon, strict


def bold(line, at):
    e = enclosed(line, at, "**", "**")
    if not e:
        return None
    name, after, colon_inside, strict = e
    if colon_inside or line[after:after + 1] == ":":
        if not colon_inside:
            after += 1
        a = after_colon(line, after)
        if not a:
            return None
        end, timed, alone = a
        return Candidate(name, at, end, timed, "bold_alone" if alone else "bold", alone, strict)
    rest = line[after:]
    if rest.strip() == "":
        return Candidate(name, at, len(line), False, "bold_alone", True, strict)
    if time_to_end(rest):
        return Candidate(name, at, len(line), True, "timed_header", True, strict)
    gap = gap_len(rest, 0)
    t = bracketed_time(rest, gap) if gap else None
    if t is None:
        return None
    end = after + t
    blanks = gap_len(line, end)
    if not blanks:
        return None
    return Candidate(name, at, end + blanks, True, "bold_timed", False, strict)


def bracket(line, at):
    e = enclosed(line, at, "[", "]")
    if not e or e[2]:
        return None
    name, after, _, strict = e
    rest = line[after:]
    if rest.strip() == "":
        return Candidate(name, at, len(line), False, "bracket_alone", True, strict)
    if not time_to_end(rest):
        return None
    return Candidate(name, at, len(line), True, "timed_header", True, strict)


def tag(line, at):
    e = enclosed(line, at, "<", ">")
    if not e or e[2]:
        return None
    name, after, _, strict = e
    rest = line[after:]
    alone = rest.strip() == ""
    if not alone and rest[:1] not in GAP:
        return None
    end = len(line) if alone else after + gap_len(line, after)
    return Candidate(name, at, end, False, "tag", alone, strict)


def classify(line):
    """('blank'|'heading'|('rule', c)|'time'|('text', candidate, marker_end))."""
    indent = len(line) - len(line.lstrip(" \t"))
    if indent == len(line):
        return "blank"
    first = line[indent]
    if first == "#":
        hashes = len(line[indent:]) - len(line[indent:].lstrip("#"))
        if hashes <= 6 and line[indent + hashes:indent + hashes + 1] in ("", " ", "\t"):
            return "heading"
        return ("text", None, None)
    if first in "=-*_":
        body = line.rstrip()[indent:]
        if len(body.replace(" ", "")) >= 2 and all(ch in (first, " ") for ch in body):
            return ("rule", first)
        if first == "*" and line[indent + 1:indent + 2] == "*":
            return ("text", bold(line, indent), None)
        return ("text", None, None)
    if first in "[(" or "0" <= first <= "9":
        return timed(line, indent)
    if first == "<":
        return ("text", tag(line, indent), None)
    if "A" <= first <= "Z" or ord(first) >= 0x80:
        c = plain(line, indent)
        if c is None and line.strip() == "":
            return "blank"
        return ("text", c, None)
    return ("text", None, None)


def timed(line, indent):
    s = line[indent:]
    t = bracketed_time(s)
    bracketed = t is not None
    hours = True
    if t is None:
        c = clock(s)
        if c is None:
            return ("text", bracket(line, indent) if s.startswith("[") else None, None)
        t, hours = c
    rest = s[t:]
    if rest.strip(GAP) == "":
        return "time"
    if not bracketed and not hours:
        return ("text", None, None)
    at = indent + t + gap_len(line, indent + t)
    gapped = at > indent + t
    if line[at:at + 1] in ("-", "–") and line[at + 1:at + 2] in tuple(GAP):
        at = at + 1 + gap_len(line, at + 1)
    separated = at > indent + t
    glued = not gapped and not bracketed and line[at:at + 1].isupper()
    cand = None
    if separated or glued:
        cand = plain(line, at, True)
        if cand is None:
            cand = bold(line, at)
            if cand is not None:
                cand.timed = True
        if cand is not None:
            cand.start = indent
            if cand.shape == "name_alone":
                cand.shape = "timed_header"
    return ("text", cand, at if separated else None)


KEY_CHARS = set("-_.()'/")


def key_value(line):
    line = line.strip()
    if line.startswith("**"):
        rest = line[2:]
        k = rest.find("**")
        if k < 0:
            return None
        key, after = rest[:k], rest[k + 2:]
        if key.endswith(":"):
            key, value = key[:-1], after
        elif after.startswith(":"):
            value = after[1:]
        else:
            return None
    else:
        if ":" not in line:
            return None
        key, value = line.split(":", 1)
    if value[:1] not in (" ", "\t", "\u00a0"):
        return None
    value = value[1:].strip()
    words = key.split(" ")
    if not (key[:1].isalpha() and len(words) <= 4
            and all(w and all(ch.isalnum() or ch in KEY_CHARS for ch in w) for w in words)):
        return None
    if not value or value[-1] in ".?!" or len(value) > 150:
        return None
    return key, value


def metadata_header(text):
    """(start, end) of the metadata header's lines, or None: the first block
    (after a title: a heading or a one-line block without a key; or a title
    line opening the block) of two or more `Key: value` lines, no key
    twice, not every key used again as a label further down."""
    blocks = []
    cur = []
    pos = 0
    for line in text.split("\n"):
        if line.strip() == "":
            if cur:
                blocks.append(cur)
                cur = []
                if len(blocks) == 2:
                    break
        else:
            cur.append((pos, pos + len(line)))
            if len(cur) > 64:
                break
        pos += len(line) + 1
    if cur and len(blocks) < 2:
        blocks.append(cur)
    if not blocks:
        return None
    is_key = lambda r: key_value(text[r[0]:r[1]]) is not None
    first = 0
    b0 = blocks[0]
    if text[b0[0][0]:b0[0][1]].lstrip().startswith("#") or (len(b0) == 1 and not is_key(b0[0])):
        first = 1
    if first >= len(blocks) or len(blocks[first]) > 64:
        return None
    block = blocks[first]
    skip = 1 if first == 0 and len(block) >= 3 and not is_key(block[0]) else 0
    lines = block[skip:]
    if not all(is_key(r) for r in lines):
        return None
    keys = [key_value(text[s:e])[0] for s, e in lines]
    if len(keys) < 2 or len(set(keys)) != len(keys):
        return None
    start, end = lines[0][0], lines[-1][1]
    rest = text[end:]
    if all(("\n" + k + ":") in rest or ("\n**" + k + ":**") in rest or ("\n**" + k + "**:") in rest for k in keys):
        return None
    return start, end


def plain_heading(text):
    s = text.rstrip()
    m = F4_MARK.search(s)
    if m:
        s = s[:m.start()].rstrip()
    return bool(s) and (s[0].isupper() or "0" <= s[0] <= "9") and s[-1] not in ".?!,;…" \
        and len(s.split()) <= 8


def passages(text):
    """([(start, end, speaker)], masks): the passages of `text` with their
    speakers, and the ranges never matched."""
    header = metadata_header(text)
    lines = []  # [start, end, first, last, kind, cand, marker, label, timed]
    pos = 0
    in_block = False
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        kind = classify(line)
        if kind == "blank":
            in_block = False
            continue
        first = not in_block
        in_block = True
        if first and lines:
            lines[-1][3] = True
        if header and start >= header[0] and end <= header[1]:
            kind = "header"
        cand = marker = None
        if isinstance(kind, tuple) and kind[0] == "text":
            cand, marker = kind[1], kind[2]
            kind = "text"
        lines.append([start, end, first, False, kind, cand, marker, False, False])
    if lines:
        lines[-1][3] = True
    # Timestamps alone count when there are two.
    times = sum(1 for l in lines if l[4] == "time")
    # Names that recur; names alone that recur, two of them.
    seen = {}
    for l in lines:
        c = l[5]
        if c:
            s = seen.setdefault(c.name, [0, 0, False])
            s[0] += 1
            s[1] += c.shape == "name_alone"
            s[2] |= l[2]
    recurring_alone = sum(1 for s in seen.values() if s[1] >= 2)
    for l in lines:
        c = l[5]
        if c:
            s = seen[c.name]
            if c.shape == "name_alone":
                l[7] = s[1] >= 2 and recurring_alone >= 2 and l[2]
            else:
                l[7] = s[0] >= 2 and (c.strict or s[2])
    markers = sum(1 for l in lines if l[6] is not None and not l[7])
    if markers >= 2:
        for l in lines:
            l[8] = l[6] is not None and not l[7]

    def opens_turns(l):
        return l[7] or l[8] or (l[4] == "time" and times >= 2)
    in_use = {l[5].shape for l in lines if l[7]}
    if in_use:
        for i, l in enumerate(lines):
            c = l[5]
            if not c or l[7] or not c.strict or c.shape == "name_alone" or c.shape not in in_use:
                continue
            if l[2] or c.shape == "timed_header" or (i > 0 and opens_turns(lines[i - 1])):
                l[7] = True
    else:
        opening = [l for l in lines if l[2] and l[5] and l[5].strict
                   and l[5].shape in ("colon", "bold", "bold_timed", "tag", "timed_header")]
        paragraphs = sum(1 for l in lines if l[2] and l[4] in ("text", "time"))
        if len({l[5].name for l in opening}) >= 2 and 2 * len(opening) >= paragraphs:
            for l in opening:
                l[7] = True
    single = len({l[5].name for l in lines if l[7]}) == 1

    # Passages.
    out = []
    masks = []
    state = {"speaker": None, "one": False, "pending": None, "open": None}

    def close():
        o = state["open"]
        if o is None:
            return
        state["open"] = None
        s_, e_, speaker, own, first_i, last_i = o
        if not own and first_i == last_i and lines[first_i][2] and lines[first_i][3] \
                and plain_heading(text[s_:e_]):
            speaker = None
            state["speaker"] = None
        out.append((s_, e_, speaker))
        if state["one"]:
            state["speaker"] = None
            state["one"] = False

    def open_(i, s_, e_):
        p = state["pending"]
        state["pending"] = None
        if p is not None:
            state["speaker"] = p[0]
            state["one"] = p[1]
            state["open"] = [s_, e_, p[0], True, i, i]
        else:
            state["open"] = [s_, e_, None if single else state["speaker"], False, i, i]

    def interrupt():
        state["speaker"] = None
        state["one"] = False
        state["pending"] = None

    def extend(i, s_, e_):
        if state["open"] is None:
            open_(i, s_, e_)
        else:
            state["open"][1] = e_
            state["open"][5] = i

    for i, l in enumerate(lines):
        raw = text[l[0]:l[1]]
        s_ = l[0] + len(raw) - len(raw.lstrip())
        e_ = l[0] + len(raw.rstrip())
        kind = l[4]
        if kind == "header":
            close()
            masks.append((s_, e_))
            interrupt()
        elif kind == "heading":
            close()
            interrupt()
            out.append((s_, e_, None))
        elif isinstance(kind, tuple) and kind[0] == "rule":
            if kind[1] in "=-" and not l[2] and state["open"] is not None:
                state["open"][1] = e_
                state["open"][2] = None
                state["open"][3] = False
                state["open"][5] = i
                o = state["open"]
                state["open"] = None
                out.append((o[0], o[1], None))
                if state["one"]:
                    state["one"] = False
            else:
                close()
                masks.append((s_, e_))
            interrupt()
        elif kind == "time":
            if times >= 2:
                close()
                masks.append((s_, e_))
            else:
                extend(i, s_, e_)
        else:
            c, marker = l[5], l[6]
            if l[7]:
                close()
                ls = l[0] + c.start
                le = e_ if c.alone else l[0] + c.end
                masks.append((ls, le))
                state["pending"] = (c.name, c.alone and c.timed)
                if not c.alone:
                    open_(i, ls, e_)
            elif l[8]:
                close()
                masks.append((s_, l[0] + marker))
                open_(i, s_, e_)
            else:
                extend(i, s_, e_)
            o = state["open"]
            if o is not None and o[5] == i:
                m = F4_MARK.search(raw)
                if m and m.group(1) and clock(m.group(1)) and clock(m.group(1))[1]:
                    masks.append((l[0] + m.start(), e_))
        if l[3]:
            close()
    close()
    return out, masks


def decode_references(text):
    """The character references web exporters leave in Markdown."""
    named = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": " ", "lrm": "", "rlm": ""}

    def one(m):
        e = m.group(1)
        if e in named:
            return named[e]
        try:
            n = int(e[2:], 16) if e[:2] in ("#x", "#X") else int(e[1:]) if e[:1] == "#" else None
        except ValueError:
            n = None
        if n is None or n == 0 or n > 0x10FFFF or 0xD800 <= n <= 0xDFFF:
            return m.group(0)
        return chr(n)
    return re.sub(r"&([^;&]{1,10});", one, text)


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
    if path.lower().endswith((".md", ".markdown")):
        text = decode_references(text)
    return text


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
    paras, masks = passages(text)
    seen_codes = set()
    first = 0  # masks before `first` end before the current passage
    for s, e, speaker in paras:
        while first < len(masks) and masks[first][1] <= s:
            first += 1
        inside = []
        for ms, me in masks[first:]:
            if ms >= e:
                break
            inside.append((ms, me, None))
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
