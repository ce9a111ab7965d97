"""Loss normalisation for packed batches (torch).

Three ways to average the token losses of a batch (``normalize``):

``"token"``     (default, what Hugging Face models and Megatron do) every trained token weighs the
                same: sum of token losses / number of trained tokens. Long documents dominate.
``"sequence"``  each packed sequence (batch row) weighs the same: the mean of its rows' mean losses.
``"document"``  each document span weighs the same, however long (LongAlign's per-sequence
                weighting, Bai et al. 2024, for packed long-context SFT): the mean of the spans'
                mean losses. Spans come from ``position_ids`` (they restart at 0 at each span), so
                the parts of a split document count as separate spans.

Units without a trained token are left out of the mean. All three are exact per batch; with
gradient accumulation the trainer averages the micro-batches' losses on top.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .dataset import IGNORE_INDEX

NORMALIZATIONS = ("token", "sequence", "document")


def loss_weights(labels: torch.Tensor, position_ids: torch.Tensor, normalize: str = "token") -> torch.Tensor:
    """Float weights [B, L] for unshifted (Hugging Face) ``labels``: the batch loss is
    ``sum(weights[:, 1:] * token_loss)`` where ``token_loss[b, j-1]`` is the loss of predicting
    ``labels[b, j]`` from ``logits[b, j-1]``. Zero where the label is -100."""
    if normalize not in NORMALIZATIONS:
        raise ValueError(f"normalize={normalize!r}: use one of {', '.join(NORMALIZATIONS)}")
    valid = (labels != IGNORE_INDEX).to(torch.float32)
    if normalize == "token":
        return valid / valid.sum().clamp(min=1)
    if normalize == "sequence":
        units = torch.arange(labels.shape[0], device=labels.device)[:, None].expand_as(labels)
    else:
        # A span starts where the position restarts at 0; number spans across the whole batch.
        starts = (position_ids == 0).to(torch.int64)
        starts[:, 0] = 1
        units = starts.reshape(-1).cumsum(0).reshape(labels.shape) - 1
    flat = units.reshape(-1)
    counts = torch.zeros(int(flat.max()) + 1, device=labels.device).index_add_(0, flat, valid.reshape(-1))
    present = int((counts > 0).sum())
    per_token = valid.reshape(-1) / counts[flat].clamp(min=1)
    return (per_token / max(present, 1)).reshape(labels.shape)


def packed_loss(logits: torch.Tensor, labels: torch.Tensor, position_ids: torch.Tensor,
                normalize: str = "token") -> torch.Tensor:
    """Cross-entropy of a causal LM's ``logits`` [B, L, V] against unshifted ``labels`` [B, L]
    (the ``DataCollator``'s), averaged as ``normalize`` says."""
    weights = loss_weights(labels, position_ids, normalize)[:, 1:]
    targets = labels[:, 1:]
    token_loss = F.cross_entropy(logits[:, :-1].float().reshape(-1, logits.shape[-1]),
                                 targets.reshape(-1), ignore_index=IGNORE_INDEX, reduction="none")
    return (token_loss * weights.reshape(-1)).sum()
