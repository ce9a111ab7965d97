"""`yi-prep tokenize --format npy` read with numpy, against the JSONL output of the same run.

Runs the yi-prep binary that `tools/check` builds (`.build/debug/yi-prep`; `$YI_PREP` for
another one) on `samples/` with the real Yi tokenizer from `../shared` (`$YI_SHARED`).
"""

import json
import os
import subprocess

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("YI_SHARED", os.path.join(ROOT, "..", "shared"))
TOKENIZER = os.path.join(SHARED, "tokenizers", "yi", "tokenizer.model")
SAMPLES = os.path.join(ROOT, "samples")


def yi_prep():
    path = os.environ.get("YI_PREP", os.path.join(ROOT, ".build", "debug", "yi-prep"))
    if not os.path.exists(path):
        pytest.fail(f"no yi-prep binary at {path}: run `swift build` first (tools/check does) or set YI_PREP")
    return path


def tokenize(tmp_path, *extra):
    cmd = [yi_prep(), "tokenize", "--tokenizer", TOKENIZER, "--quiet", "--threads", "2", *extra, SAMPLES]
    subprocess.run(cmd, check=True, cwd=tmp_path, capture_output=True)


@pytest.mark.parametrize("flags", [["--eos"]])
def test_npy_equals_jsonl(tmp_path, flags):
    tokenize(tmp_path, *flags, "--output", str(tmp_path / "ids.jsonl"))
    tokenize(tmp_path, *flags, "--format", "npy", "--output", str(tmp_path / "run"))
    lines = [json.loads(line) for line in open(tmp_path / "ids.jsonl", encoding="utf-8")]
    assert len(lines) > 10

    ids = np.load(tmp_path / "run.ids.npy")
    offsets = np.load(tmp_path / "run.offsets.npy")
    assert ids.dtype == np.dtype("<u4") and ids.ndim == 1
    assert offsets.dtype == np.dtype("<i8") and offsets.shape == (len(lines) + 1,)
    assert offsets[0] == 0 and offsets[-1] == len(ids) and np.all(np.diff(offsets) >= 0)
    documents = [json.loads(line) for line in open(tmp_path / "run.documents.jsonl", encoding="utf-8")]
    assert [d["id"] for d in documents] == [line["id"] for line in lines]
    for k, line in enumerate(lines):
        assert ids[offsets[k]:offsets[k + 1]].tolist() == line["ids"], line["id"]

    # The header is valid for memory mapping too (its length was rewritten after streaming).
    mapped = np.load(tmp_path / "run.ids.npy", mmap_mode="r")
    assert mapped.shape == ids.shape and np.array_equal(mapped[-100:], ids[-100:])
    assert not [name for name in os.listdir(tmp_path) if ".tmp-" in name]


def test_npy_without_output_is_a_usage_error(tmp_path):
    result = subprocess.run([yi_prep(), "tokenize", "--tokenizer", TOKENIZER, "--format", "npy", SAMPLES],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 2
    assert "--output PREFIX" in result.stderr
