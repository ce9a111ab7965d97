#!/usr/bin/env python3
"""Builds tiny synthetic SentencePiece BPE models that exercise flags the real models in
../shared do not (UNUSED pieces, treat_whitespace_as_suffix, escape_whitespaces=false with
remove_extra_whitespaces, overlapping USER_DEFINED pieces, CONTROL literals, unknown runs
without byte fallback), then writes golden ids for them with the reference `sentencepiece`.

The models are made here from scratch (a hand-written protobuf encoder, no dependency), so
they can be committed: Tests/YiTokenizerTests/Golden/crafted/<name>.model and
<name>.golden.jsonl ({"text", "ids", "decoded"}).

Usage: python3 tools/golden/craft_models.py
"""
import json
import os
import random
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "Tests", "YiTokenizerTests", "Golden", "crafted")

NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6
BPE = 2
SPACE = "\u2581"


def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def field_bytes(number, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return varint(number << 3 | 2) + varint(len(data)) + data


def field_float(number, value):
    return varint(number << 3 | 5) + struct.pack("<f", value)


def model_proto(pieces, trainer, normalizer):
    """pieces: [(piece, score, type)]; trainer/normalizer: {field number: value}."""
    out = bytearray()
    for piece, score, kind in pieces:
        body = field_bytes(1, piece) + field_float(2, score) + field_varint(3, kind)
        out += field_bytes(1, body)

    def message(fields):
        body = bytearray()
        for number, value in sorted(fields.items()):
            if isinstance(value, (bytes, str)):
                body += field_bytes(number, value)
            else:
                body += field_varint(number, int(value))
        return bytes(body)

    out += field_bytes(2, message(trainer))
    out += field_bytes(3, message(normalizer))
    return bytes(out)


def base_pieces(chars, byte_fallback=False, controls=("<s>", "</s>")):
    pieces = [("<unk>", 0.0, UNKNOWN)] + [(c, 0.0, CONTROL) for c in controls]
    if byte_fallback:
        pieces += [(f"<0x{b:02X}>", 0.0, BYTE) for b in range(256)]
    pieces += [(c, -100.0 - i, NORMAL) for i, c in enumerate(chars)]
    return pieces


def merges(words, start=-1.0, kind=NORMAL, kinds=None):
    out = []
    for i, w in enumerate(words):
        out.append((w, start - i * 0.5, (kinds or {}).get(w, kind)))
    return out


def models():
    letters = "abcdefghijklmnopqrstuvwxyz"
    yield "unused", model_proto(
        base_pieces(SPACE + letters)
        + merges(["th", SPACE + "t", "he", "the", SPACE + "the", "in", "ng", "ing", "an", "nd", "and",
                  SPACE + "a", SPACE + "and", "er", "re", "es", "ed", "on", "ion", "ti", "tion"],
                 kinds={"the": UNUSED, "ing": UNUSED, "nd": UNUSED, "tion": UNUSED}),
        trainer={3: BPE, 4: 60, 35: 0, 40: 0, 41: 1, 42: 2},
        normalizer={1: "identity", 3: 1, 4: 0, 5: 1})
    yield "suffix", model_proto(
        base_pieces(SPACE + letters + ".,", byte_fallback=True)
        + merges(["e" + SPACE, "s" + SPACE, "he", "the", "the" + SPACE, "an", "and", "and" + SPACE,
                  "in", "ing", "ing" + SPACE, SPACE + SPACE, "a" + SPACE, "er", "er" + SPACE, "," + SPACE]),
        trainer={3: BPE, 4: 300, 24: 1, 35: 1, 40: 0, 41: 1, 42: 2},
        normalizer={1: "identity", 3: 1, 4: 0, 5: 1})
    yield "noescape", model_proto(
        base_pieces(" " + letters)
        + merges([" t", "th", " th", "he", " the", "the", "in", "ing", " a", "an", "and", " and", "  "])
        + [("<sep>", 0.0, USER_DEFINED), ("x y", 0.0, USER_DEFINED)],
        trainer={3: BPE, 4: 60, 40: 0, 41: 1, 42: 2},
        normalizer={1: "identity", 3: 1, 4: 1, 5: 0})
    yield "userdefined", model_proto(
        base_pieces(SPACE + letters + "<>|", controls=("<s>", "</s>", "<ctl>"))
        + merges(["ab", "abc", "<a", "<ab", SPACE + "a", "b>", "c>", "||"])
        + [("<a>", 0.0, USER_DEFINED), ("<ab>", 0.0, USER_DEFINED), ("<abc>", 0.0, USER_DEFINED),
           ("<|", 0.0, USER_DEFINED), (SPACE + SPACE, 0.0, USER_DEFINED), ("zz", 0.0, USER_DEFINED),
           # after the space symbol, where BPE could never build it (no "▁z", no "zq")
           (SPACE + "zq", 0.0, USER_DEFINED)],
        trainer={3: BPE, 4: 80, 40: 0, 41: 1, 42: 2},
        normalizer={1: "identity", 3: 0, 4: 0, 5: 1})


def inputs(seed=5):
    fixed = ["the thing", "and the ring", "the  theming andand", "  leading and trailing  ",
             "tion nation ration", "singing thing thinking", "x y z x  y", "<sep>the<sep> <sep>",
             "<a><ab><abc><abcd> <ctl> <s> </s>", "<|a||b|>", "zzz zz z", "héllo wörld 中文 😀",
             "", " ", "    ", "a", "UPPER case THE", "the.the,the. the ,", "\t\ttabs and\nnewlines\n",
             "unknownXYZ chars QQQ and", "thethethe", "ingingnd ndnd", "a zq b zqzq  zq zz zqq",
             "zq", " zq", "thinking abcdefghijklmnopqrstuvwxyz andthethe"]
    rng = random.Random(seed)
    alphabet = list("theaningdorsx ") + [" ", "  ", "<a>", "<ab", "zz", "Q", "é", "中", "\n", "<sep>", ".", ","]
    rand = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(40)]
    return fixed + rand


def main():
    try:
        import sentencepiece as spm
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "sentencepiece>=0.2,<0.3"])
        import sentencepiece as spm
    os.makedirs(OUT, exist_ok=True)
    texts = inputs()
    for name, data in models():
        path = os.path.join(OUT, f"{name}.model")
        with open(path, "wb") as f:
            f.write(data)
        sp = spm.SentencePieceProcessor(model_file=path)
        with open(os.path.join(OUT, f"{name}.golden.jsonl"), "w", encoding="utf-8") as f:
            for text in texts:
                ids = sp.encode(text)
                row = {"text": text, "ids": ids, "decoded": sp.decode(ids)}
                f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        print(f"{name}: {len(data)} bytes, {sp.get_piece_size()} pieces, {len(texts)} golden lines")


if __name__ == "__main__":
    main()
