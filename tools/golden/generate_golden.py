#!/usr/bin/env python3
"""Regenerate golden token ids with the reference SentencePiece (PyPI `sentencepiece`, 0.2.x).

Anyone can extend the golden set the native tokenizer is tested against: give it a model and
some real text, and it writes one JSON object per input, in the format of the shared reference
files (`../shared/tokenizers/*/fixtures.spm.jsonl`):

    {"text": "...", "ids": [...], "pieces": [...]}                   # the default fields

`--fields` chooses them (text or bytes_hex first, then any of ids, pieces, decoded): `decoded`
is SentencePiece's DecodeIds of the ids (what `decode` must give back). Ids never include
BOS/EOS. The script installs `sentencepiece` with pip when it is missing.

Inputs (`--input`, repeatable; mixed freely):
  *.jsonl / *.jsonl.zst   one JSON object per line with a text field (`--text-field`, default
                          `text`) or a `bytes_hex` field: raw bytes, possibly malformed UTF-8,
                          which SentencePiece encodes as given
  anything else           a UTF-8 text file, one input per line (`--whole-file`: the whole file)

`--snippets N` cuts N pieces of real text out of the inputs instead of using them whole: each
is a run of whole lines (or, for texts without line breaks, of characters) of about
`--snippet-chars` characters, picked with a seeded random generator (`--seed`), so the same
command always gives the same file.

Examples (from the repository root):
  # ids for a corpus, in the shared fixtures' format
  python3 tools/golden/generate_golden.py --model ../shared/tokenizers/yi/tokenizer.model \\
      --input my-corpus.jsonl.zst --output my-corpus.yi-golden.jsonl
  # the committed golden set: hard cases + snippets of the shared corpora, for three models
  python3 tools/golden/generate_golden.py --regenerate-committed
"""
import argparse
import json
import os
import random
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("YI_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
GOLDEN_DIR = os.path.join(ROOT, "Tests", "YiTokenizerTests", "Golden")
HERE = os.path.dirname(os.path.abspath(__file__))


def sentencepiece_module():
    try:
        import sentencepiece
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "sentencepiece>=0.2,<0.3"])
        import sentencepiece
    if not sentencepiece.__version__.startswith("0.2."):
        print(f"warning: sentencepiece {sentencepiece.__version__} is not 0.2.x", file=sys.stderr)
    return sentencepiece


def read_text(path):
    if path.endswith(".zst"):
        raw = subprocess.run(["zstd", "-dcq", path], check=True, capture_output=True).stdout
    else:
        with open(path, "rb") as f:
            raw = f.read()
    return raw.decode("utf-8")


def read_inputs(path, text_field, whole_file):
    """Yields dicts with either "text" or "bytes_hex"."""
    name = path[:-4] if path.endswith(".zst") else path
    data = read_text(path)
    if name.endswith(".jsonl"):
        for number, line in enumerate(data.split("\n"), 1):
            if not line.strip():
                continue
            record = json.loads(line)
            if "bytes_hex" in record:
                yield {"bytes_hex": record["bytes_hex"]}
            elif isinstance(record.get(text_field), str):
                yield {"text": record[text_field]}
            else:
                print(f"{path}:{number}: no string field {text_field!r}, skipped", file=sys.stderr)
    elif whole_file:
        yield {"text": data}
    else:
        for line in data.split("\n"):
            yield {"text": line}


def snippets(records, count, chars, seed):
    """Cuts `count` runs of whole lines (about `chars` characters) out of random records."""
    rng = random.Random(seed)
    texts = [r["text"] for r in records if "text" in r and r["text"].strip()]
    out = []
    while texts and len(out) < count:
        text = rng.choice(texts)
        lines = text.splitlines(keepends=True)
        if len(lines) > 1:
            start = rng.randrange(len(lines))
            piece = ""
            for line in lines[start:]:
                if piece and len(piece) + len(line) > chars:
                    break
                piece += line
            piece = piece[: chars * 2]
        else:
            start = rng.randrange(max(1, len(text) - chars))
            piece = text[start:start + chars]
        if piece.strip():
            out.append({"text": piece})
    return out


def golden_lines(sp, records, fields):
    for record in records:
        source = record["text"] if "text" in record else bytes.fromhex(record["bytes_hex"])
        ids = sp.encode(source)
        row = {"text": record["text"]} if "text" in record else {"bytes_hex": record["bytes_hex"]}
        for field in fields:
            if field == "ids":
                row["ids"] = ids
            elif field == "pieces":
                row["pieces"] = [sp.id_to_piece(i) for i in ids]
            elif field == "decoded":
                row["decoded"] = sp.decode(ids)
        yield json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def write(path, lines):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(line + "\n")
    os.replace(tmp, path)


def regenerate_committed(spm):
    """The golden set in Tests/YiTokenizerTests/Golden (see README.md there)."""
    hard = list(read_inputs(os.path.join(HERE, "hard_cases.jsonl"), "text", False))
    corpus = list(read_inputs(os.path.join(SHARED, "corpora/jsonl/corpus.jsonl"), "text", False))
    mixed = list(read_inputs(os.path.join(SHARED, "corpora/tokenizer-reference/mixed-en-zh-v1.jsonl.zst"), "text", False))
    inputs = hard + snippets(corpus, 64, 140, seed=20261127) + snippets(mixed, 16, 140, seed=7)
    malformed = list(read_inputs(os.path.join(HERE, "malformed_utf8.jsonl"), "text", False))
    os.makedirs(GOLDEN_DIR, exist_ok=True)
    for name in ("yi", "llama2", "zh-bpe-nfkc"):
        sp = spm.SentencePieceProcessor(model_file=os.path.join(SHARED, "tokenizers", name, "tokenizer.model"))
        write(os.path.join(GOLDEN_DIR, f"{name}.golden.jsonl"), golden_lines(sp, inputs, ["ids", "decoded"]))
        write(os.path.join(GOLDEN_DIR, f"{name}.malformed.golden.jsonl"), golden_lines(sp, malformed, ["ids", "decoded"]))
    print(f"wrote {len(inputs)} texts and {len(malformed)} byte strings for 3 models to {GOLDEN_DIR} "
          f"(sentencepiece {spm.__version__})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="SentencePiece .model file")
    parser.add_argument("--input", action="append", default=[], help="input file (repeatable)")
    parser.add_argument("--output", help="output JSONL (default: stdout)")
    parser.add_argument("--text-field", default="text")
    parser.add_argument("--whole-file", action="store_true", help="a plain text file is one input, not one per line")
    parser.add_argument("--fields", default="ids,pieces", help="comma-separated: ids, pieces, decoded")
    parser.add_argument("--snippets", type=int, default=0, help="cut this many snippets out of the inputs")
    parser.add_argument("--snippet-chars", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--regenerate-committed", action="store_true",
                        help="rewrite Tests/YiTokenizerTests/Golden from tools/golden/*.jsonl and ../shared")
    args = parser.parse_args()
    spm = sentencepiece_module()
    if args.regenerate_committed:
        regenerate_committed(spm)
        return
    if not args.model or not args.input:
        parser.error("--model and at least one --input are needed")
    records = [r for path in args.input for r in read_inputs(path, args.text_field, args.whole_file)]
    if args.snippets:
        records = snippets(records, args.snippets, args.snippet_chars, args.seed)
    fields = [f.strip() for f in args.fields.split(",") if f.strip()]
    unknown = set(fields) - {"ids", "pieces", "decoded"}
    if unknown:
        parser.error(f"unknown fields: {sorted(unknown)}")
    sp = spm.SentencePieceProcessor(model_file=args.model)
    lines = golden_lines(sp, records, fields)
    if args.output:
        write(args.output, lines)
    else:
        for line in lines:
            print(line)


if __name__ == "__main__":
    main()
