"""Megatron-LM recipe that never trains on padding: ``python -m yiprep.megatron OUT --len 16384
--tokenizer-model tokenizer.model [--rope-config config.json]`` prints the ``pretrain_gpt.py`` data
and tokenizer flags for one bucket, or refuses with what to change.

Why padding must be the EOD id for Megatron: megatron-core's ``GPTDataset`` masks a position's loss
when its label equals the tokenizer's ``pad`` or (``--eod-mask-loss``) its token equals ``eod``.
Megatron's SentencePiece tokenizer types (``SentencePieceTokenizer``, ``GPTSentencePieceTokenizer``,
``Llama2Tokenizer``) report ``pad = -1`` for Yi's ``tokenizer.model`` (it defines no pad piece), so
padding with id 0 (``<unk>``, yi-prep's default) is trained on. Padding with EOD (``yi-prep pack
--pad-id 2``) is masked by ``--eod-mask-loss`` whatever pad the tokenizer reports.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import List, Optional

from .dataset import open_dataset
from .formats import FormatError

TOKENIZER_TYPES = ("SentencePieceTokenizer", "GPTSentencePieceTokenizer", "Llama2Tokenizer")


class RecipeError(ValueError):
    """The bucket cannot be trained with Megatron-LM without training on something it should not."""


def rope_flags(config_path: str) -> List[str]:
    """Megatron rotary flags for a Hugging Face ``config.json`` (e.g. one ``yi-prep rope`` wrote)."""
    with open(config_path, encoding="utf-8") as f:
        config = json.load(f)
    flags = ["--position-embedding-type", "rope", "--rotary-base", f"{float(config.get('rope_theta', 10000.0)):g}"]
    scaling = config.get("rope_scaling") or {}
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind == "linear":
        flags += ["--rotary-seq-len-interpolation-factor", f"{float(scaling['factor']):g}"]
    elif kind not in (None, "default"):
        raise RecipeError(f"{config_path}: rope_scaling type {kind!r} has no plain pretrain_gpt.py flag here; "
                          "use `yi-prep rope --method linear` or `--method ntk` for Megatron-LM")
    return flags


def recipe(path: str, sequence_length: Optional[int], tokenizer_model: str,
           tokenizer_type: str = "SentencePieceTokenizer", split: str = "99,1,0",
           rope_config: Optional[str] = None) -> List[str]:
    """The flags, as a list of arguments. Raises ``RecipeError`` for chat buckets and for runs
    padded with an id Megatron would train on."""
    if tokenizer_type not in TOKENIZER_TYPES:
        raise RecipeError(f"--tokenizer-type {tokenizer_type}: this recipe is checked for {', '.join(TOKENIZER_TYPES)}")
    ds = open_dataset(path, sequence_length)
    if ds.has_loss_mask:
        raise RecipeError(f"{ds.path} has loss masks (a chat run): Megatron-LM's GPTDataset cannot read .mask "
                          "sidecars and would train on system/user turns and role headers. Train it with the "
                          "Hugging Face path (yiprep.hf.DataCollator), or pack plain text for Megatron-LM")
    eos = int(ds.manifest["tokenizer"].get("eos_id", 2))
    if ds.pad_id != eos:
        raise RecipeError(f"{ds.path} is padded with id {ds.pad_id}, which Megatron's {tokenizer_type} does not report "
                          f"as pad for a SentencePiece model without a pad piece (it says -1): every padding position "
                          f"would be trained. Repack with `yi-prep pack --pad-id {eos}` (padding = EOD, "
                          "masked by --eod-mask-loss)")
    if len(ds) == 0:
        raise RecipeError(f"{ds.path} holds no sequences")
    weights = []
    for shard in ds.shards:
        if len(shard):
            weights += [str(len(shard)), os.path.abspath(shard.prefix)]
    flags = ["--tokenizer-type", tokenizer_type, "--tokenizer-model", tokenizer_model,
             "--data-path", *weights, "--split", split,
             "--seq-length", str(ds.sequence_length),
             "--reset-position-ids", "--reset-attention-mask", "--eod-mask-loss"]
    if rope_config:
        flags += rope_flags(rope_config)
    return flags


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m yiprep.megatron", description=__doc__.split("\n")[0])
    parser.add_argument("path", help="pack output folder or bucket folder (a finished run)")
    parser.add_argument("--len", dest="length", type=int, help="bucket length when PATH holds several")
    parser.add_argument("--tokenizer-model", required=True, help="Yi's tokenizer.model as the cluster sees it")
    parser.add_argument("--tokenizer-type", default="SentencePieceTokenizer", choices=TOKENIZER_TYPES)
    parser.add_argument("--split", default="99,1,0")
    parser.add_argument("--rope-config", help="config.json from `yi-prep rope` for the rotary flags")
    args = parser.parse_args(argv)
    try:
        flags = recipe(args.path, args.length, args.tokenizer_model, args.tokenizer_type, args.split, args.rope_config)
    except (RecipeError, FormatError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(" ".join(flags))
    return 0


if __name__ == "__main__":
    sys.exit(main())
