#!/usr/bin/env python3
"""SentencePiece encode-only time on a benchmark corpus: the reference `bench_pack.py` puts
beside `yi-prep pack --threads 1` (issue 16: the whole job at 10x SentencePiece's encode alone).

Reads every `text` of the corpus (`.jsonl`, `.jsonl.zst`, or a folder of them) into memory
first (not timed), then times `SentencePieceProcessor.encode` per document on one thread, best
of `--repeat`, wall and CPU time. Prints one JSON line: documents, text_bytes, tokens, seconds,
cpu_seconds. `--texts-out FILE` also writes the texts as JSONL `{"text": ...}` (what
`yi-bench tokenizer --input` reads), so the in-process yi-prep tokenizer can be timed on the same
texts.

    python3 tools/bench/spm_encode.py --model ../shared/tokenizers/yi/tokenizer.model CORPUS
"""
import argparse
import json
import sys
import time
from pathlib import Path


def read_texts(path: Path) -> list[str]:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    texts = []
    for file in files:
        if file.name.endswith(".zst"):
            import zstandard
            with open(file, "rb") as f:
                data = zstandard.ZstdDecompressor().stream_reader(f).read()
        elif file.name.endswith((".jsonl", ".json", ".ndjson")):
            data = file.read_bytes()
        else:
            continue
        for line in data.splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--model", required=True)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--texts-out", type=Path)
    args = parser.parse_args()
    import sentencepiece as spm

    texts = read_texts(args.corpus)
    if args.texts_out:
        with open(args.texts_out, "w", encoding="utf-8") as f:
            for text in texts:
                f.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    sp = spm.SentencePieceProcessor(model_file=args.model)
    best_wall = best_cpu = float("inf")
    tokens = 0
    for _ in range(max(1, args.repeat)):
        wall, cpu = time.perf_counter(), time.thread_time()
        tokens = sum(len(sp.encode(text)) for text in texts)
        best_cpu = min(best_cpu, time.thread_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    print(json.dumps({"documents": len(texts), "text_bytes": sum(len(t.encode("utf-8")) for t in texts),
                      "tokens": tokens, "seconds": best_wall, "cpu_seconds": best_cpu}))


if __name__ == "__main__":
    sys.exit(main())
