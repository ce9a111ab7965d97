#!/usr/bin/env python3
"""Seed corpora for the fuzz targets (docs/reliability.md), cut from ../shared/corpora, the
repository's samples, pipelines and crafted models, and a tiny pack output.

usage: make_seeds.py SHARED OUT_DIR YI_PREP_BINARY
Writes OUT_DIR/<target>/seed-NNN files; small (at most 8 KB, most under 4 KB) so that libFuzzer
mutates them fast. Deterministic: the same inputs give the same seeds.
"""
import bz2
import glob
import gzip
import os
import re
import struct
import subprocess
import sys
import tempfile

shared, out_dir, yi_prep = sys.argv[1:4]
repo = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
LIMIT = 4096


def emit(target, items):
    folder = os.path.join(out_dir, target)
    os.makedirs(folder, exist_ok=True)
    for i, data in enumerate(items):
        with open(os.path.join(folder, "seed-%03d" % i), "wb") as f:
            f.write(data)
    print("%-10s %4d seeds" % (target, len(items)))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def zstd(data, frames=1):
    """zstd frames of `data` (cut into `frames` line-aligned pieces), via the zstd command."""
    lines = data.splitlines(keepends=True)
    step = max(1, len(lines) // frames)
    out = b""
    for k in range(0, len(lines), step):
        out += subprocess.run(["zstd", "-q", "-c", "-3"], input=b"".join(lines[k:k + step]),
                              capture_output=True, check=True).stdout
    return out


# JSON lines: short records of the real corpus and the damaged files, with field specs.
jsonl_lines = [l for l in read(os.path.join(shared, "corpora/jsonl/corpus.jsonl")).splitlines(keepends=True) if len(l) < 1500]
damaged = []
for name in ["bad_text_field", "empty_lines", "invalid_utf8", "malformed_lines"]:
    damaged += read(os.path.join(shared, "corpora/damaged/%s.jsonl" % name)).splitlines(keepends=True)
specs = [b"text|id|source", b"text|id|meta.lang", b"meta.text|meta.id|", b"text||meta.source.name"]
jsonl = []
for i in range(0, min(len(jsonl_lines), 120), 3):
    jsonl.append(specs[i % len(specs)] + b"\n" + b"".join(jsonl_lines[i:i + 3]))
for i in range(0, len(damaged), 4):
    jsonl.append(specs[i % len(specs)] + b"\n" + b"".join(damaged[i:i + 4])[:LIMIT])
emit("jsonl", jsonl)

# MediaWiki XML: the small real dumps whole, the large ones cut into one-page exports.
xml_files = sorted(glob.glob(os.path.join(shared, "corpora/wiki_xml/*.xml")))
pages, texts, head_of = [], [], {}
for path in xml_files:
    data = read(path)
    head = data[:data.find(b"<page>")] if b"<page>" in data else data[:300]
    for page in re.findall(rb"<page>.*?</page>", data, re.S):
        pages.append(head + page + b"</mediawiki>\n")
    texts += [t for t in re.findall(rb"<text[^>]*>(.*?)</text>", data, re.S)]
mediawiki = [read(p) for p in xml_files if os.path.getsize(p) <= 8192]
mediawiki += [p for p in pages if len(p) <= LIMIT][:60]
mediawiki.append(read(os.path.join(shared, "corpora/damaged/tinywiki-latest-pages-articles.undefined-entity.xml"))[:LIMIT])
emit("mediawiki", mediawiki)

# Wikitext: page texts (entity-escaped as in the XML; the cleaner sees both forms in practice).
unescape = lambda t: t.replace(b"&lt;", b"<").replace(b"&gt;", b">").replace(b"&quot;", b'"').replace(b"&amp;", b"&")
wikitext = [unescape(t)[:LIMIT] for t in texts if t.strip()][:120]
emit("wikitext", wikitext)

# SentencePiece models: the crafted ones whole, real ones cut (the reader must refuse cleanly).
models = [read(p) for p in sorted(glob.glob(os.path.join(repo, "Tests/YiTokenizerTests/Golden/crafted/*.model")))]
for name in ["yi", "llama2", "zh-bpe-nfkc"]:
    models.append(read(os.path.join(shared, "tokenizers/%s/tokenizer.model" % name))[:8192])
emit("spmodel", models)

# Compressed inputs: selector byte (compression | xml flag | cut size) + the file.
chunk = b"".join(jsonl_lines[:12])
xml_small = read(os.path.join(shared, "corpora/wiki_xml/macbre-mediawiki-dump-fixture.xml"))
compressed = [
    bytes([0x00 | 0x08]) + zstd(chunk, frames=3),
    bytes([0x00 | 0x30]) + zstd(chunk, frames=1),
    bytes([0x04 | 0x08]) + zstd(xml_small, frames=2),
    bytes([0x01 | 0x10]) + gzip.compress(chunk, mtime=0),
    bytes([0x01]) + gzip.compress(chunk[:500], mtime=0) + gzip.compress(chunk[500:900], mtime=0),
    bytes([0x02 | 0x08]) + bz2.compress(chunk),
    bytes([0x06 | 0x08]) + bz2.compress(xml_small[:700]) + bz2.compress(xml_small[700:]),
    bytes([0x03 | 0x18]) + chunk[:LIMIT],
    bytes([0x00]) + read(os.path.join(shared, "corpora/damaged/truncated.jsonl.zst"))[:LIMIT],
    bytes([0x04]) + read(os.path.join(shared, "corpora/wiki_xml/macbre-mediawiki-dump-fixture.xml.zst")),
]
emit("compressed", compressed)

# Pipeline files.
emit("pipeline", [read(p) for p in sorted(glob.glob(os.path.join(repo, "pipelines/*.yaml")))])

# Dataset readers: a tiny pack output (crafted model, 256-token sequences), several shapes.
with tempfile.TemporaryDirectory() as tmp:
    dataset = []
    for k, options in enumerate([["--shard-tokens", "512"], ["--shard-tokens", "100000"]]):
        src = os.path.join(tmp, "in-%d.jsonl" % k)
        with open(src, "wb") as f:
            f.writelines(jsonl_lines[k * 5:k * 5 + 3])
        out = os.path.join(tmp, "out-%d" % k)
        subprocess.run([yi_prep, "pack", "--len", "256", "--quiet", "--tokenizer",
                        os.path.join(repo, "Tests/YiTokenizerTests/Golden/crafted/userdefined.model"),
                        "--out", out] + options + [src], check=True)
        prefix = os.path.join(out, "len-256/shard-00000-00000")
        idx, docs, binary = read(prefix + ".idx"), read(prefix + ".docs"), read(prefix + ".bin")
        manifest = read(os.path.join(out, "manifest.json"))
        dataset.append(struct.pack("<III", len(idx), len(docs), len(binary)) + idx + docs + binary + manifest)
        dataset.append(struct.pack("<III", len(idx), len(docs), len(binary)) + idx + docs + binary)
    emit("dataset", dataset)
