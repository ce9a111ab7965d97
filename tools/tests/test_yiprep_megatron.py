"""The Megatron-LM recipe against megatron-core's own GPTDataset and tokenizers, on real output."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, TOKENIZER, yi_prep_binary
from test_yiprep_masks import add_masks

import yiprep
from yiprep.megatron import RecipeError, recipe, rope_flags

SCRIPT = os.path.join(ROOT, "tools", "megatron", "read_with_megatron.py")


def run_script(*args):
    return subprocess.run([sys.executable, SCRIPT, *map(str, args), "--tokenizer-model", TOKENIZER],
                          capture_output=True, text=True, timeout=600)


def snapshot(root):
    return sorted((d, sorted(f)) for d, _, f in os.walk(root))


def test_eod_padding_is_never_trained_with_any_documented_tokenizer(packed_pad_eod):
    pytest.importorskip("megatron.core")
    before = snapshot(packed_pad_eod)
    result = run_script(packed_pad_eod)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no padding position is trained" in result.stdout
    for tokenizer_type in ("SentencePieceTokenizer", "GPTSentencePieceTokenizer", "Llama2Tokenizer"):
        for bucket in ("len-256", "len-512"):
            line = next(l for l in result.stdout.splitlines() if l.startswith(f"{bucket}, --tokenizer-type {tokenizer_type} "))
            assert "eod 2" in line and " 0 padding positions" not in line
    assert snapshot(packed_pad_eod) == before  # GPTDataset's index cache went to a temporary folder


def test_default_padding_would_be_trained_and_the_check_says_so(packed_pad0):
    """The issue's failure, reproduced with megatron-core's SentencePiece tokenizer (pad -1)."""
    pytest.importorskip("megatron.core")
    result = run_script(packed_pad0, "--len", "256", "--tokenizer-type", "SentencePieceTokenizer")
    assert result.returncode == 1
    assert "padding positions have loss_mask 1 (Megatron pad id -1, the run pads with 0)" in result.stdout
    assert "repack with --pad-id 2" in result.stdout


def test_recipe_flags(packed_pad_eod, packed_pad0, tmp_path):
    flags = recipe(packed_pad_eod, 512, "/models/yi/tokenizer.model")
    ds = yiprep.open_dataset(packed_pad_eod, sequence_length=512)
    data = flags[flags.index("--data-path") + 1:flags.index("--split")]
    assert data == [str(len(ds.shards[0])), os.path.abspath(ds.shards[0].prefix)]
    for flag in ("--reset-position-ids", "--reset-attention-mask", "--eod-mask-loss"):
        assert flag in flags
    assert flags[flags.index("--seq-length") + 1] == "512"
    assert flags[:4] == ["--tokenizer-type", "SentencePieceTokenizer", "--tokenizer-model", "/models/yi/tokenizer.model"]
    with pytest.raises(RecipeError, match="--pad-id 2"):
        recipe(packed_pad0, 512, "/models/yi/tokenizer.model")
    cli = subprocess.run([sys.executable, "-m", "yiprep.megatron", packed_pad_eod, "--len", "256",
                          "--tokenizer-model", "tok.model"], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python")))
    assert cli.returncode == 0 and "--seq-length 256" in cli.stdout


def test_chat_buckets_are_refused(packed_pad_eod, tmp_path):
    root = str(tmp_path / "chat")
    shutil.copytree(packed_pad_eod, root)
    add_masks(root)
    with pytest.raises(RecipeError, match="chat run"):
        recipe(root, 256, "tok.model")
    pytest.importorskip("megatron.core")
    result = run_script(root, "--len", "256", "--tokenizer-type", "Llama2Tokenizer")
    assert result.returncode == 1 and "chat bucket" in result.stdout


@pytest.mark.parametrize("method, expected", [
    ("linear", ["--rotary-base", "5e+06", "--rotary-seq-len-interpolation-factor", "4"]),
    ("ntk", ["--rotary-base"]),
])
def test_rope_flags_from_yi_prep_rope(tmp_path, method, expected):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"model_type": "llama", "rope_theta": 5000000.0, "max_position_embeddings": 4096,
                                  "hidden_size": 7168, "num_attention_heads": 56}))
    out = tmp_path / "stage2.json"
    result = subprocess.run([yi_prep_binary(), "rope", "--config", str(config), "--target-len", "16384",
                             "--method", method, "--output", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    flags = rope_flags(str(out))
    assert flags[:2] == ["--position-embedding-type", "rope"]
    assert flags[2:2 + len(expected)] == expected
    if method == "ntk":
        assert float(flags[3]) > 5e6
    dynamic = tmp_path / "dynamic.json"
    dynamic.write_text(json.dumps({"rope_theta": 1e4, "rope_scaling": {"rope_type": "yarn", "factor": 4.0}}))
    with pytest.raises(RecipeError, match="yarn"):
        rope_flags(str(dynamic))
