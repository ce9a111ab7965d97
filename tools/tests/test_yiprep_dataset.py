"""Tests of the yiprep package's numpy reader (python/yiprep) on the datasets
that the Swift writer produced and committed under Tests/YiShardsTests/Fixtures/ (a Swift test
regenerates them and asserts byte equality, so both languages test the same bytes).

The expected token values come from ``<fixture>-documents.jsonl`` (the packer's input) and are
checked with a small Megatron reader written here with numpy only, independent of the loader.
"""

import json
import os
import shutil
import struct
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Tests", "YiShardsTests", "Fixtures")
sys.path.insert(0, os.path.join(ROOT, "python"))

import yiprep  # noqa: E402
from yiprep.dataset import Shard  # noqa: E402

DATASETS = ["small-dataset", "small-dataset-int32"]
EOS = 2
PAD = 0


# --- an independent reader of the documented layouts --------------------------------------

def read_idx(path):
    data = open(path, "rb").read()
    assert data[:9] == b"MMIDIDX\x00\x00"
    version, code, n, d = struct.unpack_from("<QBQQ", data, 9)
    assert version == 1
    dtype = {8: "<u2", 4: "<i4"}[code]
    lengths = np.frombuffer(data, "<i4", n, 34)
    pointers = np.frombuffer(data, "<i8", n, 34 + 4 * n)
    docs = np.frombuffer(data, "<i8", d, 34 + 12 * n)
    assert len(data) == 34 + 12 * n + 8 * d
    return dtype, lengths, pointers, docs


def read_docs(path):
    data = open(path, "rb").read()
    assert data[:8] == b"YIDOCS\x00\x00"
    version, record_size, seq_len, reserved = struct.unpack_from("<IIQQ", data, 8)
    assert (version, record_size, reserved) == (1, 32, 0)
    n, s, table_offset = struct.unpack_from("<QQQ", data, len(data) - 32)
    assert data[-8:] == b"YIDOCEND" and table_offset == 32 + 32 * s
    table = struct.unpack_from(f"<{n + 1}Q", data, table_offset)
    spans = [struct.unpack_from("<QIIIIII", data, 32 + 32 * i) for i in range(s)]
    per_sequence = [[dict(zip(("ordinal", "offset", "length", "part", "source", "flags", "reserved"), spans[j]))
                     for j in range(table[k], table[k + 1])] for k in range(n)]
    return seq_len, per_sequence


def bucket_dirs(dataset):
    root = os.path.join(FIXTURES, dataset)
    return sorted(os.path.join(root, n) for n in os.listdir(root) if n.startswith("len-"))


def read_bucket(bucket):
    """[(tokens ndarray, spans list)] for every sequence of a bucket, shards in name order."""
    out = []
    for name in sorted(n[:-4] for n in os.listdir(bucket) if n.endswith(".idx")):
        prefix = os.path.join(bucket, name)
        dtype, lengths, pointers, docs = read_idx(prefix + ".idx")
        bin_bytes = open(prefix + ".bin", "rb").read()
        seq_len, spans = read_docs(prefix + ".docs")
        assert list(docs) == list(range(len(lengths) + 1))
        assert len(bin_bytes) == int(lengths.sum()) * np.dtype(dtype).itemsize
        for k in range(len(lengths)):
            assert lengths[k] == seq_len == int(os.path.basename(bucket)[4:])
            tokens = np.frombuffer(bin_bytes, dtype, int(lengths[k]), int(pointers[k]))
            out.append((tokens.astype(np.int64), spans[k]))
    return out


def documents(dataset):
    with open(os.path.join(FIXTURES, dataset + "-documents.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


# --- the fixture holds exactly the documents ----------------------------------------------

@pytest.mark.parametrize("dataset", DATASETS)
def test_numpy_reader_finds_every_document_token_once(dataset):
    expected = {d["ordinal"]: d for d in documents(dataset)}
    rebuilt = {}
    for bucket in bucket_dirs(dataset):
        for tokens, spans in read_bucket(bucket):
            end = 0
            for span in spans:
                assert span["offset"] == end
                end = span["offset"] + span["length"]
                part = tokens[span["offset"]:end].tolist()
                entry = rebuilt.setdefault(span["ordinal"], {"parts": {}, "ends": [], "source": span["source"]})
                assert span["part"] not in entry["parts"]
                entry["parts"][span["part"]] = part
                if span["flags"] & 1:
                    entry["ends"].append(span["part"])
                    assert part[-1] == EOS
                assert bool(span["flags"] & 2) == (span["part"] > 0)
                assert span["flags"] & ~3 == 0 and span["reserved"] == 0
            assert all(t == PAD for t in tokens[end:])
    assert sorted(rebuilt) == sorted(expected)
    for ordinal, entry in rebuilt.items():
        assert sorted(entry["parts"]) == list(range(len(entry["parts"])))
        assert entry["ends"] == [len(entry["parts"]) - 1]  # only the last part ends the document
        joined = sum((entry["parts"][p] for p in sorted(entry["parts"])), [])
        assert joined == expected[ordinal]["tokens"]
        assert entry["source"] == expected[ordinal]["source"]


@pytest.mark.parametrize("dataset", DATASETS)
def test_manifest_checksums_match_the_files(dataset):
    import hashlib
    root = os.path.join(FIXTURES, dataset)
    manifest = json.load(open(os.path.join(root, "manifest.json")))
    assert manifest["format"] == "yi-prep-manifest" and manifest["format_version"] == 1
    for bucket in manifest["buckets"]:
        for shard in bucket["shards"]:
            for ext, digest in shard["files"].items():
                data = open(os.path.join(root, bucket["directory"], f"{shard['name']}.{ext}"), "rb").read()
                assert len(data) == digest["bytes"]
                assert hashlib.sha256(data).hexdigest() == digest["sha256"]


# --- the loader ---------------------------------------------------------------------------

@pytest.mark.parametrize("dataset", DATASETS)
def test_loader_reads_the_same_tokens_and_spans(dataset):
    for bucket_dir in bucket_dirs(dataset):
        bucket = yiprep.open_dataset(bucket_dir)
        reference = read_bucket(bucket_dir)
        assert len(bucket) == len(reference)
        assert bucket.sequence_length == int(os.path.basename(bucket_dir)[4:])
        assert bucket.sources == ["books", "web", "wiki"]
        for i, (tokens, spans) in enumerate(reference):
            assert np.array_equal(bucket.tokens(i), tokens)
            got = bucket.spans(i)
            assert [tuple(int(s[f]) for f in ("ordinal", "offset", "length", "part", "source", "flags")) for s in got] == \
                   [(s["ordinal"], s["offset"], s["length"], s["part"], s["source"], s["flags"]) for s in spans]
    # A pack output folder needs the bucket length when it holds several buckets.
    root = os.path.join(FIXTURES, dataset)
    if len(bucket_dirs(dataset)) > 1:
        with pytest.raises(yiprep.BucketChoiceError):
            yiprep.open_dataset(root)
        assert len(yiprep.open_dataset(root, sequence_length=16)) == len(read_bucket(os.path.join(root, "len-16")))
    else:
        assert len(yiprep.open_dataset(root)) == len(read_bucket(bucket_dirs(dataset)[0]))


def expected_views(tokens, spans):
    """Labels, position ids and cu_seqlens by brute force, position by position."""
    length = len(tokens)
    labels, positions = [], []
    for i in range(length):
        span = next((s for s in spans if s["offset"] <= i < s["offset"] + s["length"]), None)
        if span is None:  # padding
            labels.append(-100)
            positions.append(i - max((s["offset"] + s["length"] for s in spans), default=0))
        else:
            end = span["offset"] + span["length"]
            labels.append(int(tokens[i + 1]) if i + 1 < end else -100)
            positions.append(i - span["offset"])
    cuts = [0] + [s["offset"] + s["length"] for s in spans]
    if cuts[-1] != length:
        cuts.append(length)
    return labels, positions, cuts


@pytest.mark.parametrize("dataset", DATASETS)
def test_sample_views_follow_the_documented_conventions(dataset):
    checked_split = False
    for bucket_dir in bucket_dirs(dataset):
        bucket = yiprep.open_dataset(bucket_dir)
        for i, (tokens, spans) in enumerate(read_bucket(bucket_dir)):
            sample = bucket[i]
            labels, positions, cuts = expected_views(tokens, spans)
            assert sample["input_ids"].dtype == np.int64 and np.array_equal(sample["input_ids"], tokens)
            assert sample["labels"].tolist() == labels
            assert sample["position_ids"].tolist() == positions
            assert sample["cu_seqlens"].dtype == np.int32 and sample["cu_seqlens"].tolist() == cuts
            # No label crosses a boundary: every EOS position predicts nothing.
            for s in spans:
                assert sample["labels"][s["offset"] + s["length"] - 1] == -100
            hf = yiprep.hf_labels(sample["labels"])
            assert hf[0] == -100 and np.array_equal(hf[1:], sample["labels"][:-1])
            checked_split |= any(s["part"] > 0 for s in spans)
    assert checked_split or dataset.endswith("int32")


def test_int32_fixture_uses_int32():
    shard = Shard(os.path.join(FIXTURES, "small-dataset-int32", "len-24", "shard-00000"))
    assert shard.index.dtype == np.int32
    # Ids above uint16's range survive the round trip (the vocabulary is 100,000).
    assert max(int(shard.tokens(k).max()) for k in range(len(shard))) > 65_535
    expected = [t for d in documents("small-dataset-int32") for t in d["tokens"]]
    assert max(expected) == max(int(shard.tokens(k).max()) for k in range(len(shard)))


def test_foreign_megatron_shard_is_one_segment(tmp_path):
    lengths = np.array([3, 5], dtype="<i4")
    tokens = np.array([10, 11, 2, 20, 21, 22, 23, 2], dtype="<u2")
    header = b"MMIDIDX\x00\x00" + struct.pack("<QBQQ", 1, 8, 2, 3)
    idx = header + lengths.tobytes() + np.array([0, 6], "<i8").tobytes() + np.array([0, 1, 2], "<i8").tobytes()
    (tmp_path / "data.idx").write_bytes(idx)
    (tmp_path / "data.bin").write_bytes(tokens.tobytes())
    with pytest.raises(yiprep.IncompleteRunError):
        yiprep.open_dataset(str(tmp_path / "data"))
    bucket = yiprep.open_dataset(str(tmp_path / "data"), allow_incomplete=True)
    assert len(bucket) == 2 and bucket.spans(1) is None
    sample = bucket[1]
    assert sample["labels"].tolist() == [21, 22, 23, 2, -100]
    assert sample["cu_seqlens"].tolist() == [0, 5]


def test_damaged_files_raise_format_errors(tmp_path):
    source = os.path.join(FIXTURES, "small-dataset", "len-16")
    bucket = tmp_path / "len-16"
    shutil.copytree(source, bucket)
    docs = bucket / "shard-00000.docs"
    docs.write_bytes(docs.read_bytes()[:-3])
    with pytest.raises(yiprep.FormatError):
        yiprep.open_dataset(str(bucket), allow_incomplete=True)
    shutil.copy(os.path.join(source, "shard-00000.docs"), docs)
    binary = bucket / "shard-00000.bin"
    binary.write_bytes(binary.read_bytes()[:-2])
    with pytest.raises(yiprep.FormatError):
        yiprep.open_dataset(str(bucket), allow_incomplete=True)
    idx = bucket / "shard-00000.idx"
    idx.write_bytes(b"XX" + idx.read_bytes()[2:])
    with pytest.raises(yiprep.FormatError):
        yiprep.open_dataset(str(bucket), allow_incomplete=True)


def test_collate_varlen_joins_cu_seqlens():
    torch = pytest.importorskip("torch")
    from yiprep.torch_data import collate_varlen
    bucket_dir = os.path.join(FIXTURES, "small-dataset", "len-32")
    dataset = yiprep.open_dataset(bucket_dir)
    loader = torch.utils.data.DataLoader(dataset, batch_size=3, collate_fn=collate_varlen)
    batch = next(iter(loader))
    assert batch["input_ids"].shape == (3, 32) and batch["labels"].dtype == torch.int64
    expected = [0]
    for i in range(3):
        expected += [int(c) + 32 * i for c in dataset[i]["cu_seqlens"][1:]]
    assert batch["cu_seqlens"].tolist() == expected
    assert batch["max_seqlen"] == max(np.diff(expected))
