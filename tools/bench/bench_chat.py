#!/usr/bin/env python3
"""Chat packing against plain packing, per byte of the same text (issue 12).

Builds two corpora from the same real documents (../shared/corpora/jsonl/corpus.jsonl,
replicated to --size-mb with each replica's lines rotated, so no document repeats byte for byte):

  plain.jsonl   {"id", "text": DOC}
  chat.jsonl    {"id", "messages": [{"role": "user", "content": first half of DOC's lines},
                                     {"role": "assistant", "content": second half}]}

so both hold the same text bytes (the chat one also pays for the template, the mask tracing and
the .mask sidecar; about half of its tokens are trained, the worst case for masks). Then it runs
`yi-prep pack --len 8192,16384` on each (`--chat yi` for the chat corpus) with 1 and 2 threads,
--repeat times, and prints the best wall time, MB/s of document text (MB = 10^6 UTF-8 bytes of the
documents' text, identical for both; documents above 30,000 bytes are left out so that nothing is
split or dropped), MB/s of JSONL input, tokens/s, CPU seconds, and the ratio
chat / plain. `yi-prep verify` checks each output once.

    swift build -c release --product yi-prep
    python3 tools/bench/bench_chat.py [--size-mb 50] [--threads 1,2] [--repeat 3]
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("YI_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
MB = 1_000_000


def build_corpora(size_mb, work):
    os.makedirs(work, exist_ok=True)
    plain_path, chat_path = os.path.join(work, "plain.jsonl"), os.path.join(work, "chat.jsonl")
    docs = []
    with open(os.path.join(SHARED, "corpora", "jsonl", "corpus.jsonl"), encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"]
            # Chat content may not hold <|...|> pieces; documents above 30,000 bytes could exceed the
            # 16K bucket, where plain text is split and chat dropped, so the two would differ in work.
            if "<|" not in text and text.count("\n") >= 2 and len(text.encode()) <= 30_000:
                docs.append(text)
    text_bytes = 0
    replica = 0
    with open(plain_path, "w", encoding="utf-8") as plain, open(chat_path, "w", encoding="utf-8") as chat:
        while text_bytes < size_mb * MB:
            for n, doc in enumerate(docs):
                lines = doc.split("\n")
                shift = replica % len(lines)
                lines = lines[shift:] + lines[:shift]
                half = len(lines) // 2
                user, assistant = "\n".join(lines[:half]), "\n".join(lines[half:])
                text = user + "\n" + assistant
                ident = f"r{replica}-{n}"
                plain.write(json.dumps({"id": ident, "text": text}, ensure_ascii=False) + "\n")
                chat.write(json.dumps({"id": ident, "messages": [{"role": "user", "content": user},
                                                                  {"role": "assistant", "content": assistant}]},
                                      ensure_ascii=False) + "\n")
                text_bytes += len(text.encode())
            replica += 1
    return plain_path, chat_path, text_bytes


def run(command):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=50)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--yi-prep", default=os.path.join(ROOT, ".build", "release", "yi-prep"))
    parser.add_argument("--work", default="/tmp/yi-prep-bench/chat")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    model = os.path.join(SHARED, "tokenizers", "yi", "tokenizer.model")
    plain, chat, text_bytes = build_corpora(args.size_mb, args.work)
    for path in (plain, chat):   # warm the page cache
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass
    rows = []
    for threads in [int(t) for t in args.threads.split(",")]:
        for kind, path, extra in (("plain", plain, []), ("chat", chat, ["--chat", "yi"])):
            out = os.path.join(args.work, f"out-{kind}-{threads}")
            best = None
            for _ in range(args.repeat):
                shutil.rmtree(out, ignore_errors=True)
                wall, cpu = run([args.yi_prep, "pack", "--len", "8192,16384", "--threads", str(threads), "--quiet",
                                 "--tokenizer", model, "--out", out] + extra + [path])
                best = (wall, cpu) if best is None or wall < best[0] else best
            subprocess.run([args.yi_prep, "verify", out], check=True, stdout=subprocess.DEVNULL)
            with open(os.path.join(out, "manifest.json")) as f:
                counters = json.load(f)["counters"]
            tokens = counters["tokens.documents"]
            dropped = sum(v for k, v in counters.items() if k.startswith("dropped."))
            if dropped:
                sys.exit(f"{kind}: {dropped} documents dropped; the corpora must be packed whole for a fair comparison")
            rows.append({"kind": kind, "threads": threads, "wall_s": round(best[0], 3), "cpu_s": round(best[1], 3),
                         "text_mb_per_s": round(text_bytes / MB / best[0], 2),
                         "input_mb_per_s": round(os.path.getsize(path) / MB / best[0], 2),
                         "tokens_per_s": round(tokens / best[0]), "tokens": tokens, "documents": counters["documents.packed"],
                         "trained_tokens": counters.get("chat.trained-tokens", tokens)})
    print(f"text: {text_bytes / MB:.1f} MB in each corpus (plain JSONL {os.path.getsize(plain) / MB:.1f} MB, "
          f"chat JSONL {os.path.getsize(chat) / MB:.1f} MB); best of {args.repeat}")
    print(f"{'run':<10}{'threads':>8}{'wall s':>9}{'CPU s':>9}{'text MB/s':>11}{'input MB/s':>12}{'M tokens/s':>12}{'trained':>9}")
    for r in rows:
        print(f"{r['kind']:<10}{r['threads']:>8}{r['wall_s']:>9.2f}{r['cpu_s']:>9.2f}{r['text_mb_per_s']:>11.1f}"
              f"{r['input_mb_per_s']:>12.1f}{r['tokens_per_s'] / 1e6:>12.2f}{r['trained_tokens'] / r['tokens']:>9.1%}")
    for threads in sorted({r["threads"] for r in rows}):
        p = next(r for r in rows if r["kind"] == "plain" and r["threads"] == threads)
        c = next(r for r in rows if r["kind"] == "chat" and r["threads"] == threads)
        ratio = c["text_mb_per_s"] / p["text_mb_per_s"]
        print(f"chat / plain, text MB/s, {threads} thread(s): {ratio:.3f}  (target >= 1.0: {'PASS' if ratio >= 1.0 else 'MISS'}); "
              f"per CPU-second: {p['cpu_s'] / c['cpu_s']:.3f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"text_bytes": text_bytes, "rows": rows}, f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
