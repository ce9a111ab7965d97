#!/usr/bin/env python3
"""Builds a per-language corpus from the translated man pages of this machine, for
`bench_tokenizer.py`: exactness and speed against SentencePiece, language by language.

The shared corpora hold English and Chinese; issue 16 also asks that no language be slower than
5x SentencePiece, and the tokenizer must give the same ids in every script. Debian installs man
pages translated into two dozen languages (Cyrillic, Japanese, Korean, Latin scripts with
diacritics...) under /usr/share/man/LANG/. This takes up to --kb-per-language KB of UTF-8 text
from each (files in sorted order, `.gz` decompressed) and writes `{"id", "text", "lang"}` lines;
`bench_tokenizer.py` then reports one row per `lang`.

    python3 tools/bench/make_multilingual_corpus.py --out /tmp/multilingual.jsonl
    python3 tools/bench/bench_tokenizer.py --corpus /tmp/multilingual.jsonl --repeat 3

The text is roff source, escapes and all: dirty, as real corpora are. Languages with less than
--min-kb KB are left out (a subset of a few KB times a few hundred microseconds, not a tokenizer).
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path


def text_of(path: Path) -> str | None:
    try:
        data = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
        return data.decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError):
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="JSONL file to write")
    parser.add_argument("--man", default="/usr/share/man", help="man page root (default: /usr/share/man)")
    parser.add_argument("--kb-per-language", type=int, default=400)
    parser.add_argument("--min-kb", type=int, default=100)
    args = parser.parse_args()

    root = Path(args.man)
    languages = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("man"))
    if not languages:
        sys.exit(f"no translated man pages under {root} (install manpages-de, manpages-ja, ... or pass --man)")
    lines: list[str] = []
    for language in languages:
        taken: list[str] = []
        size = 0
        for path in sorted((root / language).glob("man*/*")):
            text = text_of(path)
            if text is None or "\0" in text:
                continue
            taken.append(json.dumps({"id": str(path), "text": text, "lang": language}, ensure_ascii=False) + "\n")
            size += len(text.encode())
            if size >= args.kb_per_language * 1000:
                break
        if size < args.min_kb * 1000:
            print(f"{language:6} {size / 1000:7.1f} KB  left out (under --min-kb)")
            continue
        print(f"{language:6} {size / 1000:7.1f} KB  {len(taken)} pages")
        lines += taken
    Path(args.out).write_text("".join(lines), encoding="utf-8")
    print(f"wrote {args.out}: {len(lines)} documents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
