#!/usr/bin/env python3
"""Read yi-prep shards with megatron-core and compare with the numpy loader.

    python3 tools/megatron/read_with_megatron.py OUT [--len 16384] [--install]

OUT is a pack output folder, a bucket folder (OUT/len-16384) or a shard prefix. For each bucket:

1. ``IndexedDataset(prefix)`` (megatron/core/datasets/indexed_dataset.py) opens every shard;
   its sequence count, lengths, document indices and every sequence's tokens must equal what
   tools/loader/yiprep_loader.py reads.
2. ``GPTDataset`` is built the way Megatron-LM trains on ``--data-path`` with all the bucket's
   shard prefixes, ``--seq-length`` = the bucket length, ``add_extra_token_to_sequence=False``
   and ``--reset-position-ids --reset-attention-mask --eod-mask-loss``. Every sample must be one
   of our sequences (each exactly once), and Megatron's ``position_ids`` and ``loss_mask`` must
   equal the loader's ``position_ids`` and ``labels != -100``: the trainer then sees the same
   document boundaries as the sidecar describes.

megatron-core (and torch) are large and not assumed: without them the script says so and
exits 0. ``--install`` pip-installs megatron-core first. Exit 1 on any mismatch.
"""

import argparse
import json
import logging
import os
import shutil
import subprocess
import tempfile
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "loader"))


def ensure_numpy():
    try:
        import numpy  # noqa: F401
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "numpy"])


def find_buckets(path, lengths):
    """(bucket name, [shard prefixes]) for the path, as yiprep_loader resolves them."""
    import yiprep_loader as yl
    trimmed = path[:-4] if path.endswith((".idx", ".bin")) else path
    if os.path.isfile(trimmed + ".idx"):
        return [(os.path.basename(os.path.dirname(os.path.abspath(trimmed))), [trimmed])]
    if any(n.endswith(".idx") for n in os.listdir(path)):
        return [(os.path.basename(os.path.abspath(path)), yl.shard_prefixes(path))]
    names = sorted(n for n in os.listdir(path) if n.startswith("len-") and os.path.isdir(os.path.join(path, n)))
    if lengths:
        names = [n for n in names if int(n[4:]) in lengths]
    return [(n, yl.shard_prefixes(os.path.join(path, n))) for n in names]


def read_manifest(path):
    for candidate in (path, os.path.dirname(os.path.abspath(path)), os.path.dirname(os.path.dirname(os.path.abspath(path)))):
        file = os.path.join(candidate, "manifest.json")
        if os.path.isfile(file):
            with open(file, encoding="utf-8") as f:
                return json.load(f)
    return {}


class CheckTokenizer:
    """The few tokenizer attributes megatron-core's GPTDataset reads."""

    def __init__(self, vocab_size, eod, pad):
        self.vocab_size, self.eod, self.eos, self.pad = vocab_size, eod, eod, pad
        self.unique_identifiers = {"class": "yi-prep-check", "vocab_size": vocab_size, "eod": eod, "pad": pad}


def check_indexed(prefixes, problems):
    import numpy as np
    import yiprep_loader as yl
    from megatron.core.datasets.indexed_dataset import IndexedDataset
    sequences = 0
    for prefix in prefixes:
        ours = yl.Shard(prefix)
        theirs = IndexedDataset(prefix)
        if len(theirs) != len(ours):
            problems.append(f"{prefix}: IndexedDataset has {len(theirs)} sequences, the loader {len(ours)}")
            continue
        if not np.array_equal(theirs.sequence_lengths, ours.index.lengths):
            problems.append(f"{prefix}: sequence lengths differ")
        if not np.array_equal(theirs.document_indices, ours.index.document_indices):
            problems.append(f"{prefix}: document indices differ")
        for i in range(len(ours)):
            if not np.array_equal(np.asarray(theirs[i]), ours.tokens(i)):
                problems.append(f"{prefix}: sequence {i} tokens differ")
                break
            if len(ours.tokens(i)) > 4 and not np.array_equal(theirs.get(i, offset=2, length=3), ours.tokens(i)[2:5]):
                problems.append(f"{prefix}: IndexedDataset.get({i}, offset=2, length=3) differs")
                break
        sequences += len(ours)
    return sequences


def check_gpt_dataset(prefixes, length, manifest, cache, problems):
    import numpy as np
    import yiprep_loader as yl
    from megatron.core.datasets.blended_megatron_dataset_builder import BlendedMegatronDatasetBuilder
    from megatron.core.datasets.gpt_dataset import GPTDataset, GPTDatasetConfig
    tokenizer_info = manifest.get("tokenizer", {})
    eod = int(tokenizer_info.get("eos_id", 2))
    pad = int(manifest.get("pad_id", 0))
    shards = [yl.Shard(p) for p in prefixes]
    vocab = int(tokenizer_info.get("vocab_size", 65_536 if shards[0].index.dtype.__name__ == "uint16" else 2**31 - 1))
    config = GPTDatasetConfig(
        random_seed=1234, sequence_length=length, blend=(prefixes, None), split="100,0,0",
        tokenizer=CheckTokenizer(vocab, eod, pad), reset_position_ids=True, reset_attention_mask=True,
        eod_mask_loss=True, add_extra_token_to_sequence=False, path_to_cache=cache, create_attention_mask=False)
    total = sum(len(s) for s in shards)
    train, _, _ = BlendedMegatronDatasetBuilder(GPTDataset, [total, 0, 0], lambda: True, config).build()
    # Our sequences by content, so each Megatron sample can be matched (and used once).
    ours = {}
    for shard in shards:
        for k in range(len(shard)):
            ours.setdefault(shard.tokens(k).astype(np.int64).tobytes(), []).append(yl.make_sample(shard.tokens(k), shard.spans(k)))
    if len(train) != total:
        problems.append(f"GPTDataset holds {len(train)} samples for {total} sequences")
    for i in range(len(train)):
        sample = train[i]
        tokens = sample["tokens"].numpy().astype(np.int64)
        # GPTDataset writes 0 over pad ids; ours are pad ids, so compare with pad mapped to 0.
        matches = [s for key, group in ours.items() for s in group
                   if np.array_equal(np.where(np.frombuffer(key, np.int64) == pad, 0, np.frombuffer(key, np.int64)), tokens)]
        if not matches:
            problems.append(f"GPTDataset sample {i} is not one of the bucket's sequences")
            continue
        reference = matches[0]
        for key, group in ours.items():
            if group and group[0] is reference:
                group.pop(0)
                break
        if len(tokens) != length:
            problems.append(f"GPTDataset sample {i} has {len(tokens)} tokens, expected {length}")
        if not np.array_equal(sample["position_ids"].numpy(), reference["position_ids"]):
            problems.append(f"GPTDataset sample {i}: position_ids differ from the loader's")
        if not np.array_equal(sample["loss_mask"].numpy() > 0, reference["labels"] != yl.IGNORE_INDEX):
            problems.append(f"GPTDataset sample {i}: loss_mask differs from the loader's labels != -100")
    left = sum(len(g) for g in ours.values())
    if left:
        problems.append(f"{left} sequences never appeared as GPTDataset samples")
    return len(train)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path")
    parser.add_argument("--len", dest="lengths", type=int, action="append", help="bucket length(s) to check")
    parser.add_argument("--install", action="store_true", help="pip-install megatron-core (and torch) first")
    args = parser.parse_args()
    ensure_numpy()
    if args.install:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "megatron-core"])
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    try:
        import megatron.core  # noqa: F401
        from megatron.core.datasets.indexed_dataset import IndexedDataset  # noqa: F401
    except Exception as error:  # ImportError, or torch missing underneath
        print(f"megatron-core is not installed ({error.__class__.__name__}: {error}); skipped. "
              "Install it with `pip install megatron-core` (needs torch) or rerun with --install.")
        return 0
    version = getattr(megatron.core, "__version__", "unknown version")
    import yiprep_loader as yl
    manifest = read_manifest(args.path)
    problems = []
    # GPTDataset caches its sample indices; without a cache path it writes them beside the
    # shards, so give it a temporary folder (its blending code then asks torch.distributed for
    # the rank: a one-process group answers).
    import torch
    cache = tempfile.mkdtemp(prefix="yiprep-megatron-")
    if not torch.distributed.is_initialized():
        torch.distributed.init_process_group("gloo", init_method=f"file://{cache}/process-group", rank=0, world_size=1)
    for name, prefixes in find_buckets(args.path, args.lengths):
        if not prefixes:
            continue
        sequences = check_indexed(prefixes, problems)
        sidecar = yl.Shard(prefixes[0]).sidecar
        length = sidecar.sequence_length if sidecar else (int(name[4:]) if name.startswith("len-") else None)
        samples = check_gpt_dataset(prefixes, length, manifest, cache, problems) if length else 0
        gpt = (f"GPTDataset (seq-length {length}, add_extra_token_to_sequence=False) gave {samples} samples" if length
               else "GPTDataset skipped (no sidecar or len-N folder to give the sequence length)")
        print(f"{name}: IndexedDataset read {len(prefixes)} shard(s), {sequences} sequences; {gpt}")
    torch.distributed.destroy_process_group()
    shutil.rmtree(cache, ignore_errors=True)
    if problems:
        print(f"megatron-core {version}: {len(problems)} mismatch(es):")
        for problem in problems:
            print("  " + problem)
        return 1
    print(f"megatron-core {version}: every shard reads identically to the numpy loader")
    return 0


if __name__ == "__main__":
    sys.exit(main())
