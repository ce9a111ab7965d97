"""Chat data end to end: conversations packed by `yi-prep pack --chat yi`, read back through the
`yiprep` package, give each conversation's ids and loss mask exactly as `yi-prep tokenize --chat yi`
gives them (whose ids and masks equal the reference library's: Tests/YiTokenizerTests chat golden),
whole in one span, with labels -100 wherever the mask says "not trained"."""

import json
import os
import subprocess

import numpy as np

import yiprep
from conftest import CORPUS, ROOT, TOKENIZER, load_manifest, pack, yi_prep_binary

EOS = 2


def conversations_from_corpus(path, count=40):
    """Multi-turn conversations built from real documents of the shared corpus: the user quotes a
    piece of a document, the assistant continues it, twice, with a system prompt on every third."""
    out = []
    with open(CORPUS, encoding="utf-8") as f:
        for n, line in enumerate(f):
            if len(out) == count:
                break
            text = json.loads(line)["text"]
            if len(text) < 400:
                continue
            cut = [0, len(text) // 8, len(text) // 4, 3 * len(text) // 8, len(text) // 2]
            turns = [{"role": "user", "content": text[cut[0]:cut[1]]},
                     {"role": "assistant", "content": text[cut[1]:cut[2]]},
                     {"role": "user", "content": "Go on:\n" + text[cut[2]:cut[3]]},
                     {"role": "assistant", "content": text[cut[3]:cut[4]]}]
            if n % 3 == 0:
                turns.insert(0, {"role": "system", "content": "You continue texts faithfully."})
            out.append({"id": f"conv-{n}", "messages": turns})
    with open(path, "w", encoding="utf-8") as f:
        for record in out:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return [record["id"] for record in out]


def test_packed_chat_reads_back_exactly(tmp_path):
    corpus = tmp_path / "chats.jsonl"
    ids = conversations_from_corpus(corpus)
    tokenized = tmp_path / "tokenized.jsonl"
    result = subprocess.run([yi_prep_binary(), "tokenize", "--chat", "yi", "--tokenizer", TOKENIZER,
                             "--output", str(tokenized), str(corpus)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    expected = {}
    for line in open(tokenized, encoding="utf-8"):
        record = json.loads(line)
        expected[record["id"]] = (record["ids"] + [EOS], record["loss_mask"] + [0])
    assert set(expected) == set(ids)

    out = pack(tmp_path / "out", "1024,4096", [corpus], "--chat", "yi")
    manifest = load_manifest(out)
    assert manifest["format_version"] == 2
    dropped = sum(v for k, v in manifest["counters"].items() if k.startswith("dropped.long-chat"))
    fits = {k for k, (tokens, _) in expected.items() if len(tokens) <= 4096}
    assert dropped == len(expected) - len(fits)
    assert fits, "the test corpus should have conversations that fit"

    by_tokens = {tuple(tokens): key for key, (tokens, _) in expected.items()}
    seen = []
    for length in (1024, 4096):
        bucket = os.path.join(out, f"len-{length}")
        if not os.path.isdir(bucket):
            continue
        ds = yiprep.open_dataset(bucket)
        for i in range(len(ds)):
            item = ds[i]
            tokens, labels = item["input_ids"], yiprep.hf_labels(item["labels"])
            bounds = item["cu_seqlens"].tolist()
            for start, end in zip(bounds, bounds[1:]):
                span = tuple(tokens[start:end].tolist())
                if span not in by_tokens:  # the padding tail
                    assert all(t == manifest["pad_id"] for t in span)
                    continue
                key = by_tokens[span]
                mask = expected[key][1]
                trained = (labels[start:end] != -100).astype(int).tolist()
                # The first token of a span is never a target (nothing before it in the document).
                assert trained == [0] + mask[1:], key
                assert labels[start:end][np.array(trained, dtype=bool)].tolist() == \
                    [t for t, m in zip(span, trained) if m]
                seen.append(key)
    assert sorted(seen) == sorted(fits), "every conversation that fits appears exactly once, whole"
