#!/usr/bin/env python3
"""Builds a benchmark corpus of real text that repeats nowhere, from folders of text files.

`make_corpus.py` reaches large sizes by replicating the shared pool (7 MB), so its distinct words
are those of 7 MB of text, and anything that caches parts of the text (the tokenizer's segment
cache) looks better on it than on a real corpus of the same size. This script takes every file
under the given folders that is UTF-8 text (`.gz` files are decompressed: man pages), once, in a
seeded order, each folder giving about the same number of bytes, until the size is reached, plus
the shared pool once, and writes them as one `.jsonl.zst` of `{"id", "text", "source"}` lines.

    python3 tools/bench/make_unrepeated_corpus.py --size-mb 65 --out /tmp/unrepeated-65mb \\
        /usr/share/man /usr/share/vim /usr/lib/python3.11 /usr/share/doc

Same folders, files, size and seed give the same bytes. Files smaller than 200 bytes, larger than
4 MB, not valid UTF-8, or with a NUL byte are left out; so is a file whose text was already taken.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_corpus  # noqa: E402  (the pool and the zstandard install are shared with it)

MB = 1_000_000
REPO = Path(__file__).resolve().parents[2]
MIN_BYTES, MAX_BYTES = 200, 4 * MB


def text_of(path: Path) -> str | None:
    """The file's text, or None when it is not one this corpus takes."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        if path.suffix == ".gz":
            with gzip.open(path) as f:
                data = f.read(MAX_BYTES + 1)
        else:
            data = path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile):
        return None
    if not MIN_BYTES <= len(data) <= MAX_BYTES or b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def candidate_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    files = []
    for folder, _, names in os.walk(root):
        files += [Path(folder) / name for name in names]
    return sorted(f for f in files if f.is_file() and not f.is_symlink())


def shared_pool(shared: Path) -> list[tuple[str, str]]:
    return [(doc["id"], doc["text"]) for doc in make_corpus.load_pool(shared)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("roots", nargs="+", type=Path, help="folders (or files) to take text from")
    parser.add_argument("--size-mb", type=float, required=True, help="stop once this much JSONL is written (MB = 10^6 bytes)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the .jsonl.zst (created; nothing else is put there)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("YI_SHARED", REPO.parent / "shared")))
    parser.add_argument("--no-pool", action="store_true", help="leave out the shared pool")
    args = parser.parse_args()
    make_corpus.ensure_packages()
    import zstandard

    documents = [] if args.no_pool else shared_pool(args.shared)
    rng = random.Random(args.seed)
    queues = []
    for root in args.roots:
        files = candidate_files(root)
        rng.shuffle(files)
        queues.append((str(root), files))
    seen = {hashlib.sha256(text.encode()).digest() for _, text in documents}
    budget = int(args.size_mb * MB)
    lines, size = [], 0
    taken: dict[str, int] = {}   # bytes of JSONL per source
    counts: dict[str, int] = {}

    def add(doc_id: str, source: str, text: str) -> None:
        nonlocal size
        line = json.dumps({"id": doc_id, "text": text, "source": source}, ensure_ascii=False) + "\n"
        lines.append(line)
        line_bytes = len(line.encode())
        size += line_bytes
        taken[source] = taken.get(source, 0) + line_bytes
        counts[source] = counts.get(source, 0) + 1

    for doc_id, text in documents:
        add(doc_id, "shared-pool", text)
    # The folder with the fewest bytes taken so far gives the next file, so that one folder of
    # many small files (or a few huge ones) does not make up the corpus.
    while size < budget and queues:
        queues.sort(key=lambda q: taken.get(q[0], 0))
        root, files = queues[0]
        if not files:
            queues.pop(0)
            continue
        path = files.pop()
        text = text_of(path)
        if text is None:
            continue
        digest = hashlib.sha256(text.encode()).digest()
        if digest in seen:
            continue
        seen.add(digest)
        add(str(path), root, text)
    if size < budget:
        print(f"only {size / MB:.1f} MB of text found (asked for {args.size_mb} MB)", file=sys.stderr)
    random.Random(args.seed + 1).shuffle(lines)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "unrepeated-00000.jsonl.zst"
    partial = target.with_suffix(".zst.partial")
    partial.write_bytes(zstandard.ZstdCompressor(level=3).compress("".join(lines).encode()))
    partial.replace(target)
    print(f"{target}: {len(lines)} documents, {size / MB:.1f} MB of JSONL")
    for source in sorted(counts):
        print(f"  {counts[source]:6d} documents, {taken[source] / MB:6.1f} MB  {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
