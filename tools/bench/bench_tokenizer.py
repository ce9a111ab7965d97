#!/usr/bin/env python3
"""Tokenizer benchmark: yi-prep's native tokenizer vs SentencePiece (and HF `tokenizers`).

Times, on the same texts and in one run:
  * yi-prep   `yi-bench tokenizer` (release build): 1 thread and N threads
  * sentencepiece   `EncodeAsIds` per document, single thread (the reference)
  * tokenizers   HF `Tokenizer.encode` per document with ../shared/tokenizers/yi/tokenizer.spm-faithful.json
                 (only for the Yi model and when the package is installed)
on the whole corpus and on its English-only and Chinese-only subsets (by the `lang` field), prints
MB/s, tokens/s and the ratios to SentencePiece, and checks that all of them give identical ids.

Usage (from the repository root):
  swift build -c release --product yi-bench
  python3 tools/bench/bench_tokenizer.py                      # Yi model, mixed-en-zh-v1
  python3 tools/bench/bench_tokenizer.py --model ../shared/tokenizers/llama2/tokenizer.model
  python3 tools/bench/bench_tokenizer.py --corpus my.jsonl[.zst] --threads 2 --repeat 5

Timings alternate between the tokenizers and keep each one's best run, which tames the noise of a
shared machine; still, compare figures from one run only. Exit status 1 if any ids differ.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("YI_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))


def ensure_packages():
    try:
        import sentencepiece  # noqa: F401
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "sentencepiece>=0.2,<0.3"])
    try:
        import tokenizers  # noqa: F401
    except ImportError:
        try:
            subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "tokenizers"])
        except subprocess.CalledProcessError:
            print("note: HF tokenizers could not be installed; skipping it", file=sys.stderr)


def read_corpus(path):
    if path.endswith(".zst"):
        data = subprocess.run(["zstd", "-dcq", path], check=True, capture_output=True).stdout.decode("utf-8")
    else:
        with open(path, encoding="utf-8") as f:
            data = f.read()
    return [json.loads(line) for line in data.splitlines() if line.strip()]


def best_time(fn, repeat, clock=time.perf_counter):
    best = float("inf")
    for _ in range(repeat):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best


def run_yi_bench(binary, model, texts, threads, repeat, workdir):
    inp = os.path.join(workdir, "input.jsonl")
    ids_out = os.path.join(workdir, "ids.jsonl")
    with open(inp, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    out = subprocess.run([binary, "tokenizer", "--model", model, "--input", inp, "--threads", str(threads),
                          "--repeat", str(repeat), "--ids-out", ids_out, "--json"],
                         check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    with open(ids_out) as f:
        result["ids"] = [json.loads(line) for line in f]
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=os.path.join(SHARED, "tokenizers/yi/tokenizer.model"))
    parser.add_argument("--corpus", default=os.path.join(SHARED, "corpora/tokenizer-reference/mixed-en-zh-v1.jsonl.zst"))
    parser.add_argument("--hf-json", default=None,
                        help="HF tokenizer.json to compare (default: the Yi spm-faithful file, for the Yi model)")
    parser.add_argument("--yi-bench", default=os.path.join(ROOT, ".build/release/yi-bench"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    ensure_packages()
    import sentencepiece as spm
    try:
        import tokenizers
    except ImportError:
        tokenizers = None

    if not os.path.exists(args.yi_bench):
        sys.exit(f"{args.yi_bench} not found: run `swift build -c release --product yi-bench` first")
    hf_json = args.hf_json
    if hf_json is None and os.path.basename(os.path.dirname(os.path.abspath(args.model))) == "yi":
        hf_json = os.path.join(os.path.dirname(os.path.abspath(args.model)), "tokenizer.spm-faithful.json")
    hf = tokenizers.Tokenizer.from_file(hf_json) if tokenizers and hf_json and os.path.exists(hf_json) else None

    records = read_corpus(args.corpus)
    subsets = [("all", [r["text"] for r in records])]
    for lang in sorted({r.get("lang") for r in records if r.get("lang")}):
        subsets.append((lang, [r["text"] for r in records if r.get("lang") == lang]))

    sp = spm.SentencePieceProcessor(model_file=args.model)
    start = time.perf_counter()
    spm.SentencePieceProcessor(model_file=args.model)
    sp_load_ms = (time.perf_counter() - start) * 1000

    rows = []
    mismatches = 0
    with tempfile.TemporaryDirectory() as workdir:
        for name, texts in subsets:
            nbytes = sum(len(t.encode("utf-8")) for t in texts)
            reference = [sp.encode(t) for t in texts]
            ntokens = sum(len(x) for x in reference)
            yi = run_yi_bench(args.yi_bench, args.model, texts, args.threads, args.repeat, workdir)
            sp_time = best_time(lambda: [sp.encode(t) for t in texts], args.repeat)
            # Second round, alternating, so that a busy moment does not favour one side.
            yi2 = run_yi_bench(args.yi_bench, args.model, texts, args.threads, args.repeat, workdir)
            sp_time = min(sp_time, best_time(lambda: [sp.encode(t) for t in texts], args.repeat))
            sp_cpu = best_time(lambda: [sp.encode(t) for t in texts], args.repeat, clock=time.thread_time)
            yi_cpu = min(yi["cpu_seconds_1"], yi2["cpu_seconds_1"])
            yi_1 = min(yi["seconds_1"], yi2["seconds_1"])
            yi_n = min(yi["seconds_n"], yi2["seconds_n"])
            diff_yi = sum(1 for a, b in zip(yi["ids"], reference) if a != b) + abs(len(yi["ids"]) - len(reference))
            mismatches += diff_yi
            row = {"subset": name, "docs": len(texts), "bytes": nbytes, "tokens": ntokens,
                   "sp": sp_time, "sp_cpu": sp_cpu, "yi_cpu": yi_cpu, "yi1": yi_1, "yin": yi_n, "yi_load_ms": min(yi["load_ms"], yi2["load_ms"]),
                   "diff_yi": diff_yi}
            if hf is not None:
                hf_ids = [hf.encode(t, add_special_tokens=False).ids for t in texts]
                row["diff_hf"] = sum(1 for a, b in zip(hf_ids, reference) if a != b)
                mismatches += row["diff_hf"]
                row["hf"] = best_time(lambda: [hf.encode(t, add_special_tokens=False) for t in texts], args.repeat)
            rows.append(row)

    mb = lambda r, t: r["bytes"] / 1e6 / t
    print(f"model {args.model}\ncorpus {args.corpus}")
    print(f"model load: yi-prep {min(r['yi_load_ms'] for r in rows):.1f} ms, sentencepiece {sp_load_ms:.1f} ms")
    header = f"{'subset':6} {'docs':>5} {'MB':>6} {'tokens':>9} | {'spm MB/s':>8} | {'yi-prep 1T':>10} {'x spm':>6} | " \
             f"{'yi-prep ' + str(args.threads) + 'T':>10} {'x spm':>6} {'x 1T':>5}"
    if hf is not None:
        header += f" | {'HF MB/s':>8} {'x spm':>6}"
    header += " | ids"
    print(header)
    print("-" * len(header))
    for r in rows:
        line = f"{r['subset']:6} {r['docs']:5d} {r['bytes'] / 1e6:6.2f} {r['tokens']:9d} | {mb(r, r['sp']):8.2f} | " \
               f"{mb(r, r['yi1']):10.2f} {r['sp'] / r['yi1']:6.2f} | {mb(r, r['yin']):10.2f} {r['sp'] / r['yin']:6.2f} " \
               f"{r['yi1'] / r['yin']:5.2f}"
        if hf is not None:
            line += f" | {mb(r, r['hf']):8.2f} {r['sp'] / r['hf']:6.2f}"
        same = r["diff_yi"] == 0 and r.get("diff_hf", 0) == 0
        line += " | " + ("identical" if same else f"DIFFER (yi-prep {r['diff_yi']}, HF {r.get('diff_hf', '-')})")
        print(line)
    print("single thread, CPU time instead of wall-clock (steadier on a busy machine): " + ", ".join(
        f"{r['subset']} yi-prep {mb(r, r['yi_cpu']):.2f} MB/s vs spm {mb(r, r['sp_cpu']):.2f} MB/s = {r['sp_cpu'] / r['yi_cpu']:.2f}x"
        for r in rows))
    print("tokens/s (1 thread): " + ", ".join(f"{r['subset']} yi-prep {r['tokens'] / r['yi1']:,.0f} vs spm {r['tokens'] / r['sp']:,.0f}" for r in rows))
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
