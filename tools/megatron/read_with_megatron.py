#!/usr/bin/env python3
"""Train-side check of yi-prep shards with megatron-core's own classes.

    python3 tools/megatron/read_with_megatron.py OUT [--len 16384] [--tokenizer-model M]
                                                 [--tokenizer-type T ...] [--install]

OUT is a pack output folder or a bucket folder of a finished run. For each bucket and each
tokenizer type (default: every type docs/training.md mentions), with the tokenizer megatron-core
builds from Yi's ``tokenizer.model`` (``build_tokenizer``, as ``pretrain_gpt.py`` does):

1. ``IndexedDataset`` reads every sequence exactly as the ``.bin`` holds it.
2. ``GPTDataset`` built as the recipe trains (``--seq-length`` = the bucket length,
   ``add_extra_token_to_sequence=False``, ``--reset-position-ids --reset-attention-mask
   --eod-mask-loss``): every sample is one of the bucket's sequences (each once) with the same
   tokens, **every padding position has loss_mask 0**, the loss mask equals the yiprep labels
   != -100, and position ids equal yiprep's on document tokens.

Exit 0 when all holds, 1 with each mismatch listed (e.g. padding that Megatron would train on),
1 for chat buckets (``.mask`` sidecars), which Megatron-LM cannot honour. Without megatron-core it
says so and exits 0; ``--install`` pip-installs it first.
"""

import argparse
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import types
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))

TOKENIZER_TYPES = ("SentencePieceTokenizer", "GPTSentencePieceTokenizer", "Llama2Tokenizer")


def megatron_tokenizer(tokenizer_type, model_path):
    """The tokenizer Megatron-LM builds for ``--tokenizer-type T --tokenizer-model M``."""
    from megatron.core.tokenizers.text.utils.build_tokenizer import build_tokenizer
    args = types.SimpleNamespace(
        tokenizer_type=tokenizer_type, tokenizer_model=model_path, tokenizer_sentencepiece_legacy=False,
        tokenizer_special_tokens=None, tokenizer_metadata=None, vocab_file=None, merge_file=None,
        tokenizer_hf_use_fast=False, trust_remote_code=False, tokenizer_hf_include_special_tokens=False,
        vocab_size=None)
    return build_tokenizer(args)


def check_indexed(ds, problems):
    import numpy as np
    from megatron.core.datasets.indexed_dataset import IndexedDataset
    for shard in ds.shards:
        theirs = IndexedDataset(shard.prefix)
        if len(theirs) != len(shard):
            problems.append(f"{shard.prefix}: IndexedDataset has {len(theirs)} sequences, the .idx {len(shard)}")
            continue
        for k in range(len(shard)):
            if not np.array_equal(np.asarray(theirs[k]), shard.tokens(k)):
                problems.append(f"{shard.prefix}: IndexedDataset sequence {k} differs from the .bin")
                break


def check_gpt_dataset(ds, tokenizer, cache, problems):
    """Builds GPTDataset over the bucket's shards; returns (samples, padding positions checked)."""
    import numpy as np
    from megatron.core.datasets.blended_megatron_dataset_builder import BlendedMegatronDatasetBuilder
    from megatron.core.datasets.gpt_dataset import GPTDataset, GPTDatasetConfig
    prefixes = [s.prefix for s in ds.shards if len(s)]
    config = GPTDatasetConfig(
        random_seed=1234, sequence_length=ds.sequence_length, blend=(prefixes, [float(len(s)) for s in ds.shards if len(s)]),
        split="100,0,0", tokenizer=tokenizer, reset_position_ids=True, reset_attention_mask=True,
        eod_mask_loss=True, add_extra_token_to_sequence=False, path_to_cache=cache, create_attention_mask=False)
    train, _, _ = BlendedMegatronDatasetBuilder(GPTDataset, [len(ds), 0, 0], lambda: True, config).build()
    megatron_pad = tokenizer.pad
    # Our sequences by their tokens as GPTDataset hands them out (it writes 0 over its pad id).
    ours = {}
    for i in range(len(ds)):
        tokens = ds.tokens(i).astype(np.int64)
        shown = np.where(tokens == megatron_pad, 0, tokens)
        ours.setdefault(shown.tobytes(), []).append(i)
    if len(train) != len(ds):
        problems.append(f"GPTDataset holds {len(train)} samples for {len(ds)} sequences")
    pad_positions = trained_pad = 0
    for n in range(len(train)):
        sample = train[n]
        tokens = sample["tokens"].numpy().astype(np.int64)
        matches = ours.get(tokens.tobytes())
        if not matches:
            problems.append(f"GPTDataset sample {n} is not one of the bucket's sequences")
            continue
        i = matches.pop(0)
        item = ds[i]
        used = int(item["cu_seqlens"][len(ds.spans(i))]) if ds.spans(i) is not None else len(tokens)
        loss_mask = sample["loss_mask"].numpy() > 0
        pad_positions += len(tokens) - used
        trained_pad += int(loss_mask[used:].sum())
        if not np.array_equal(loss_mask, item["labels"] != -100):
            problems.append(f"GPTDataset sample {n} (sequence {i}): loss_mask differs from yiprep's labels != -100 "
                            f"at {int((loss_mask != (item['labels'] != -100)).sum())} positions")
        if not np.array_equal(sample["position_ids"].numpy()[:used], item["position_ids"][:used]):
            problems.append(f"GPTDataset sample {n} (sequence {i}): position_ids differ on document tokens")
    if trained_pad:
        problems.append(f"{trained_pad} of {pad_positions} padding positions have loss_mask 1 (Megatron pad id "
                        f"{megatron_pad}, the run pads with {ds.pad_id}): repack with --pad-id {tokenizer.eod}")
    left = sum(len(v) for v in ours.values())
    if left:
        problems.append(f"{left} sequences never appeared as GPTDataset samples")
    return len(train), pad_positions


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path")
    parser.add_argument("--len", dest="lengths", type=int, action="append", help="bucket length(s) to check")
    parser.add_argument("--tokenizer-model", help="Yi's tokenizer.model (default: the manifest's tokenizer path)")
    parser.add_argument("--tokenizer-type", dest="types", action="append", choices=TOKENIZER_TYPES)
    parser.add_argument("--install", action="store_true", help="pip-install megatron-core (and torch) first")
    args = parser.parse_args()
    if args.install:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "megatron-core"])
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    try:
        import megatron.core
        from megatron.core.datasets.indexed_dataset import IndexedDataset  # noqa: F401
    except Exception as error:  # ImportError, or torch missing underneath
        print(f"megatron-core is not installed ({error.__class__.__name__}: {error}); skipped. "
              "Install it with `pip install megatron-core` (needs torch) or rerun with --install.")
        return 0
    import torch
    import yiprep
    from yiprep.dataset import list_buckets, resolve_bucket
    path = os.path.abspath(args.path)
    names = [os.path.basename(resolve_bucket(path))] if any(n.endswith(".idx") for n in os.listdir(path)) or \
        os.path.basename(path).startswith("len-") else list_buckets(path)
    if args.lengths:
        names = [n for n in names if int(n[4:]) in args.lengths]
    root = os.path.dirname(path) if os.path.basename(path).startswith("len-") else path
    problems = []
    cache = tempfile.mkdtemp(prefix="yiprep-megatron-")
    # GPTDataset's builder asks torch.distributed for the rank: a one-process group answers.
    if not torch.distributed.is_initialized():
        torch.distributed.init_process_group("gloo", init_method=f"file://{cache}/process-group", rank=0, world_size=1)
    try:
        for name in names:
            ds = yiprep.open_dataset(os.path.join(root, name))
            if ds.has_loss_mask:
                problems.append(f"{name}: a chat bucket (.mask sidecars): Megatron-LM's GPTDataset would train on "
                                "every non-pad, non-EOD token, user turns included; train it with yiprep.hf instead")
                continue
            if len(ds) == 0:
                print(f"{name}: empty, nothing to check")
                continue
            model = args.tokenizer_model or ds.manifest["tokenizer"]["path"]
            check_indexed(ds, problems)
            for tokenizer_type in args.types or TOKENIZER_TYPES:
                tokenizer = megatron_tokenizer(tokenizer_type, model)
                before = len(problems)
                samples, pads = check_gpt_dataset(ds, tokenizer, os.path.join(cache, f"{name}-{tokenizer_type}"), problems)
                problems[before:] = [f"{name}, {tokenizer_type}: {p}" for p in problems[before:]]
                print(f"{name}, --tokenizer-type {tokenizer_type} (pad {tokenizer.pad}, eod {tokenizer.eod}): "
                      f"GPTDataset gave {samples} samples, {pads} padding positions checked")
    finally:
        torch.distributed.destroy_process_group()
        shutil.rmtree(cache, ignore_errors=True)
    version = getattr(megatron.core, "__version__", "unknown version")
    if problems:
        print(f"megatron-core {version}: {len(problems)} problem(s):")
        for problem in problems:
            print("  " + problem)
        return 1
    print(f"megatron-core {version}: every sequence reads as the .bin holds it and no padding position is trained")
    return 0


if __name__ == "__main__":
    sys.exit(main())
