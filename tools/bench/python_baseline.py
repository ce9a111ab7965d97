#!/usr/bin/env python3
"""The Python baseline for `yi-prep pack`: the same job done the way users do it today.

Modelled on Megatron-LM's `tools/preprocess_data.py`: JSONL lines are parsed with `json`, the
text is tokenized with Hugging Face `tokenizers` (`encode_batch`, no special tokens) and EOS is
appended to every document; worker processes (`--workers N`, multiprocessing like
preprocess_data.py's Pool) tokenize batches while the main process reads, packs and writes.
On top of preprocess_data.py it packs documents into fixed-length sequences per length bucket,
like yi-prep:

- routing: a document (tokens + EOS) goes to the smallest bucket it fits; one longer than the
  largest bucket is cut into chunks of that length, the last shorter chunk staying in the
  largest bucket;
- `--strategy concat`: each bucket's documents concatenated and cut at the bucket length, the
  last sequence padded;
- `--strategy best-fit`: best-fit decreasing per bucket over a window of pending tokens
  (64 sequences of the largest bucket, as yi-prep), at most 64 open sequences per bucket, the
  rest of a sequence padded with `--pad-id` (no cross-filling between buckets: a simple best-fit).

Output per bucket: `OUT/len-<N>/shard-NNNNN.bin/.idx` in Megatron's MMIDIDX v1 layout written
with numpy (uint16 when the vocabulary is below 65,500, else int32), one Megatron document per
sequence, and `OUT/summary.json` with the totals the benchmark compares with yi-prep's manifest.

    python3 tools/bench/python_baseline.py --tokenizer ../shared/tokenizers/yi/tokenizer.spm-faithful.json \\
        --len 8192,16384 --out /tmp/baseline --workers 2 /tmp/yi-prep-bench/corpora/corpus-50mb-seed1

`--workers 1` (the default) runs in one process with the tokenizer's own threading off;
`--tokenizer-threads N` instead lets `encode_batch` use N Rust threads in that process.
"""
from __future__ import annotations

import argparse
import bisect
import collections
import glob
import gzip
import io
import json
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

MMIDIDX_MAGIC = b"MMIDIDX\x00\x00"
DTYPE_CODES = {"uint16": 8, "int32": 4}
WINDOW_SEQUENCES = 64  # yi-prep's default best-fit window, in sequences of the largest bucket
MAX_OPEN_SEQUENCES = 64


def ensure_packages() -> None:
    missing = []
    for module, package in (("numpy", "numpy"), ("tokenizers", "tokenizers"), ("zstandard", "zstandard")):
        try:
            __import__(module)
        except ImportError:
            missing.append(package)
    if missing:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=True)


# ---------------------------------------------------------------------------------------------
# Inputs

SUFFIXES = (".jsonl", ".json", ".jsonl.zst", ".json.zst", ".jsonl.gz", ".json.gz")


def discover(inputs: list[str]) -> list[Path]:
    files: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted((p for p in path.rglob("*") if p.is_file()), key=lambda p: str(p).encode())
            files += [p for p in found if p.name.endswith(SUFFIXES)]
        elif any(ch in item for ch in "*?["):
            files += sorted((Path(p) for p in glob.glob(item, recursive=True)), key=lambda p: str(p).encode())
        elif path.is_file():
            if not path.name.endswith(SUFFIXES):
                sys.exit(f"python_baseline: {path}: not a JSONL input (.jsonl, .jsonl.zst, .jsonl.gz)")
            files.append(path)
        else:
            sys.exit(f"python_baseline: {path}: no such file or folder")
    if not files:
        sys.exit("python_baseline: no JSONL inputs found")
    return files


def open_lines(path: Path):
    raw = open(path, "rb")
    if path.name.endswith(".zst"):
        import zstandard
        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, closefd=True), 1 << 20)
    if path.name.endswith(".gz"):
        return gzip.open(raw)
    return raw


def read_batches(files: list[Path], batch_size: int):
    """Yields lists of raw JSONL lines (bytes); the main process only splits lines, like
    preprocess_data.py, and leaves JSON parsing to the workers."""
    batch: list[bytes] = []
    for path in files:
        with open_lines(path) as stream:
            for line in stream:
                batch.append(line)
                if len(batch) == batch_size:
                    yield batch
                    batch = []
    if batch:
        yield batch


# ---------------------------------------------------------------------------------------------
# Tokenizing (runs in the workers)

class Encoder:
    """Per-process state, as preprocess_data.py's Encoder.initializer sets up."""
    tokenizer = None
    text_field = "text"
    eos_id = 2
    dtype = None

    @classmethod
    def initialize(cls, tokenizer_path: str, text_field: str, eos_id: int) -> None:
        import numpy as np
        from tokenizers import Tokenizer
        cls.tokenizer = Tokenizer.from_file(tokenizer_path)
        cls.text_field = text_field
        cls.eos_id = eos_id
        cls.dtype = np.uint16 if cls.tokenizer.get_vocab_size() < 65500 else np.int32

    @classmethod
    def encode(cls, lines: list[bytes]):
        """One batch of lines -> (all tokens concatenated, per-document lengths, counts)."""
        import numpy as np
        texts = []
        rejects = collections.Counter()
        input_bytes = 0
        for line in lines:
            input_bytes += len(line)
            if not line.strip():
                rejects["empty-line"] += 1
                continue
            try:
                record = json.loads(line)
            except ValueError:
                rejects["malformed-json"] += 1
                continue
            value = record
            for key in cls.text_field.split("."):
                value = value.get(key) if isinstance(value, dict) else None
            if not isinstance(value, str):
                rejects["missing-text"] += 1
                continue
            texts.append(value)
        encodings = cls.tokenizer.encode_batch(texts, add_special_tokens=False)
        flat: list[int] = []
        lengths: list[int] = []
        eos = cls.eos_id
        empty = 0
        for encoding in encodings:
            ids = encoding.ids
            if not ids:  # preprocess_data.py drops documents without tokens
                empty += 1
                continue
            flat.extend(ids)
            flat.append(eos)
            lengths.append(len(ids) + 1)
        if empty:
            rejects["empty-document"] += empty
        return np.array(flat, dtype=cls.dtype), np.array(lengths, dtype=np.int64), dict(rejects), input_bytes


# ---------------------------------------------------------------------------------------------
# Megatron MMIDIDX writer (numpy), with shard rotation

class BucketWriter:
    def __init__(self, folder: Path, length: int, dtype, pad_id: int, shard_tokens: int):
        import numpy as np
        self.np = np
        self.folder = folder
        self.length = length
        self.dtype = np.dtype(dtype)
        self.pad_id = pad_id
        self.per_shard = max(1, shard_tokens // length)
        folder.mkdir(parents=True, exist_ok=True)
        self.shard = -1
        self.handle = None
        self.in_shard = 0
        self.sequences = 0
        self.pad_tokens = 0
        self.shards: list[str] = []

    def _rotate(self) -> None:
        self._close()
        self.shard += 1
        name = f"shard-{self.shard:05d}"
        self.shards.append(name)
        self.handle = open(self.folder / (name + ".bin"), "wb")
        self.in_shard = 0

    def write(self, parts: list, used: int) -> None:
        """One sequence from document pieces holding `used` tokens, padded to the length."""
        if self.handle is None or self.in_shard == self.per_shard:
            self._rotate()
        pad = self.length - used
        for part in parts:
            self.handle.write(part.tobytes())
        if pad:
            self.handle.write(self.np.full(pad, self.pad_id, dtype=self.dtype).tobytes())
            self.pad_tokens += pad
        self.in_shard += 1
        self.sequences += 1

    def _close(self) -> None:
        if self.handle is None:
            return
        self.handle.close()
        self._write_index(self.folder / (self.shards[-1] + ".idx"), self.in_shard)
        self.handle = None

    def _write_index(self, path: Path, count: int) -> None:
        np = self.np
        lengths = np.full(count, self.length, dtype=np.int32)
        pointers = np.arange(count, dtype=np.int64) * (self.length * self.dtype.itemsize)
        document_indices = np.arange(count + 1, dtype=np.int64)
        with open(path, "wb") as f:
            f.write(MMIDIDX_MAGIC)
            f.write(struct.pack("<Q", 1))
            f.write(struct.pack("<B", DTYPE_CODES[self.dtype.name]))
            f.write(struct.pack("<Q", count))
            f.write(struct.pack("<Q", count + 1))
            f.write(lengths.tobytes(order="C"))
            f.write(pointers.tobytes(order="C"))
            f.write(document_indices.tobytes(order="C"))

    def finish(self) -> None:
        self._close()


# ---------------------------------------------------------------------------------------------
# Packing

class ConcatBucket:
    def __init__(self, writer: BucketWriter):
        self.writer = writer
        self.pending: list = []
        self.count = 0

    def add(self, doc) -> None:
        np = self.writer.np
        length = self.writer.length
        self.pending.append(doc)
        self.count += len(doc)
        if self.count >= length:
            joined = np.concatenate(self.pending)
            full = len(joined) // length
            for i in range(full):
                self.writer.write([joined[i * length:(i + 1) * length]], length)
            rest = joined[full * length:]
            self.pending = [rest] if len(rest) else []
            self.count = len(rest)

    def finish(self) -> None:
        if self.count:
            self.writer.write(self.pending, self.count)
        self.pending, self.count = [], 0


class BestFitBucket:
    """Best-fit decreasing over a token window; open sequences kept in a list sorted by
    remaining space, so the tightest fit is a bisect."""

    def __init__(self, writer: BucketWriter, window_tokens: int):
        self.writer = writer
        self.window_tokens = window_tokens
        self.pending: list = []
        self.pending_tokens = 0
        self.open: list[tuple[int, int]] = []  # (remaining, serial), sorted
        self.contents: dict[int, list] = {}
        self.serial = 0

    def add(self, doc) -> None:
        self.pending.append(doc)
        self.pending_tokens += len(doc)
        if self.pending_tokens >= self.window_tokens:
            self._place()

    def _place(self) -> None:
        length = self.writer.length
        for doc in sorted(self.pending, key=len, reverse=True):
            size = len(doc)
            at = bisect.bisect_left(self.open, (size, -1))
            if at < len(self.open):
                remaining, serial = self.open.pop(at)
            else:
                remaining, serial = length, self.serial
                self.serial += 1
                self.contents[serial] = []
            self.contents[serial].append(doc)
            remaining -= size
            if remaining == 0:
                self.writer.write(self.contents.pop(serial), length)
            else:
                bisect.insort(self.open, (remaining, serial))
        self.pending, self.pending_tokens = [], 0
        while len(self.open) > MAX_OPEN_SEQUENCES:  # close the fullest
            remaining, serial = self.open.pop(0)
            self.writer.write(self.contents.pop(serial), length - remaining)

    def finish(self) -> None:
        if self.pending:
            self._place()
        for remaining, serial in sorted(self.open, key=lambda item: item[1]):
            self.writer.write(self.contents.pop(serial), self.writer.length - remaining)
        self.open = []


class Packer:
    def __init__(self, lengths: list[int], strategy: str, out: Path, dtype, pad_id: int, shard_tokens: int):
        self.lengths = sorted(lengths)
        self.writers = []
        self.buckets = []
        for length in self.lengths:
            writer = BucketWriter(out / f"len-{length}", length, dtype, pad_id, shard_tokens)
            self.writers.append(writer)
            if strategy == "concat":
                self.buckets.append(ConcatBucket(writer))
            else:
                self.buckets.append(BestFitBucket(writer, WINDOW_SEQUENCES * self.lengths[-1]))
        self.split_documents = 0
        self.routed = [0] * len(self.lengths)

    def add(self, doc) -> None:
        largest = self.lengths[-1]
        if len(doc) > largest:
            self.split_documents += 1
            full = len(doc) // largest
            for i in range(full):
                self.writers[-1].write([doc[i * largest:(i + 1) * largest]], largest)
            doc = doc[full * largest:]
            if not len(doc):
                return
            home = len(self.lengths) - 1
        else:
            home = bisect.bisect_left(self.lengths, len(doc))
        self.routed[home] += 1
        self.buckets[home].add(doc)

    def finish(self) -> None:
        for bucket in self.buckets:
            bucket.finish()
        for writer in self.writers:
            writer.finish()


# ---------------------------------------------------------------------------------------------

def run(args) -> dict:
    import numpy as np

    files = discover(args.inputs)
    if args.workers == 1:
        os.environ["TOKENIZERS_PARALLELISM"] = "true" if args.tokenizer_threads > 1 else "false"
        os.environ["RAYON_NUM_THREADS"] = str(args.tokenizer_threads)
    else:
        os.environ["TOKENIZERS_PARALLELISM"] = "false"  # one thread per worker process
    started = time.perf_counter()
    Encoder.initialize(args.tokenizer, args.text_field, args.eos_id)
    dtype = Encoder.dtype
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    packer = Packer([int(x) for x in args.len.split(",")], args.strategy, out, dtype, args.pad_id, args.shard_tokens)

    totals = {"documents": 0, "document_tokens": 0, "input_bytes": 0}
    rejects: collections.Counter = collections.Counter()

    def consume(result) -> None:
        tokens, lengths, batch_rejects, input_bytes = result
        rejects.update(batch_rejects)
        totals["input_bytes"] += input_bytes
        totals["documents"] += len(lengths)
        totals["document_tokens"] += int(tokens.size)
        offset = 0
        for n in lengths.tolist():
            packer.add(tokens[offset:offset + n])
            offset += n

    batches = read_batches(files, args.batch_size)
    if args.workers == 1:
        for batch in batches:
            consume(Encoder.encode(batch))
    else:
        import multiprocessing
        # Bounded in flight (preprocess_data.py's imap would read the whole input ahead).
        with multiprocessing.Pool(args.workers, initializer=Encoder.initialize,
                                  initargs=(args.tokenizer, args.text_field, args.eos_id)) as pool:
            in_flight: collections.deque = collections.deque()
            for batch in batches:
                in_flight.append(pool.apply_async(Encoder.encode, (batch,)))
                if len(in_flight) >= 2 * args.workers:
                    consume(in_flight.popleft().get())
            while in_flight:
                consume(in_flight.popleft().get())
    packer.finish()
    elapsed = time.perf_counter() - started

    buckets = []
    for writer, routed in zip(packer.writers, packer.routed):
        tokens = writer.sequences * writer.length
        buckets.append({"sequence_length": writer.length, "sequences": writer.sequences, "tokens": tokens,
                        "pad_tokens": writer.pad_tokens, "routed_documents": routed,
                        "fill_ratio": round((tokens - writer.pad_tokens) / tokens, 6) if tokens else None,
                        "shards": writer.shards})
    packed_document_tokens = sum(b["tokens"] - b["pad_tokens"] for b in buckets)
    if packed_document_tokens != totals["document_tokens"]:
        raise SystemExit(f"python_baseline: internal error: packed {packed_document_tokens} document tokens, "
                         f"tokenized {totals['document_tokens']}")
    summary = {
        "tool": "python_baseline", "strategy": args.strategy, "workers": args.workers,
        "tokenizer_threads": args.tokenizer_threads, "tokenizer": str(args.tokenizer),
        "dtype": np.dtype(dtype).name, "inputs": [str(f) for f in files],
        **totals, "split_documents": packer.split_documents, "rejects": dict(rejects),
        "buckets": buckets, "seconds": round(elapsed, 3),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", help=".jsonl/.jsonl.zst/.jsonl.gz files, folders or globs")
    parser.add_argument("--tokenizer", required=True, help="Hugging Face tokenizer.json")
    parser.add_argument("--len", default="8192,16384", help="bucket lengths, comma-separated")
    parser.add_argument("--out", required=True)
    parser.add_argument("--strategy", choices=["best-fit", "concat"], default="best-fit")
    parser.add_argument("--workers", type=int, default=1, help="tokenizer processes (1: in-process)")
    parser.add_argument("--tokenizer-threads", type=int, default=1,
                        help="Rust threads encode_batch may use (only with --workers 1)")
    parser.add_argument("--batch-size", type=int, default=256, help="lines per encode_batch call")
    parser.add_argument("--text-field", default="text", help="dotted path of the text in each record")
    parser.add_argument("--eos-id", type=int, default=2)
    parser.add_argument("--pad-id", type=int, default=0)
    parser.add_argument("--shard-tokens", type=int, default=1 << 30)
    args = parser.parse_args()
    if args.workers < 1 or args.tokenizer_threads < 1 or args.batch_size < 1:
        parser.error("--workers, --tokenizer-threads and --batch-size must be at least 1")
    ensure_packages()
    summary = run(args)
    brief = {k: summary[k] for k in ("documents", "document_tokens", "input_bytes", "split_documents", "seconds")}
    print(json.dumps(brief))


if __name__ == "__main__":
    main()
