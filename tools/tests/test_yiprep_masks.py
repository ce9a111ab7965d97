"""The ``.mask`` loss-mask reader (contract: docs/training.md, "Loss masks"), manifest checks and
the ``python -m yiprep`` messages, on real yi-prep output. The masks are written here, exactly as
the contract lays them out, on top of the CLI's shards (the Swift writer lives elsewhere)."""

import hashlib
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, load_manifest, pack
from test_yiprep_dataset import read_docs, read_idx

import yiprep

PYTHON_DIR = os.path.join(ROOT, "python")


def write_mask(path, length, bits_per_sequence, version=1, bits=1, count=None):
    record = (length + 7) // 8
    header = b"YIMASK\x00\x00" + np.array([version, bits], "<u4").tobytes() + \
        np.array([length, len(bits_per_sequence) if count is None else count], "<u8").tobytes()
    body = b"".join(np.packbits(np.asarray(b, np.uint8), bitorder="little").tobytes().ljust(record, b"\x00")
                    for b in bits_per_sequence)
    with open(path, "wb") as f:
        f.write(header + body)


def add_masks(root, seed=5):
    """Random target bits on document tokens, 0 on padding, for every shard; manifest v2."""
    rng = np.random.default_rng(seed)
    manifest = load_manifest(root)
    truth = {}
    for bucket in manifest["buckets"]:
        length = bucket["sequence_length"]
        for shard in bucket["shards"]:
            prefix = os.path.join(root, bucket["directory"], shard["name"])
            _, spans = read_docs(prefix + ".docs")
            sequences = []
            for seq_spans in spans:
                used = sum(s["length"] for s in seq_spans)
                bits = np.zeros(length, bool)
                bits[:used] = rng.random(used) < 0.6
                sequences.append(bits)
            write_mask(prefix + ".mask", length, sequences)
            data = open(prefix + ".mask", "rb").read()
            shard["files"]["mask"] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            truth[prefix] = (sequences, spans)
        bucket["loss_mask"] = True
    manifest["format_version"] = 2
    with open(os.path.join(root, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
    return truth


@pytest.fixture
def masked(packed_pad0, tmp_path):
    root = str(tmp_path / "out")
    shutil.copytree(packed_pad0, root)
    return root, add_masks(root)


def spec_labels(tokens, spans, bits):
    """Both label forms of the contract, position by position."""
    length = len(tokens)
    span_of = np.full(length, -1)
    for k, s in enumerate(spans):
        span_of[s["offset"]:s["offset"] + s["length"]] = k
    first = {s["offset"] for s in spans}
    shifted = [int(tokens[i + 1]) if i + 1 < length and span_of[i] >= 0 and span_of[i] == span_of[i + 1] and bits[i + 1]
               else -100 for i in range(length)]
    unshifted = [int(tokens[j]) if bits[j] and j not in first and span_of[j] >= 0 else -100 for j in range(length)]
    return shifted, unshifted


def test_masks_give_the_contract_labels(masked):
    root, truth = masked
    checked = 0
    for bucket in ("len-256", "len-512"):
        ds = yiprep.open_dataset(os.path.join(root, bucket))
        assert ds.has_loss_mask
        prefix = ds.shards[0].prefix
        sequences, spans = truth[prefix]
        dtype, lengths, pointers, _ = read_idx(prefix + ".idx")
        data = open(prefix + ".bin", "rb").read()
        for k in range(len(ds)):
            tokens = np.frombuffer(data, dtype, int(lengths[k]), int(pointers[k])).astype(np.int64)
            shifted, unshifted = spec_labels(tokens, spans[k], sequences[k])
            item = ds[k]
            assert item["labels"].tolist() == shifted
            assert yiprep.hf_labels(item["labels"]).tolist() == unshifted
            checked += 1
    assert checked == sum(len(v[0]) for v in truth.values())


def test_without_masks_every_document_token_is_trained(packed_pad0):
    ds = yiprep.open_dataset(packed_pad0, sequence_length=256)
    assert not ds.has_loss_mask
    for k in range(len(ds)):
        spans = ds.spans(k)
        expected = sum(int(s["length"]) - 1 for s in spans)
        assert int((ds[k]["labels"] != -100).sum()) == expected


def test_missing_or_unexpected_masks_are_errors(masked, packed_pad0, tmp_path):
    root, truth = masked
    prefix = next(iter(truth))
    os.remove(prefix + ".mask")
    with pytest.raises(yiprep.FormatError, match="mask is missing"):
        yiprep.open_dataset(os.path.dirname(prefix))
    plain = str(tmp_path / "plain")
    shutil.copytree(packed_pad0, plain)
    bucket = os.path.join(plain, "len-256")
    shard = [n for n in os.listdir(bucket) if n.endswith(".idx")][0][:-4]
    write_mask(os.path.join(bucket, shard + ".mask"), 256, [np.zeros(256, bool)] * len(yiprep.open_dataset(bucket)))
    with pytest.raises(yiprep.FormatError, match="says this bucket has no loss masks"):
        yiprep.open_dataset(bucket)


@pytest.mark.parametrize("damage, message", [
    ("version", "version 2"), ("bits", "2 bits"), ("length", "sequences of 255 tokens"),
    ("count", "for 1 sequences"), ("size", "bytes, its header needs"), ("magic", "bad magic"),
])
def test_damaged_masks_are_refused(masked, damage, message):
    root, truth = masked
    prefix = [p for p in truth if "len-512" in p][0]
    sequences, _ = truth[prefix]
    path = prefix + ".mask"
    if damage == "version":
        write_mask(path, 512, sequences, version=2)
    elif damage == "bits":
        write_mask(path, 512, sequences, bits=2)
    elif damage == "length":
        write_mask(path, 255, [s[:255] for s in sequences])
    elif damage == "count":
        write_mask(path, 512, sequences, count=1)
    elif damage == "size":
        open(path, "ab").write(b"\x00")
    else:
        data = bytearray(open(path, "rb").read())
        data[0:2] = b"XX"
        open(path, "wb").write(bytes(data))
    with pytest.raises(yiprep.FormatError, match=message):
        yiprep.open_dataset(os.path.dirname(prefix))


def test_a_trained_padding_bit_is_refused(masked):
    root, truth = masked
    prefix = [p for p in truth if "len-256" in p][0]
    sequences, spans = truth[prefix]
    k = next(i for i, s in enumerate(spans) if sum(x["length"] for x in s) < 256)
    sequences[k][255] = True
    write_mask(prefix + ".mask", 256, sequences)
    ds = yiprep.open_dataset(os.path.dirname(prefix))
    with pytest.raises(yiprep.FormatError, match="padding"):
        ds[k]


def test_manifest_versions(masked):
    root, _ = masked
    path = os.path.join(root, "manifest.json")
    manifest = json.load(open(path))
    for version in (1, 2):
        manifest["format_version"] = version
        json.dump(manifest, open(path, "w"))
        assert len(yiprep.open_dataset(root, sequence_length=256)) > 0
    manifest["format_version"] = 3
    json.dump(manifest, open(path, "w"))
    with pytest.raises(yiprep.FormatError, match="format_version 3.*Upgrade"):
        yiprep.open_dataset(root, sequence_length=256)


def test_unfinished_run_is_refused_unless_allowed(masked):
    root, _ = masked
    os.remove(os.path.join(root, "manifest.json"))
    with pytest.raises(yiprep.IncompleteRunError, match="unfinished"):
        yiprep.open_dataset(root, sequence_length=256)
    ds = yiprep.open_dataset(root, sequence_length=256, allow_incomplete=True)
    assert ds.has_loss_mask and len(ds) > 0


def run_cli(*args):
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
    return subprocess.run([sys.executable, "-m", "yiprep", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=120)


def test_cli_messages(packed_pad0, small_corpus, tmp_path):
    several = run_cli(packed_pad0)
    assert several.returncode == 2 and "Traceback" not in several.stderr
    assert "holds 2 buckets" in several.stderr and "len-256" in several.stderr and "len-512" in several.stderr
    assert f"--len 512" in several.stderr and os.path.join(packed_pad0, "len-512") in several.stderr
    chosen = run_cli(packed_pad0, "--len", "256", "1")
    assert chosen.returncode == 0 and "sequence 1:" in chosen.stdout and "cu_seqlens" in chosen.stdout
    out_of_range = run_cli(os.path.join(packed_pad0, "len-256"), "100000")
    assert out_of_range.returncode == 2 and "out of range" in out_of_range.stderr and "Traceback" not in out_of_range.stderr
    # Long books only, no cross-fill: the 256-token bucket stays empty.
    books = os.path.join(ROOT, "samples", "public-domain-books.jsonl")
    empty_run = pack(tmp_path / "empty", "256,4096", [books], "--no-cross-fill")
    empty = run_cli(os.path.join(empty_run, "len-256"))
    assert empty.returncode == 1 and "empty" in empty.stderr and "len-4096" in empty.stderr
    assert "Traceback" not in empty.stderr
    missing = run_cli(tmp_path / "nothing-here")
    assert missing.returncode == 1 and missing.stderr.startswith("error:") and "Traceback" not in missing.stderr
