#!/usr/bin/env python3
"""Corpus-wide dedup benchmark: `yi-prep dedup --near` against datatrove's 4-stage MinHash dedup.

One run, for each corpus size (`--sizes`, MB of JSONL):

  1. builds a corpus from the real space-delimited documents in ../shared/corpora/jsonl: distinct documents (each
     real document, and variants of it with half of its words replaced at random, which makes
     them unrelated at the 5-gram level), then planted duplicates: 5% exact copies and 5% near
     copies (3% of words changed, a sentence of boilerplate added), always after the original;
  2. `yi-prep dedup --near --threads 1` with datatrove's parameters (word 5-grams, 14 bands x 8
     rows, the defaults of datatrove's MinhashConfig) and, separately, with yi-prep's defaults
     (32 x 4); time of each pass (from the completion markers' mtimes), CPU seconds, peak RSS;
  3. datatrove's MinhashDedupSignature -> Buckets -> Cluster -> Filter with 1 task / 1 worker
     (same n-grams, bands and rows, 64-bit sha1 shingle hashes: its xxhash option fails on str in this version), CPU seconds and peak RSS;
  4. agreement: documents both drop, only yi-prep drops, only datatrove drops (by document id),
     and recall / false drops against the planted truth.

Both tools run one after the other on one core each, and each measurement is repeated
(`--repeat`, best CPU time kept): the machine is shared and noisy. datatrove is installed from
PyPI by this script (`pip install datatrove psutil`).

    python3 tools/bench/bench_dedup.py --sizes 20,80
    python3 tools/bench/bench_dedup.py --sizes 5 --repeat 1 --yi-prep .build/release/yi-prep

`--key-load DOCS,DOCS` measures the sorting passes alone, without datatrove: a synthetic corpus of
short documents (about 40 words each, so the keys are large against the text), a quarter of them
copies (exact, near with one word changed, and chains where each copy edits the previous one),
signed once, then `--pass buckets` and `--pass clusters` timed separately with a small `--memory`
(default 64M, so every sort spills) and 4 key shards: MB of keys (buckets) and of links
(clusters) per CPU second on one core, and each pass's peak RSS.

    python3 tools/bench/bench_dedup.py --key-load 500000,1500000 --skip-build
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared"
MB = 1_000_000


def ensure_packages() -> None:
    try:
        import datatrove  # noqa: F401
        import psutil  # noqa: F401
        import xxhash  # noqa: F401
        import spacy  # noqa: F401
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "datatrove", "psutil", "xxhash", "spacy"])


def make_corpus(size_mb: int, out: Path, seed: int = 7) -> dict:
    """Writes out/corpus.jsonl; returns the planted truth {copy id: original id}."""
    out.mkdir(parents=True, exist_ok=True)
    base = [json.loads(l) for l in open(SHARED / "corpora/jsonl/corpus.jsonl", encoding="utf-8")]
    # Space-delimited text only: the variants below edit space-separated words, which would leave
    # Chinese text (no spaces) whole, and datatrove's word tokenizer is chosen per language.
    base = [d for d in base if len(d["text"].split()) >= 50 and len(d["text"].split()) * 12 > len(d["text"])]
    vocabulary = sorted({w for d in base for w in d["text"].split()})
    rng = random.Random(seed)
    truth: dict[str, str] = {}
    written = 0
    n = 0
    originals: list[tuple[str, str]] = []
    with open(out / "corpus.jsonl", "w", encoding="utf-8") as f:
        while written < size_mb * MB:
            doc = base[n % len(base)]
            words = doc["text"].split(" ")
            if n >= len(base):  # a distinct variant: half of the words replaced
                words = [w if rng.random() < 0.5 else rng.choice(vocabulary) for w in words]
            text = " ".join(words)
            doc_id = f"d{n}"
            line = json.dumps({"id": doc_id, "text": text, "source": doc["source"]}, ensure_ascii=False) + "\n"
            f.write(line)
            written += len(line.encode())
            originals.append((doc_id, text))
            n += 1
            r = rng.random()
            if r < 0.10 and len(originals) > 1:
                orig_id, orig = rng.choice(originals[:-1])
                if r < 0.05:
                    copy = orig
                else:
                    w = orig.split(" ")
                    w = [x if rng.random() > 0.03 else rng.choice(vocabulary) for x in w]
                    copy = " ".join(w) + " Subscribe to our newsletter for more articles like this one."
                copy_id = f"c{n}"
                truth[copy_id] = orig_id
                line = json.dumps({"id": copy_id, "text": copy, "source": "copies"}, ensure_ascii=False) + "\n"
                f.write(line)
                written += len(line.encode())
    return truth


def run_measured(cmd: list[str], env=None) -> dict:
    """Runs cmd, returns wall, CPU seconds (children) and peak RSS of the process tree (polled)."""
    import psutil
    start = time.perf_counter()
    before = os.times()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.02)
    err = proc.stderr.read()
    wall = time.perf_counter() - start
    after = os.times()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss_mb": peak / 2**20, "stderr": err}


def yi_dedup(binary: str, corpus: Path, out: Path, bands: int, rows: int, memory: str) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [binary, "dedup", str(corpus), "--near", "--bands", str(bands), "--rows", str(rows), "--ngram", "5",
           "--out", str(out), "--threads", "1", "--memory", memory, "--quiet", "--key-shards", "16"]
    result = run_measured(cmd)
    # Pass times from the completion markers (the last marker of each pass).
    start = min(p.stat().st_mtime for p in (out / "run-fingerprint",))
    ends = {}
    for name in ("signatures", "buckets"):
        ends[name] = max(p.stat().st_mtime for p in (out / ".done" / name).iterdir())
    ends["clusters"] = (out / "drop-list.json").stat().st_mtime
    result["passes_s"] = {"signatures": ends["signatures"] - start, "buckets": ends["buckets"] - ends["signatures"],
                          "clusters": ends["clusters"] - ends["buckets"]}
    dropped = set()
    for f in sorted((out / "drop").glob("*.jsonl")):
        for line in open(f, encoding="utf-8"):
            dropped.add(json.loads(line)["id"])
    result["dropped"] = dropped
    result["disk_mb"] = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / MB
    return result


DATATROVE_SCRIPT = r'''
import sys, json
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter
from datatrove.pipeline.dedup import MinhashDedupSignature, MinhashDedupBuckets, MinhashDedupCluster, MinhashDedupFilter
from datatrove.pipeline.dedup.minhash import MinhashConfig
from datatrove.utils.hashing import HashConfig
from datatrove.executor import LocalPipelineExecutor
corpus, work, bands, rows, stage = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
config = MinhashConfig(hash_config=HashConfig(precision=64, hash_fc="sha1"), num_buckets=bands, hashes_per_bucket=rows, n_grams=5)
reader = lambda: JsonlReader(corpus, glob_pattern="*.jsonl")
kw = dict(tasks=1, workers=1, skip_completed=False)
if stage == "signatures":
    LocalPipelineExecutor(pipeline=[reader(), MinhashDedupSignature(output_folder=f"{work}/sigs", config=config)],
                          logging_dir=f"{work}/logs/s", **kw).run()
elif stage == "buckets":
    LocalPipelineExecutor(pipeline=[MinhashDedupBuckets(input_folder=f"{work}/sigs", output_folder=f"{work}/buckets", config=config)],
                          logging_dir=f"{work}/logs/b", tasks=bands, workers=1, skip_completed=False).run()
elif stage == "clusters":
    LocalPipelineExecutor(pipeline=[MinhashDedupCluster(input_folder=f"{work}/buckets", output_folder=f"{work}/remove_ids", config=config)],
                          logging_dir=f"{work}/logs/c", **kw).run()
else:
    LocalPipelineExecutor(pipeline=[reader(), MinhashDedupFilter(input_folder=f"{work}/remove_ids",
                          exclusion_writer=JsonlWriter(f"{work}/removed", compression=None)),
                          JsonlWriter(f"{work}/kept", compression=None)], logging_dir=f"{work}/logs/f", **kw).run()
'''


def datatrove_dedup(corpus: Path, work: Path, bands: int, rows: int) -> dict:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    script = work / "dt.py"
    script.write_text(DATATROVE_SCRIPT)
    total = {"wall_s": 0.0, "cpu_s": 0.0, "peak_rss_mb": 0.0, "passes_s": {}}
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    for stage in ("signatures", "buckets", "clusters", "filter"):
        r = run_measured([sys.executable, str(script), str(corpus), str(work), str(bands), str(rows), stage], env=env)
        total["wall_s"] += r["wall_s"]
        total["cpu_s"] += r["cpu_s"]
        total["peak_rss_mb"] = max(total["peak_rss_mb"], r["peak_rss_mb"])
        total["passes_s"][stage] = r["cpu_s"]
    dropped = set()
    for f in (work / "removed").glob("*.jsonl*"):
        for line in open(f, encoding="utf-8"):
            dropped.add(json.loads(line)["id"])
    total["dropped"] = dropped
    return total


def make_short_corpus(docs: int, path: Path, seed: int = 11) -> None:
    """docs short documents: 75% distinct random word lists, 25% copies of earlier ones."""
    rng = random.Random(seed)
    vocabulary = [f"w{n:x}" for n in range(50_000)]
    path.parent.mkdir(parents=True, exist_ok=True)
    made: list[list[str]] = []
    with open(path, "w", encoding="utf-8") as out:
        for n in range(docs):
            roll = rng.random()
            if made and roll < 0.25:
                kind = rng.choice(("exact", "near", "chain"))
                source = made[-1] if kind == "chain" else made[rng.randrange(len(made))]
                words = list(source)
                if kind != "exact":
                    words[rng.randrange(len(words))] = rng.choice(vocabulary)
            else:
                words = [rng.choice(vocabulary) for _ in range(40)]
            if len(made) < 100_000:
                made.append(words)
            else:
                made[rng.randrange(len(made))] = words
            out.write(json.dumps({"id": f"d{n}", "text": " ".join(words)}) + "\n")


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / MB


def key_load(binary: str, docs: int, work: Path, memory: str) -> dict:
    corpus = work / f"short-{docs}" / "corpus.jsonl"
    if not corpus.exists():
        make_short_corpus(docs, corpus)
    out = work / f"short-{docs}-dedup"
    shutil.rmtree(out, ignore_errors=True)
    base = [binary, "dedup", str(corpus.parent), "--exact", "--near", "--out", str(out), "--threads", "1",
            "--memory", memory, "--quiet", "--key-shards", "4"]
    row = {"documents": docs, "input_mb": corpus.stat().st_size / MB}
    for name in ("signatures", "buckets", "clusters"):
        row[name] = {k: v for k, v in run_measured(base + ["--pass", name]).items() if k != "stderr"}
        if name == "signatures":
            row["keys_mb"] = folder_mb(out / "keys")
        if name == "buckets":
            row["links_mb"] = folder_mb(out / "links")
    done = json.loads((out / "drop-list.json").read_text())
    row["dropped"] = done["dropped"]
    row["clusters_count"] = done["clusters"]
    markers = [json.loads(p.read_text()) for p in (out / ".done" / "clusters").glob("*.json")]
    row["rounds"] = len({p.name[:9] for p in (out / ".done" / "clusters").glob("round-*.json")})
    row["clusters"]["spilled_runs"] = sum(m.get("spilled_runs", 0) for m in markers)
    row["buckets"]["spilled_runs"] = sum(json.loads(p.read_text()).get("spilled_runs", 0) for p in (out / ".done" / "buckets").glob("*.json"))
    row["buckets"]["mb_per_cpu_s"] = row["keys_mb"] / max(row["buckets"]["cpu_s"], 1e-9)
    row["clusters"]["mb_per_cpu_s"] = row["links_mb"] / max(row["clusters"]["cpu_s"], 1e-9)
    row["signatures"]["mb_per_cpu_s"] = row["input_mb"] / max(row["signatures"]["cpu_s"], 1e-9)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="20,80", help="corpus sizes in MB, comma-separated")
    ap.add_argument("--repeat", type=int, default=2, help="runs per measurement; the lowest CPU time is kept")
    ap.add_argument("--yi-prep", default=str(REPO / ".build/release/yi-prep"))
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--memory", default="256M", help="yi-prep --memory")
    ap.add_argument("--work", default="/tmp/yi-prep-bench/dedup")
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--key-load", help="document counts, comma-separated: time the buckets and clusters passes alone (see above)")
    args = ap.parse_args()
    if not args.skip_build:
        subprocess.check_call(["swift", "build", "-c", "release", "--product", "yi-prep"], cwd=REPO)
    work = Path(args.work)
    if args.key_load:
        memory = args.memory if args.memory != "256M" else "64M"
        rows = [key_load(args.yi_prep, int(n), work, memory) for n in args.key_load.split(",")]
        print(f"\n--memory {memory}, one thread, 4 key shards, --exact --near 32x4")
        print("docs | input MB | keys MB | links MB | pass | CPU s | wall s | MB/CPU-s | peak RSS MB | spilled runs")
        for r in rows:
            for name, size in (("signatures", r["input_mb"]), ("buckets", r["keys_mb"]), ("clusters", r["links_mb"])):
                p = r[name]
                print(f"{r['documents']} | {r['input_mb']:.0f} | {r['keys_mb']:.0f} | {r['links_mb']:.0f} | {name} | {p['cpu_s']:.1f} | "
                      f"{p['wall_s']:.1f} | {p['mb_per_cpu_s']:.1f} | {p['peak_rss_mb']:.0f} | {p.get('spilled_runs', '')}")
            print(f"  dropped {r['dropped']} in {r['clusters_count']} clusters, {r['rounds']} star rounds")
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=1))
        return
    ensure_packages()
    report = []
    for size in [int(s) for s in args.sizes.split(",")]:
        cdir = work / f"corpus-{size}mb"
        truth = make_corpus(size, cdir)
        corpus_mb = (cdir / "corpus.jsonl").stat().st_size / MB
        docs = sum(1 for _ in open(cdir / "corpus.jsonl", encoding="utf-8"))
        best = lambda runs: min(runs, key=lambda r: r["cpu_s"])
        yi_dt = best([yi_dedup(args.yi_prep, cdir, work / "yi-14x8", 14, 8, args.memory) for _ in range(args.repeat)])
        yi_def = best([yi_dedup(args.yi_prep, cdir, work / "yi-32x4", 32, 4, args.memory) for _ in range(args.repeat)])
        dt = best([datatrove_dedup(cdir, work / "datatrove", 14, 8) for _ in range(args.repeat)])
        both = yi_dt["dropped"] & dt["dropped"]
        row = {
            "size_mb": round(corpus_mb, 1), "documents": docs, "planted": len(truth),
            "yi_14x8": {k: v for k, v in yi_dt.items() if k not in ("dropped", "stderr")} | {"dropped": len(yi_dt["dropped"])},
            "yi_32x4": {k: v for k, v in yi_def.items() if k not in ("dropped", "stderr")} | {"dropped": len(yi_def["dropped"])},
            "datatrove_14x8": {k: v for k, v in dt.items() if k != "dropped"} | {"dropped": len(dt["dropped"])},
            "agreement_14x8": {"both": len(both), "only_yi": len(yi_dt["dropped"] - dt["dropped"]),
                               "only_datatrove": len(dt["dropped"] - yi_dt["dropped"]),
                               "jaccard": len(both) / max(1, len(yi_dt["dropped"] | dt["dropped"]))},
        }
        for name, r in (("yi_14x8", yi_dt), ("yi_32x4", yi_def), ("datatrove_14x8", dt)):
            dropped = r["dropped"]
            row[name]["recall"] = len(dropped & truth.keys()) / max(1, len(truth))
            row[name]["false_drops"] = len(dropped - truth.keys())
            row[name]["mb_per_cpu_s"] = corpus_mb / max(r["cpu_s"], 1e-9)
        row["speed_ratio_per_core_14x8"] = dt["cpu_s"] / max(yi_dt["cpu_s"], 1e-9)
        report.append(row)
        print(json.dumps(row, indent=1), flush=True)
    print("\nsize MB | docs | tool | dropped | recall | false drops | CPU s | MB/CPU-s | peak RSS MB | passes s")
    for row in report:
        for name in ("yi_14x8", "yi_32x4", "datatrove_14x8"):
            r = row[name]
            passes = " ".join(f"{k}={v:.2f}" for k, v in r["passes_s"].items())
            print(f"{row['size_mb']} | {row['documents']} | {name} | {r['dropped']} | {r['recall']:.3f} | {r['false_drops']} | "
                  f"{r['cpu_s']:.2f} | {r['mb_per_cpu_s']:.2f} | {r['peak_rss_mb']:.0f} | {passes}")
        a = row["agreement_14x8"]
        print(f"  agreement (14x8): both {a['both']}, only yi-prep {a['only_yi']}, only datatrove {a['only_datatrove']}, "
              f"jaccard {a['jaccard']:.3f}; datatrove CPU / yi-prep CPU = {row['speed_ratio_per_core_14x8']:.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
