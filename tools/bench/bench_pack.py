#!/usr/bin/env python3
"""End-to-end benchmark of `yi-prep pack` against tokenize-only and the Python baseline.

One run, for each corpus size (`--sizes`, MB of decompressed JSONL built by make_corpus.py):

  yi-prep tokenize --threads N      tokenize-only throughput (ids as JSONL to /dev/null)
  yi-prep tokenize --format npy     the same ids as .npy arrays (1 thread and N threads)
  yi-prep pack --threads N          the whole job: read, tokenize, pack, write shards
  python_baseline.py --workers N    the same job as users do it today (HF tokenizers + numpy)
  spm_encode.py                     SentencePiece encode-only on the same texts, one thread
  yi-bench tokenizer --threads 1    yi-prep's tokenizer alone, in process, on the same texts

for each N in `--threads` (default 1,2), measuring wall time, MB/s of decompressed JSONL input
(MB = 10^6 bytes), tokens/s, CPU seconds and peak RSS (of the largest process, from
/usr/bin/time, and of the whole process tree, polled with psutil). It then prints one table and
the ratios the issues set as targets:

  pack / tokenize-only            >= 0.8   (same threads)
  yi-prep pack / Python baseline  >= 5     (same threads vs workers)
  2 threads / 1 thread            >= 1.85 for pack (issue 16), 1.8 for the others
  pack peak RSS, largest / smallest corpus: flat (<= 1.15)
  pack t1 / SentencePiece encode-only   >= 10   (issue 16; also per CPU-second)
  pack t1 time outside the tokenizer    <= 15%  (1 - tokenizer CPU / pack CPU; issue 16)

and checks correctness: tokenize-only tokens + one EOS per document = pack's document tokens
(from manifest.json) = the baseline's; same document counts; pack output byte-identical across
thread counts (shard sha256 in the manifests); `yi-prep verify OUT` exits 0 (when it exists).

    python3 tools/bench/bench_pack.py --sizes 50,500
    python3 tools/bench/bench_pack.py --sizes 5,20 --skip build   # quick look, existing binary
    python3 tools/bench/bench_pack.py --sizes 57 --rounds 3       # fastest of 3 alternating runs

Final figures belong to a quiet machine: the ratios are only as good as the machine is idle.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
import make_corpus  # noqa: E402

MB = 1_000_000
PARTS = ("build", "tokenize", "npy", "pack", "baseline", "spm", "verify")


def ensure_packages() -> None:
    missing = []
    for module, package in (("psutil", "psutil"), ("numpy", "numpy"), ("tokenizers", "tokenizers"),
                            ("zstandard", "zstandard"), ("sentencepiece", "sentencepiece>=0.2,<0.3")):
        try:
            __import__(module)
        except ImportError:
            missing.append(package)
    if missing:
        print(f"installing {' '.join(missing)}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=True)


def gnu_time() -> str | None:
    path = shutil.which("time", path="/usr/bin:/bin")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing GNU time (apt)", file=sys.stderr)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if subprocess.run(["apt-get", "install", "-y", "-qq", "time"], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            subprocess.run(["apt-get", "install", "-y", "-qq", "time"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return shutil.which("time", path="/usr/bin:/bin")


# ---------------------------------------------------------------------------------------------
# Measuring one command

@dataclass
class Measurement:
    label: str
    size_mb: int
    kind: str          # tokenize | pack | baseline
    threads: int
    command: list[str]
    returncode: int = 0
    seconds: float = 0.0
    cpu_seconds: float | None = None
    max_rss_mb: float | None = None    # largest single process (GNU time)
    tree_rss_mb: float | None = None   # sum over the process tree, polled
    input_bytes: int = 0
    tokens: int | None = None          # tokens the run produced (document tokens incl. EOS for pack/baseline)
    documents: int | None = None
    stderr_tail: str = ""
    stdout_tail: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def mb_per_s(self) -> float | None:
        return self.input_bytes / MB / self.seconds if self.seconds and self.returncode == 0 else None

    @property
    def mb_per_cpu_s(self) -> float | None:
        """Input MB per CPU-second: the work per unit of CPU, which a busy machine disturbs far
        less than wall time (a shared machine's wall-time ratios can be meaningless)."""
        return self.input_bytes / MB / self.cpu_seconds if self.cpu_seconds and self.returncode == 0 else None

    @property
    def tokens_per_s(self) -> float | None:
        return self.tokens / self.seconds if self.tokens and self.seconds and self.returncode == 0 else None


def measure(m: Measurement, time_binary: str | None, env: dict | None = None) -> Measurement:
    import psutil

    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as stats_file:
        stats_path = stats_file.name
    command = ([time_binary, "-f", "%M %U %S", "-o", stats_path] if time_binary else []) + m.command
    peak_tree = 0
    stop = threading.Event()

    def poll(process: psutil.Process) -> None:
        nonlocal peak_tree
        while not stop.is_set():
            try:
                total = process.memory_info().rss
                for child in process.children(recursive=True):
                    try:
                        total += child.memory_info().rss
                    except psutil.Error:
                        pass
                peak_tree = max(peak_tree, total)
            except psutil.Error:
                return
            stop.wait(0.05)

    keep_stdout = m.kind in ("spm", "tokenizer")  # these print their own timings as JSON
    with tempfile.TemporaryFile("w+b") as stderr_file, tempfile.TemporaryFile("w+b") as stdout_file:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout_file if keep_stdout else subprocess.DEVNULL,
                                   stderr=stderr_file, env=env)
        poller = threading.Thread(target=poll, args=(psutil.Process(process.pid),), daemon=True)
        poller.start()
        m.returncode = process.wait()
        m.seconds = time.perf_counter() - started
        stop.set()
        poller.join()
        stderr_file.seek(0)
        m.stderr_tail = stderr_file.read()[-4000:].decode("utf-8", "replace")
        stdout_file.seek(0)
        m.stdout_tail = stdout_file.read()[-4000:].decode("utf-8", "replace")
    m.tree_rss_mb = peak_tree / MB if peak_tree else None
    if time_binary:
        try:
            fields = Path(stats_path).read_text().split()
            # GNU time appends "Command exited with non-zero status N" first when it fails.
            maxrss_kb, user, system = fields[-3:]
            m.max_rss_mb = int(maxrss_kb) * 1024 / MB
            m.cpu_seconds = float(user) + float(system)
        except (OSError, ValueError):
            pass
    Path(stats_path).unlink(missing_ok=True)
    status = "ok" if m.returncode == 0 else f"FAILED (exit {m.returncode})"
    print(f"  {m.label:<34} {m.seconds:8.2f} s  {status}", file=sys.stderr)
    if m.returncode != 0:
        print("    " + m.stderr_tail.strip().replace("\n", "\n    ")[-1500:], file=sys.stderr)
    return m


# ---------------------------------------------------------------------------------------------
# Reading results

def count_tokenize_output(path: Path) -> tuple[int, int]:
    """(documents, tokens) in `yi-prep tokenize` JSONL output: each line holds an "ids" array."""
    documents = tokens = 0
    with open(path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            documents += 1
            key = line.find(b'"ids"')
            if key < 0:
                raise ValueError(f"{path}: a line without \"ids\": {line[:200]!r}")
            start = line.index(b"[", key)
            end = line.index(b"]", start)
            if line[start + 1:end].strip():
                tokens += line.count(b",", start, end) + 1
    return documents, tokens


def manifest_totals(out: Path) -> dict:
    """Document tokens (non-padding tokens, EOS included), documents and shard hashes from a
    pack output's manifest.json (format in docs/formats.md)."""
    manifest = json.loads((out / "manifest.json").read_text())
    buckets = manifest.get("buckets", [])
    document_tokens = sum(b["tokens"] - b["pad_tokens"] for b in buckets)
    counters = manifest.get("counters", {})
    documents = None
    for key in ("documents.packed", "documents.tokenized", "documents.in"):
        if isinstance(counters.get(key), int):
            documents = counters[key]
            break
    if documents is None:
        documents = sum(b.get("document_ends", 0) for b in buckets)
    hashes = {}
    for bucket in buckets:
        for shard in bucket.get("shards", []):
            for kind, info in shard.get("files", {}).items():
                hashes[f"{bucket.get('directory', bucket.get('sequence_length'))}/{shard['name']}.{kind}"] = info.get("sha256")
    return {"document_tokens": document_tokens, "documents": documents, "hashes": hashes,
            "fill": {b["sequence_length"]: b.get("fill_ratio") for b in buckets},
            "sequences": {b["sequence_length"]: b.get("sequences") for b in buckets},
            "counters": counters}


# ---------------------------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.time_binary = gnu_time()
        if not self.time_binary:
            print("note: no GNU time; peak RSS from psutil polling only", file=sys.stderr)
        self.results: list[Measurement] = []
        self.checks: list[tuple[str, bool | None, str]] = []
        self.shared = Path(args.shared)
        self.model = self.shared / "tokenizers/yi/tokenizer.model"
        self.hf_tokenizer = self.shared / "tokenizers/yi/tokenizer.spm-faithful.json"
        self.work = Path(args.work)
        self.yi_prep = Path(args.yi_prep) if args.yi_prep else None
        self.commands: set[str] = set()

    # -- setup ---------------------------------------------------------------------------------

    def build(self) -> None:
        if {"tokenize", "pack", "verify"} <= self.args.skip:
            return  # the baseline alone needs no yi-prep
        if "build" not in self.args.skip:
            print("building yi-prep (release)", file=sys.stderr)
            subprocess.run(["swift", "build", "-c", "release", "--product", "yi-prep"], cwd=REPO, check=True)
            if "spm" not in self.args.skip:
                subprocess.run(["swift", "build", "-c", "release", "--product", "yi-bench"], cwd=REPO, check=True)
        if self.yi_prep is None:
            bin_path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=REPO,
                                      check=True, capture_output=True, text=True).stdout.strip()
            self.yi_prep = Path(bin_path) / "yi-prep"
        if not self.yi_prep.is_file():
            sys.exit(f"bench_pack: no yi-prep binary at {self.yi_prep} (drop --skip build or pass --yi-prep)")
        help_text = subprocess.run([str(self.yi_prep), "--help"], capture_output=True, text=True).stdout
        section = help_text.split("SUBCOMMANDS:", 1)[-1] if "SUBCOMMANDS:" in help_text else ""
        self.commands = {line.split()[0] for line in section.splitlines() if line.strip()}
        for needed in ("tokenize", "pack", "verify"):
            if needed not in self.commands:
                print(f"note: this yi-prep has no `{needed}` command; its part is skipped", file=sys.stderr)

    def corpora(self) -> list[tuple[int, Path, dict]]:
        found = []
        for size in self.args.sizes:
            folder = make_corpus.build_corpus(size, Path(self.args.corpus_dir), seed=self.args.seed)
            description = json.loads(make_corpus.description_path(folder).read_text())
            for shard in folder.glob("*.jsonl.zst"):  # warm the page cache so no run pays for it
                with open(shard, "rb") as f:
                    while f.read(1 << 24):
                        pass
            found.append((size, folder, description))
        return found

    # -- runs ----------------------------------------------------------------------------------

    def run_tokenize(self, size: int, corpus: Path, description: dict, threads: int) -> Measurement | None:
        if "tokenize" in self.args.skip or "tokenize" not in self.commands:
            return None
        # Default: ids to stdout = /dev/null, counts from yi-prep's own summary line; with
        # --tokenize-output file the ids go to a scratch file and are counted here.
        to_file = self.args.tokenize_output == "file"
        output = self.work / f"tokenize-{size}mb-t{threads}.jsonl"
        output.unlink(missing_ok=True)
        m = Measurement(f"{size} MB  yi-prep tokenize  t{threads}", size, "tokenize", threads,
                        [str(self.yi_prep), "tokenize", "--tokenizer", str(self.model), "--threads", str(threads),
                         *(["--output", str(output)] if to_file else []), str(corpus)],
                        input_bytes=description["jsonl_bytes"])
        measure(m, self.time_binary)
        if m.returncode == 0:
            if to_file:
                m.documents, m.tokens = count_tokenize_output(output)
            else:
                summary = re.search(r"tokenized ([0-9]+) documents, ([0-9]+) tokens", m.stderr_tail)
                if summary:
                    m.documents, m.tokens = int(summary.group(1)), int(summary.group(2))
        output.unlink(missing_ok=True)
        return self.keep(m)

    def run_tokenize_npy(self, size: int, corpus: Path, description: dict, threads: int) -> Measurement | None:
        if "npy" in self.args.skip or "tokenize" not in self.commands:
            return None
        prefix = self.work / f"tokenize-{size}mb-t{threads}"
        m = Measurement(f"{size} MB  yi-prep tokenize npy t{threads}", size, "tokenize-npy", threads,
                        [str(self.yi_prep), "tokenize", "--tokenizer", str(self.model), "--threads", str(threads),
                         "--format", "npy", "--output", str(prefix), str(corpus)],
                        input_bytes=description["jsonl_bytes"])
        measure(m, self.time_binary)
        files = [Path(f"{prefix}.{suffix}") for suffix in ("ids.npy", "offsets.npy", "documents.jsonl")]
        if m.returncode == 0:
            import numpy as np
            offsets = np.load(files[1], mmap_mode="r")
            m.documents, m.tokens = len(offsets) - 1, int(offsets[-1])
        for file in files:
            file.unlink(missing_ok=True)
        return self.keep(m)

    def run_reference_tokenizers(self, size: int, corpus: Path, description: dict) -> None:
        """SentencePiece encode-only and yi-prep's tokenizer alone on the corpus's texts, one
        thread each: the issue-16 reference, and the split of pack's time (tokenizer vs rest)."""
        if "spm" in self.args.skip:
            return
        texts = self.work / f"texts-{size}mb.jsonl"
        m = Measurement(f"{size} MB  sentencepiece encode-only", size, "spm", 1,
                        [sys.executable, str(HERE / "spm_encode.py"), "--model", str(self.model),
                         "--texts-out", str(texts), str(corpus)], input_bytes=description["jsonl_bytes"])
        measure(m, self.time_binary)
        if m.returncode == 0:
            result = json.loads(m.stdout_tail.strip().splitlines()[-1])
            m.seconds, m.cpu_seconds = result["seconds"], result["cpu_seconds"]
            m.tokens, m.documents = result["tokens"], result["documents"]
        self.keep(m)
        yi_bench = self.yi_prep.parent / "yi-bench"
        if m.returncode == 0 and yi_bench.is_file():
            t = Measurement(f"{size} MB  yi-prep tokenizer alone", size, "tokenizer", 1,
                            [str(yi_bench), "tokenizer", "--model", str(self.model), "--input", str(texts),
                             "--threads", "1", "--repeat", "1", "--json"], input_bytes=description["jsonl_bytes"])
            measure(t, self.time_binary)
            if t.returncode == 0:
                result = json.loads(t.stdout_tail.strip().splitlines()[-1])
                t.seconds, t.cpu_seconds = result["seconds_1"], result["cpu_seconds_1"]
                t.tokens, t.documents = result["tokens"], m.documents
            self.keep(t)
        texts.unlink(missing_ok=True)

    def run_pack(self, size: int, corpus: Path, description: dict, threads: int) -> Measurement | None:
        if "pack" in self.args.skip or "pack" not in self.commands:
            return None
        out = self.work / f"pack-{size}mb-t{threads}"
        shutil.rmtree(out, ignore_errors=True)
        m = Measurement(f"{size} MB  yi-prep pack      t{threads}", size, "pack", threads,
                        [str(self.yi_prep), "pack", "--len", self.args.len, "--tokenizer", str(self.model),
                         "--out", str(out), "--threads", str(threads), "--strategy", self.args.strategy, str(corpus)],
                        input_bytes=description["jsonl_bytes"])
        measure(m, self.time_binary)
        if m.returncode == 0:
            totals = manifest_totals(out)
            m.tokens, m.documents = totals["document_tokens"], totals["documents"]
            m.extra = {"out": str(out), "hashes": totals["hashes"], "fill": totals["fill"],
                       "sequences": totals["sequences"]}
        return self.keep(m)

    def run_baseline(self, size: int, corpus: Path, description: dict, workers: int,
                     tokenizer_threads: int = 1) -> Measurement | None:
        if "baseline" in self.args.skip:
            return None
        out = self.work / f"baseline-{size}mb-w{workers}-r{tokenizer_threads}"
        shutil.rmtree(out, ignore_errors=True)
        label = f"python baseline   w{workers}" if tokenizer_threads == 1 else f"python baseline   rayon{tokenizer_threads}"
        m = Measurement(f"{size} MB  {label}", size, "baseline" if tokenizer_threads == 1 else "baseline-rayon",
                        max(workers, tokenizer_threads),
                        [sys.executable, str(HERE / "python_baseline.py"), "--tokenizer", str(self.hf_tokenizer),
                         "--len", self.args.len, "--out", str(out), "--strategy", self.args.strategy,
                         "--workers", str(workers), "--tokenizer-threads", str(tokenizer_threads), str(corpus)],
                        input_bytes=description["jsonl_bytes"])
        measure(m, self.time_binary)
        if m.returncode == 0:
            summary = json.loads((out / "summary.json").read_text())
            m.tokens, m.documents = summary["document_tokens"], summary["documents"]
            m.extra = {"fill": {b["sequence_length"]: b["fill_ratio"] for b in summary["buckets"]},
                       "input_bytes_read": summary["input_bytes"]}
        shutil.rmtree(out, ignore_errors=True)
        return self.keep(m)

    def keep(self, m: Measurement) -> Measurement:
        self.results.append(m)
        return m

    def keep_fastest(self, latest: list) -> list:
        """With --rounds, keeps one measurement per label: the fastest that succeeded (another
        process on the machine only ever slows a run down, so the minimum is the figure to
        compare). Returns `latest` with each entry replaced by its label's kept measurement."""
        best: dict[str, Measurement] = {}
        for m in self.results:
            if m.returncode == 0 and (m.label not in best or m.seconds < best[m.label].seconds):
                best[m.label] = m
        kept, seen = [], set()
        for m in self.results:
            if m.returncode != 0:
                kept.append(m)   # failures stay visible
            elif m.label not in seen:
                seen.add(m.label)
                kept.append(best[m.label])
        self.results = kept
        return [best.get(m.label, m) if m else m for m in latest]

    def check(self, name: str, ok: bool | None, detail: str) -> None:
        self.checks.append((name, ok, detail))

    def verify(self, size: int, pack_runs: list[Measurement]) -> None:
        done = [m for m in pack_runs if m and m.returncode == 0]
        if len(done) >= 2:
            first = done[0]
            for other in done[1:]:
                same = first.extra["hashes"] == other.extra["hashes"] and bool(first.extra["hashes"])
                self.check(f"{size} MB pack byte-identical t{first.threads} vs t{other.threads}", same,
                           f"{len(first.extra['hashes'])} files by sha256")
        if "verify" in self.args.skip or not done:
            return
        if "verify" not in self.commands:
            self.check(f"{size} MB yi-prep verify", None, "no verify command in this yi-prep")
            return
        result = subprocess.run([str(self.yi_prep), "verify", done[0].extra["out"]], capture_output=True, text=True)
        tail = (result.stdout + result.stderr).strip().splitlines()[-1:] or [""]
        self.check(f"{size} MB yi-prep verify (t{done[0].threads} output)", result.returncode == 0,
                   f"exit {result.returncode}: {tail[0][:120]}")

    def run(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        self.build()
        for size, corpus, description in self.corpora():
            print(f"corpus {size} MB: {corpus} ({description['documents']} documents, "
                  f"{description['jsonl_bytes'] / MB:.1f} MB JSONL)", file=sys.stderr)
            tokenize_runs = [self.run_tokenize(size, corpus, description, t) for t in self.args.threads]
            tokenize_runs += [self.run_tokenize_npy(size, corpus, description, t) for t in self.args.threads]
            pack_runs: list = []
            for round_number in range(self.args.rounds):
                if self.args.rounds > 1:
                    print(f"  round {round_number + 1} of {self.args.rounds}", file=sys.stderr)
                pack_runs = [self.run_pack(size, corpus, description, t) for t in self.args.threads]
                self.run_reference_tokenizers(size, corpus, description)
            pack_runs = self.keep_fastest(pack_runs)
            baseline_runs = [self.run_baseline(size, corpus, description, w) for w in self.args.threads]
            spm_run = self.find(size, "spm", 1)
            if self.args.baseline_rayon:
                baseline_runs += [self.run_baseline(size, corpus, description, 1, t)
                                  for t in self.args.threads if t > 1]
            self.verify(size, pack_runs)
            self.correctness(size, description, tokenize_runs, pack_runs, baseline_runs + [spm_run])
            if not self.args.keep_outputs:
                for m in pack_runs:
                    if m and "out" in m.extra:
                        shutil.rmtree(m.extra["out"], ignore_errors=True)

    def correctness(self, size: int, description: dict, tokenize_runs, pack_runs, baseline_runs) -> None:
        ok = lambda runs: [m for m in runs if m and m.returncode == 0]  # noqa: E731
        document_tokens = {}
        for m in ok(tokenize_runs) + [m for m in ok(baseline_runs) if m.kind == "spm"]:
            document_tokens[m.label.split("  ", 1)[1].strip()] = (m.tokens + m.documents, m.documents)
        for m in ok(pack_runs) + [m for m in ok(baseline_runs) if m.kind != "spm"]:
            document_tokens[m.label.split("  ", 1)[1].strip()] = (m.tokens, m.documents)
        if len(document_tokens) >= 2:
            values = set(document_tokens.values())
            detail = ", ".join(f"{k}: {v[0]:,} tokens / {v[1]:,} docs" for k, v in document_tokens.items())
            self.check(f"{size} MB same document tokens (EOS included) and documents everywhere", len(values) == 1, detail)
        runs = [m for m in ok(pack_runs) + ok(baseline_runs) + ok(tokenize_runs) if m.documents is not None]
        if runs:
            wrong = [f"{m.label.split('  ', 1)[1].strip()}: {m.documents:,}" for m in runs
                     if m.documents != description["documents"]]
            self.check(f"{size} MB every run saw all {description['documents']:,} corpus documents", not wrong,
                       "; ".join(wrong) if wrong else f"{len(runs)} runs")

    # -- report --------------------------------------------------------------------------------

    def find(self, size: int, kind: str, threads: int) -> Measurement | None:
        for m in self.results:
            if m.size_mb == size and m.kind == kind and m.threads == threads and m.returncode == 0:
                return m
        return None

    def report(self) -> dict:
        def fmt(value, spec):
            return format(value, spec) if value is not None else "-"

        lines = ["", "yi-prep pack benchmark (MB = 10^6 bytes of decompressed JSONL input; "
                 f"--len {self.args.len}, --strategy {self.args.strategy})", ""]
        header = (f"{'run':<34} {'wall s':>8} {'MB/s':>8} {'Mtok/s':>8} {'CPU s':>8} {'MB/CPU-s':>8} "
                  f"{'RSS MB':>8} {'tree MB':>8}")
        lines += [header, "-" * len(header)]
        for m in self.results:
            if m.returncode != 0:
                lines.append(f"{m.label:<34} FAILED (exit {m.returncode})")
                continue
            lines.append(f"{m.label:<34} {m.seconds:8.2f} {fmt(m.mb_per_s, '8.2f')} "
                         f"{fmt(m.tokens_per_s and m.tokens_per_s / 1e6, '8.3f')} {fmt(m.cpu_seconds, '8.1f')} "
                         f"{fmt(m.mb_per_cpu_s, '8.2f')} "
                         f"{fmt(m.max_rss_mb, '8.0f')} {fmt(m.tree_rss_mb, '8.0f')}")

        ratios = []

        def ratio(name, numerator, denominator, target, higher_is_better=True):
            if numerator is None or denominator is None or not denominator:
                return
            value = numerator / denominator
            ok = value >= target if higher_is_better else value <= target
            ratios.append((name, value, ("≥ " if higher_is_better else "≤ ") + f"{target:g}", ok))

        sizes = sorted({m.size_mb for m in self.results})
        for size in sizes:
            for t in self.args.threads:
                pack = self.find(size, "pack", t)
                tok = self.find(size, "tokenize", t)
                base = self.find(size, "baseline", t)
                ratio(f"{size} MB pack / tokenize-only, t{t}", pack and pack.mb_per_s, tok and tok.mb_per_s, 0.8)
                ratio(f"{size} MB pack t{t} / baseline w{t}", pack and pack.mb_per_s, base and base.mb_per_s, 5)
                ratio(f"{size} MB pack t{t} / baseline w{t}, per CPU-s", pack and pack.mb_per_cpu_s,
                      base and base.mb_per_cpu_s, 5)
                rayon = self.find(size, "baseline-rayon", t)
                ratio(f"{size} MB pack t{t} / baseline rayon{t}", pack and pack.mb_per_s, rayon and rayon.mb_per_s, 5)
            pack1, spm, alone = self.find(size, "pack", 1), self.find(size, "spm", 1), self.find(size, "tokenizer", 1)
            ratio(f"{size} MB pack t1 / sentencepiece encode-only", pack1 and pack1.mb_per_s, spm and spm.mb_per_s, 10)
            ratio(f"{size} MB pack t1 / sentencepiece, per CPU-s", pack1 and pack1.mb_per_cpu_s,
                  spm and spm.mb_per_cpu_s, 10)
            ratio(f"{size} MB tokenizer alone / sentencepiece", alone and alone.mb_per_cpu_s, spm and spm.mb_per_cpu_s, 10)
            if pack1 and alone and pack1.cpu_seconds and alone.cpu_seconds:
                outside = 1 - alone.cpu_seconds / pack1.cpu_seconds
                ratios.append((f"{size} MB pack t1 CPU outside the tokenizer", outside, "≤ 0.15", outside <= 0.15))
            if len(self.args.threads) >= 2:
                lo, hi = min(self.args.threads), max(self.args.threads)
                # A share of linear scaling: 2 threads / 1 at least 1.85 for pack (issue 16), 1.8 for the rest (issue 7).
                for kind, name, share in (("pack", "pack", 0.925), ("tokenize", "tokenize-only", 0.9),
                                          ("baseline", "baseline", 0.9)):
                    a, b = self.find(size, kind, hi), self.find(size, kind, lo)
                    ratio(f"{size} MB {name} t{hi} / t{lo}", a and a.mb_per_s, b and b.mb_per_s, share * hi / lo)
        if len(sizes) >= 2:
            small, large = sizes[0], sizes[-1]
            for t in self.args.threads:
                a, b = self.find(large, "pack", t), self.find(small, "pack", t)
                ratio(f"pack t{t} peak RSS {large} MB / {small} MB", a and a.max_rss_mb, b and b.max_rss_mb,
                      1.15, higher_is_better=False)
        lines += ["", f"{'ratio':<44} {'value':>8}  {'target':<8} result", "-" * 72]
        for name, value, target, ok in ratios:
            lines.append(f"{name:<44} {value:8.2f}  {target:<8} {'PASS' if ok else 'MISS'}")
        lines += ["", "correctness", "-" * 72]
        for name, ok, detail in self.checks:
            lines.append(f"{'PASS' if ok else ('n/a ' if ok is None else 'FAIL')}  {name}")
            lines.append(f"      {detail}")
        if not self.checks:
            lines.append("(nothing to compare)")
        lines += ["", f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
                  f"on {os.cpu_count()} cores (final figures belong to a quiet machine)"]
        print("\n".join(lines))
        return {
            "options": {k: v for k, v in vars(self.args).items()},
            "yi_prep": str(self.yi_prep),
            "runs": [{**{k: v for k, v in m.__dict__.items() if k not in ("stderr_tail", "extra")},
                      "mb_per_s": m.mb_per_s, "mb_per_cpu_s": m.mb_per_cpu_s, "tokens_per_s": m.tokens_per_s,
                      "fill": m.extra.get("fill")} for m in self.results],
            "ratios": [{"name": n, "value": v, "target": t, "pass": ok} for n, v, t, ok in ratios],
            "checks": [{"name": n, "pass": ok, "detail": d} for n, ok, d in self.checks],
            "loadavg": os.getloadavg(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,500", help="corpus sizes in MB, comma-separated (default 50,500)")
    parser.add_argument("--threads", default="1,2", help="thread / worker counts, comma-separated (default 1,2)")
    parser.add_argument("--len", default="8192,16384", help="bucket lengths (default 8192,16384)")
    parser.add_argument("--strategy", choices=["best-fit", "concat"], default="best-fit")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run pack and the reference tokenizers this many times, alternating, and keep the "
                             "fastest of each (steadier ratios on a shared machine; default 1)")
    parser.add_argument("--skip", default="", help=f"comma-separated parts to skip: {','.join(PARTS)}")
    parser.add_argument("--baseline-rayon", action="store_true",
                        help="also run the baseline in one process with encode_batch on N Rust threads")
    parser.add_argument("--yi-prep", help="yi-prep binary (default: the release build of this checkout)")
    parser.add_argument("--shared", default=os.environ.get("YI_SHARED", str(REPO.parent / "shared")),
                        help="the shared tokenizers/corpora folder (default ../shared or $YI_SHARED)")
    parser.add_argument("--corpus-dir", default=str(make_corpus.DEFAULT_OUT),
                        help=f"where corpora are built or reused (default {make_corpus.DEFAULT_OUT})")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    parser.add_argument("--work", default=str(make_corpus.DEFAULT_OUT.parent / "work"),
                        help="scratch folder for outputs")
    parser.add_argument("--tokenize-output", choices=["null", "file"], default="null",
                        help="tokenize-only ids to /dev/null (counts from yi-prep's summary) or to a scratch "
                             "file counted here (default null)")
    parser.add_argument("--keep-outputs", action="store_true", help="keep the pack outputs in --work")
    parser.add_argument("--json", help="also write the results as JSON to this file")
    args = parser.parse_args()
    try:
        args.sizes = [int(x) for x in args.sizes.split(",") if x]
        args.threads = sorted({int(x) for x in args.threads.split(",") if x})
    except ValueError:
        parser.error("--sizes and --threads take comma-separated integers")
    args.skip = {x for x in args.skip.split(",") if x}
    if args.skip - set(PARTS):
        parser.error(f"--skip takes {','.join(PARTS)}")
    for folder in (args.corpus_dir, args.work):
        resolved = Path(folder).resolve()
        if resolved == REPO or REPO in resolved.parents:
            parser.error(f"{folder} is inside the repository; pick a folder outside it")
    ensure_packages()
    bench = Bench(args)
    bench.run()
    results = bench.report()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str) + "\n")
    failed = any(ok is False for _, ok, _ in bench.checks) or any(m.returncode != 0 for m in bench.results)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
