#!/usr/bin/env python3
"""Hostile numbers for every option of every command: a crash is a finding.

    tools/fuzz/cli_numbers.py [--yi-prep BIN] [--shared ../shared] [--quick]

Reads each command's options from `yi-prep help COMMAND`, so a new option is probed without
editing this file, and runs a small valid command line with one option replaced by 0, -1,
2**63-1, -2**63, 2**31-1, 2**32, 10**20, 1e308, nan or inf (`--quick`: the first four). The
command may refuse the value (exit 2) or accept it; it must not die of a signal (a trap, an
overflow, a segfault) or exceed the time limit. A run that is slow because the value asks for a
huge amount of work (`evalset --count 2**63-1`) is listed as slow and does not fail the probe.
Exits 1 when something crashed (docs/reliability.md, "Command-line numbers").
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

FULL_VALUES = ["0", "-1", str(2**63 - 1), str(-(2**63)), str(2**31 - 1), str(2**32), str(10**20), "1e308", "nan", "inf"]
QUICK_VALUES = FULL_VALUES[:4]
# Runs that take longer than this are reported as slow; a crash is any death by signal.
TIME_LIMIT_S = 30
# Options whose value is a path or a choice word: hostile numbers there only test file creation.
SKIPPED = {"--out", "--output", "--rejects", "--html", "--config", "--tokenizer", "--filler", "--drop-list", "--text"}


def options_of(binary, command):
    text = subprocess.run([binary, "help", command], capture_output=True, text=True, check=True).stdout
    return sorted({m for m in re.findall(r"^\s+(--[a-z][a-z-]*) <", text, re.M)} - SKIPPED)


def prepare(binary, shared, work):
    """A small corpus, a finished pack output, a pipeline file and a config.json to point at."""
    tokenizer = os.path.join(shared, "tokenizers/yi/tokenizer.model")
    corpus = os.path.join(work, "small.jsonl")
    with open(corpus, "w") as f:
        for i in range(8):
            f.write(json.dumps({"id": f"d{i}", "text": f"Document {i}. The quick brown fox jumps over the lazy dog. " * (i + 1)}) + "\n")
    packed = os.path.join(work, "packed")
    subprocess.run([binary, "pack", corpus, "--tokenizer", tokenizer, "--out", packed, "--len", "256", "--quiet"],
                   check=True, capture_output=True)
    pipeline = os.path.join(work, "p.yaml")
    with open(pipeline, "w") as f:
        f.write(f"inputs: [{corpus}]\npacking: {{lengths: [256]}}\noutput: {{dir: {work}/run-out}}\n")
    config = os.path.join(work, "config.json")
    with open(config, "w") as f:
        json.dump({"model_type": "llama", "max_position_embeddings": 4096, "rope_theta": 5000000.0}, f)
    return {
        # command: (arguments before the probed option; the option goes last, so it wins)
        "pack": [corpus, "--tokenizer", tokenizer, "--out", "{out}", "--len", "256", "--quiet"],
        "dedup": [corpus, "--out", "{out}", "--exact", "--near", "--quiet"],
        "run": [pipeline, "--tokenizer", tokenizer, "--out", "{out}", "--quiet"],
        "tokenize": [corpus, "--tokenizer", tokenizer, "--output", "{out}"],
        "stats": [packed],
        "inspect": [packed, "--len", "256"],
        "verify": [packed],
        "merge": [packed],
        "rope": ["--config", config, "--method", "yarn", "--target-len", "16384"],
        "evalset": ["--kind", "passkey", "--tokenizer", tokenizer, "--len", "256", "--count", "2"],
    }


def probe(binary, work, command, base, option, value, index):
    out = os.path.join(work, f"out-{index}")
    arguments = [binary, command] + [a.replace("{out}", out) for a in base] + [option, value]
    environment = dict(os.environ, SWIFT_BACKTRACE="enable=no")
    try:
        result = subprocess.run(arguments, capture_output=True, text=True, timeout=TIME_LIMIT_S, env=environment,
                                stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return ("slow", command, option, value, "")
    subprocess.run(["rm", "-rf", out])
    if result.returncode < 0 or result.returncode >= 128:
        return ("crash", command, option, value, f"exit {result.returncode}: {result.stderr.strip()[-300:]}")
    return ("ok", command, option, value, "")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--yi-prep", default=".build/debug/yi-prep")
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--quick", action="store_true", help="four values per option (CI)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    values = QUICK_VALUES if args.quick else FULL_VALUES
    with tempfile.TemporaryDirectory() as work:
        commands = prepare(args.yi_prep, args.shared, work)
        cases = [(command, base, option, value)
                 for command, base in commands.items()
                 for option in options_of(args.yi_prep, command)
                 for value in values]
        with ThreadPoolExecutor(args.jobs) as pool:
            results = list(pool.map(lambda c: probe(args.yi_prep, work, *c[1], c[0]),
                                    [(i, case) for i, case in enumerate(cases)]))
    crashes = [r for r in results if r[0] == "crash"]
    slow = [r for r in results if r[0] == "slow"]
    for kind, command, option, value, detail in crashes + slow:
        print(f"{kind}: yi-prep {command} ... {option} {value}" + (f"\n    {detail}" if detail else ""))
    print(f"cli numbers: {len(results)} runs over {len({(r[1], r[2]) for r in results})} options of {len(commands)} commands; "
          f"{len(crashes)} crashed, {len(slow)} slower than {TIME_LIMIT_S} s")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
