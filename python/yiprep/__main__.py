"""``python -m yiprep PATH [SEQUENCE] [--len N]``: what a trainer receives for one sequence."""

from __future__ import annotations

import argparse
import os
import sys

from .dataset import BucketChoiceError, list_buckets, open_dataset
from .formats import FormatError


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m yiprep", description=__doc__.split("\n")[0].strip("`"))
    parser.add_argument("path", help="bucket folder (OUT/len-16384), pack output folder or shard prefix")
    parser.add_argument("sequence", nargs="?", type=int, default=0, help="sequence number (default 0)")
    parser.add_argument("--len", dest="length", type=int, help="bucket length, when PATH holds several buckets")
    parser.add_argument("--allow-incomplete", action="store_true", help="read a run that has no manifest.json")
    args = parser.parse_intermixed_args(argv)
    try:
        ds = open_dataset(args.path, args.length, allow_incomplete=args.allow_incomplete)
    except BucketChoiceError as error:
        print(f"{error.path} holds {len(error.buckets)} buckets:", file=sys.stderr)
        for name in error.buckets:
            print(f"  {name}", file=sys.stderr)
        print(f"pick one: python -m yiprep {os.path.join(error.path, error.buckets[-1])}   "
              f"or   python -m yiprep {error.path} --len {error.buckets[-1][4:]}", file=sys.stderr)
        return 2
    except (FormatError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{ds.path}: {len(ds)} sequences of {ds.sequence_length} tokens in {len(ds.shards)} shard(s)"
          + (", loss masks from .mask sidecars" if ds.has_loss_mask else ""))
    if len(ds) == 0:
        others = [b for b in list_buckets(os.path.dirname(os.path.abspath(ds.path)))
                  if b != os.path.basename(os.path.abspath(ds.path))]
        print(f"this bucket is empty: no document was routed to it"
              + (f" (other buckets: {', '.join(others)})" if others else ""), file=sys.stderr)
        return 1
    if not -len(ds) <= args.sequence < len(ds):
        print(f"error: sequence {args.sequence} out of range: the bucket holds {len(ds)} (0 to {len(ds) - 1})",
              file=sys.stderr)
        return 2
    sample = ds[args.sequence]
    print(f"sequence {args.sequence}:")
    for key in ("input_ids", "labels", "position_ids", "cu_seqlens"):
        value = sample[key]
        head = ", ".join(str(int(v)) for v in value[:8])
        print(f"  {key:13s} {str(value.dtype):6s} [{len(value)}]  {head}{', ...' if len(value) > 8 else ''}")
    trained = int((sample["labels"] != -100).sum())
    print(f"  trained positions (labels != -100): {trained} of {len(sample['labels'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
