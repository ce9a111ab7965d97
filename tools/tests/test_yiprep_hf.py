"""yiprep.hf and yiprep.loss against a real transformers model: a tiny randomly initialised
LlamaForCausalLM (Yi's vocabulary, CPU, float32) on real yi-prep output."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

import yiprep  # noqa: E402
from yiprep.hf import DataCollator, LeakError  # noqa: E402
from yiprep.loss import packed_loss  # noqa: E402
from yiprep.torch_data import ShuffledIterableDataset, collate_varlen  # noqa: E402

TOLERANCE = 1e-4


def tiny_llama(attn_implementation, use_cache=True):
    torch.manual_seed(0)
    config = transformers.LlamaConfig(vocab_size=64000, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
                                      use_cache=use_cache)
    config._attn_implementation = attn_implementation
    return transformers.LlamaForCausalLM(config).eval()


def multi_document_items(ds, count):
    """Sequences holding several documents and some padding: where a leak would show."""
    chosen = [i for i in range(len(ds)) if len(ds.spans(i)) >= 3]
    assert len(chosen) >= count, "the fixture should pack several documents per 256-token sequence"
    return [ds[i] for i in chosen[:count]]


def spans_of(item):
    cu = item["cu_seqlens"]
    return [(int(a), int(b)) for a, b in zip(cu[:-1], cu[1:])]


@pytest.mark.parametrize("attn", ["sdpa", "eager"])
@pytest.mark.parametrize("use_cache", [True, False])
def test_packed_documents_match_documents_alone(packed_pad0, attn, use_cache):
    ds = yiprep.open_dataset(packed_pad0, sequence_length=256)
    items = multi_document_items(ds, 2)
    model = tiny_llama(attn)
    batch = DataCollator(model)(items)
    with torch.no_grad():
        packed = model(**batch, use_cache=use_cache)
        weighted, trained = 0.0, 0
        for b, item in enumerate(items):
            for start, end in spans_of(item):  # every document, and the padding tail
                alone = model(input_ids=batch["input_ids"][b:b + 1, start:end],
                              labels=batch["labels"][b:b + 1, start:end], use_cache=use_cache)
                diff = (packed.logits[b, start:end] - alone.logits[0]).abs().max().item()
                assert diff < TOLERANCE, f"{attn} use_cache={use_cache}: row {b} span {start}:{end} differs by {diff}"
                n = int((batch["labels"][b, start + 1:end] != -100).sum())
                if n:
                    weighted += alone.loss.item() * n
                    trained += n
    assert trained == int((batch["labels"] != -100).sum())
    assert abs(packed.loss.item() - weighted / trained) < TOLERANCE


def test_the_check_sees_a_leak(packed_pad0):
    """Control: with a plain causal mask (documents see each other) the same comparison fails."""
    ds = yiprep.open_dataset(packed_pad0, sequence_length=256)
    item = multi_document_items(ds, 1)[0]
    model = tiny_llama("sdpa")
    batch = DataCollator(model)([item])
    batch["attention_mask"] = torch.ones(1, 1, 256, 256, dtype=torch.bool).tril()
    start, end = spans_of(item)[1]
    with torch.no_grad():
        packed = model(**batch).logits[0, start:end]
        alone = model(input_ids=batch["input_ids"][:, start:end]).logits[0]
    assert (packed - alone).abs().max().item() > 1e-2


def test_varlen_layout_keeps_documents_apart(packed_pad0):
    """The flash_attention_2 batch (flattened, position ids restarting per document) run through
    transformers' own packed-sequence path (sdpa, no cache) gives each document's logits alone."""
    ds = yiprep.open_dataset(packed_pad0, sequence_length=256)
    items = multi_document_items(ds, 2)
    batch = DataCollator(attn_implementation="flash_attention_2")(items)
    assert batch["input_ids"].shape == (1, 512)
    cu = batch["cu_seq_lens_q"].tolist()
    assert cu[0] == 0 and cu[-1] == 512 and batch["max_length_q"] == max(np.diff(cu))
    assert batch["cu_seq_lens_q"].dtype == torch.int32
    model = tiny_llama("sdpa")
    with torch.no_grad():
        out = model(input_ids=batch["input_ids"], position_ids=batch["position_ids"], labels=batch["labels"],
                    use_cache=False)
        for start, end in zip(cu[:-1], cu[1:]):
            alone = model(input_ids=batch["input_ids"][:, start:end], use_cache=False).logits[0]
            assert (out.logits[0, start:end] - alone).abs().max().item() < TOLERANCE
    # Labels never cross a document: each document's first position is -100.
    assert all(batch["labels"][0, s].item() == -100 for s in cu[:-1])


@pytest.mark.parametrize("attn", ["flex_attention", "paged_attention", "my_kernel"])
def test_collator_refuses_what_it_cannot_make_safe(attn):
    with pytest.raises(LeakError, match="attn_implementation='sdpa'"):
        DataCollator(attn_implementation=attn)
    model = tiny_llama("sdpa")
    model.config._attn_implementation = attn
    with pytest.raises(LeakError):
        DataCollator(model)


def test_collator_refuses_encoder_decoder():
    config = transformers.T5Config(vocab_size=128, d_model=16, d_kv=4, d_ff=32, num_layers=1, num_heads=2)
    config._attn_implementation = "eager"
    model = transformers.T5ForConditionalGeneration(config)
    with pytest.raises(LeakError, match="encoder-decoder"):
        DataCollator(model)


def test_collator_derives_boundaries_from_position_ids(packed_pad0):
    """A Trainer that strips unknown columns drops cu_seqlens: the same mask comes back."""
    ds = yiprep.open_dataset(packed_pad0, sequence_length=256)
    items = multi_document_items(ds, 2)
    collate = DataCollator(attn_implementation="eager")
    stripped = [{k: v for k, v in it.items() if k != "cu_seqlens"} for it in items]
    assert torch.equal(collate(items)["attention_mask"], collate(stripped)["attention_mask"])


@pytest.mark.parametrize("normalize", ["token", "sequence", "document"])
def test_loss_normalisation(packed_pad0, normalize):
    ds = yiprep.open_dataset(packed_pad0, sequence_length=256)
    items = multi_document_items(ds, 3)
    model = tiny_llama("sdpa")
    batch = DataCollator(model)(items)
    with torch.no_grad():
        out = model(**batch)
    got = packed_loss(out.logits, batch["labels"], batch["position_ids"], normalize).item()
    # Reference: per-token losses by brute force, grouped by hand.
    logp = torch.log_softmax(out.logits.float(), -1)
    per_row, per_doc, all_tokens = [], [], []
    for b, item in enumerate(items):
        row = []
        for start, end in spans_of(item):
            doc = [-logp[b, j - 1, batch["labels"][b, j]].item() for j in range(start + 1, end)
                   if batch["labels"][b, j] != -100]
            if doc:
                per_doc.append(np.mean(doc))
            row += doc
        per_row.append(np.mean(row))
        all_tokens += row
    expected = {"token": np.mean(all_tokens), "sequence": np.mean(per_row), "document": np.mean(per_doc)}[normalize]
    assert abs(got - expected) < 1e-4
    if normalize == "token":
        assert abs(got - out.loss.item()) < 1e-4
    assert len({round(v, 3) for v in (np.mean(all_tokens), np.mean(per_row), np.mean(per_doc))}) > 1


def test_distributed_sampler_and_seeded_shuffle(packed_pad0):
    ds = yiprep.open_dataset(packed_pad0, sequence_length=512)
    seen = []
    for rank in range(2):
        sampler = torch.utils.data.DistributedSampler(ds, num_replicas=2, rank=rank, shuffle=True, seed=7)
        sampler.set_epoch(1)
        loader = torch.utils.data.DataLoader(ds, batch_size=4, sampler=sampler, collate_fn=collate_varlen)
        for batch in loader:
            seen += [tuple(row[:16].tolist()) for row in batch["input_ids"]]
    assert len(seen) >= len(ds) and {tuple(ds.tokens(i)[:16].tolist()) for i in range(len(ds))} <= set(seen)
    streams = [list(ShuffledIterableDataset(ds, seed=3, rank=r, world_size=2)) for r in range(2)]
    again = list(ShuffledIterableDataset(ds, seed=3, rank=0, world_size=2))
    assert [x["input_ids"].tolist() for x in again] == [x["input_ids"].tolist() for x in streams[0]]
    assert len(streams[0]) + len(streams[1]) == len(ds)
    other_seed = list(ShuffledIterableDataset(ds, seed=4, rank=0, world_size=2))
    assert [x["input_ids"][:8].tolist() for x in other_seed] != [x["input_ids"][:8].tolist() for x in streams[0]]


def test_trainer_runs_two_steps(packed_pad0, tmp_path):
    pytest.importorskip("accelerate")
    ds = yiprep.open_dataset(packed_pad0, sequence_length=256)
    model = tiny_llama("sdpa")
    args = transformers.TrainingArguments(output_dir=str(tmp_path / "run"), per_device_train_batch_size=2,
                                          max_steps=2, report_to="none", use_cpu=True, save_strategy="no",
                                          seed=1, data_seed=1)
    trainer = transformers.Trainer(model=model, args=args, train_dataset=ds, data_collator=DataCollator(model))
    result = trainer.train()
    assert result.global_step == 2 and np.isfinite(result.training_loss)
