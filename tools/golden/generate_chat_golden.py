#!/usr/bin/env python3
"""Golden ids and loss masks for Yi chat conversations, from the reference SentencePiece.

Each conversation is rendered with the `chat_template` of Yi's `tokenizer_config.json` (run
through jinja2, and checked equal to a plain re-implementation that also records which bytes are
trained), encoded whole with PyPI `sentencepiece` (`EncodeAsIds` of the rendered text), and
masked by the rule yi-prep documents in docs/chat.md:

    a token is trained when the bytes it covers overlap a trained byte range
    (an assistant message's content and its closing <|im_end|>; with --train-on all, everything).

Token byte ranges come from SentencePiece's own offsets (`out_type="proto"`: begin/end in bytes
of the input). For a character encoded as several byte-fallback pieces SentencePiece reports the
character's span on the last piece and empty spans on the others; here every byte piece of the
character gets the character's span (yi-prep traces each byte; the two agree because a trained
boundary never falls inside a character).

There is no chat dataset in ../shared, so the conversations are built from real text of
../shared/corpora/jsonl/corpus.jsonl (documents as the user's content: book chapters, Chinese
classics, source files, documentation) with short questions and answers written for this file.
Documents of 100K+ characters are referenced by corpus id and code-point range instead of copied:
a message's content is a list of parts, each a string or {"corpus": ID, "start": S, "end": E}.

Output (one JSON object per conversation, zstd-compressed):
    {"name", "format": "openai"|"sharegpt", "train_on", "messages": [{"role", "content": [parts]}],
     "text_sha256", "ids": [...], "trained": [[start, end), ...]}   # token index ranges with mask 1

Usage (from the repository root):
    python3 tools/golden/generate_chat_golden.py            # writes tools/golden/chat/yi-chat.golden.jsonl.zst
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("YI_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
OUTPUT = os.path.join(ROOT, "tools", "golden", "chat", "yi-chat.golden.jsonl.zst")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_golden import sentencepiece_module  # noqa: E402


def jinja2_module():
    try:
        import jinja2
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "jinja2"])
        import jinja2
    return jinja2


def ref(corpus_id, start, end):
    return {"corpus": corpus_id, "start": start, "end": end}


# Real documents as the user's content; the questions and answers are written for this file.
CONVERSATIONS = [
    {"name": "en-fortune-system", "format": "openai", "train_on": "assistant", "messages": [
        ("system", ["You are a concise assistant."]),
        ("user", ["Explain this in one sentence:\n\n", ref("linux-doc/Documentation/features/sched/numa-balancing/arch-support.txt", 0, 880)]),
        ("assistant", ["It is a table of which CPU architectures support NUMA balancing in the Linux scheduler."]),
    ]},
    {"name": "zh-classic-sharegpt", "format": "sharegpt", "train_on": "assistant", "messages": [
        ("user", [ref("gutenberg-zh/出師表", 0, 1515), "\n\n这篇文章的作者是谁？"]),
        ("assistant", ["这是诸葛亮写给后主刘禅的《出师表》。"]),
    ]},
    {"name": "code-python-module", "format": "openai", "train_on": "assistant", "messages": [
        ("user", ["What does this module do?\n\n```python\n", ref("python-src/crypt.py", 0, 3913), "\n```"]),
        ("assistant", ["It wraps the Unix crypt(3) function: `crypt(word, salt)` hashes a password, `mksalt()` makes a salt for a method such as `METHOD_SHA512`, and `methods` lists the methods this system supports."]),
    ]},
    {"name": "code-c-multi-turn", "format": "sharegpt", "train_on": "assistant", "messages": [
        ("system", ["You review kernel code."]),
        ("user", [ref("linux-src/net/ipv6/inet6_connection_sock.c", 0, 4253)]),
        ("assistant", ["\n\nThis file holds IPv6 helpers for connection-oriented sockets (TCP), e.g. `inet6_csk_route_req`."]),
        ("user", ["Which header does it include first?"]),
        ("assistant", ["  `#include <linux/module.h>` ▁ comes first 😀."]),
        ("user", ["Thanks!"]),
        ("assistant", [""]),
    ]},
    {"name": "code-c-multi-turn-last", "format": "openai", "train_on": "last-assistant", "messages": [
        ("user", [ref("linux-src/include/linux/pse-pd/pse.h", 0, 3970)]),
        ("assistant", ["It declares the Power Sourcing Equipment (PoE) framework's interface."]),
        ("user", ["Is it a header or a source file?"]),
        ("assistant", ["A header: `pse.h`, with include guards."]),
    ]},
    {"name": "zh-doc-train-all", "format": "openai", "train_on": "all", "messages": [
        ("user", ["总结一下：", ref("wikipedia-zh/70", 0, 2000)]),
        ("assistant", ["这是中文维基百科关于天文学的条目开头。"]),
    ]},
    {"name": "long-en-book-qa", "format": "openai", "train_on": "assistant", "messages": [
        ("system", ["Answer questions about the book below."]),
        ("user", [ref("gutenberg-en/11/11-0.txt", 0, 110000), "\n\nWhom does Alice follow down the rabbit-hole?"]),
        ("assistant", ["The White Rabbit, who takes a watch out of its waistcoat-pocket."]),
        ("user", ["What happens when she drinks from the bottle labelled \"DRINK ME\"?"]),
        ("assistant", ["She shuts up like a telescope and becomes only ten inches high."]),
    ]},
    {"name": "long-zh-book-qa", "format": "sharegpt", "train_on": "assistant", "messages": [
        ("user", [ref("gutenberg-zh/老殘遊記", 0, 104000), "\n\n这部小说的主人公是谁？"]),
        ("assistant", ["主人公是老残，一位游走四方、以行医为生的江湖郎中。"]),
    ]},
]


def load_corpus(ids):
    wanted = set(ids)
    found = {}
    with open(os.path.join(SHARED, "corpora", "jsonl", "corpus.jsonl"), encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record["id"] in wanted:
                found[record["id"]] = record["text"]
    missing = wanted - set(found)
    if missing:
        sys.exit(f"corpus ids not found: {sorted(missing)}")
    return found


def expand(parts, corpus):
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        else:
            text = corpus[part["corpus"]]
            if part["end"] > len(text):
                sys.exit(f"{part['corpus']} has {len(text)} characters, range ends at {part['end']}")
            out.append(text[part["start"]:part["end"]])
    return "".join(out)


def render(messages, train_on):
    """The rendered text and its trained byte ranges (the template's structure, by hand)."""
    last_assistant = max(i for i, (role, _) in enumerate(messages) if role == "assistant")
    text = b""
    trained = []
    for i, (role, content) in enumerate(messages):
        text += ("<|im_start|>" + role + "\n").encode()
        content_start = len(text)
        text += (content + "<|im_end|>").encode()
        if train_on != "all" and role == "assistant" and (train_on == "assistant" or i == last_assistant):
            trained.append((content_start, len(text)))
        text += b"\n"
    if train_on == "all":
        trained = [(0, len(text))]
    return text, trained


def token_spans(proto):
    """(begin, end) byte span per token; byte-fallback pieces of one character share its span."""
    spans = [(p.begin, p.end) for p in proto.pieces]
    following = None
    for i in range(len(spans) - 1, -1, -1):
        begin, end = spans[i]
        if begin == end and following is not None and following[0] == begin:
            spans[i] = following
        else:
            following = spans[i]
    return spans


def trained_token_ranges(mask):
    ranges, start = [], None
    for i, bit in enumerate(mask + [0]):
        if bit and start is None:
            start = i
        elif not bit and start is not None:
            ranges.append([start, i])
            start = None
    return ranges


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=os.path.join(SHARED, "tokenizers", "yi", "tokenizer.model"))
    parser.add_argument("--config", default=os.path.join(SHARED, "tokenizers", "yi", "tokenizer_config.json"))
    parser.add_argument("--output", default=OUTPUT)
    args = parser.parse_args()

    spm = sentencepiece_module()
    jinja2 = jinja2_module()
    sp = spm.SentencePieceProcessor(model_file=args.model)
    with open(args.config, encoding="utf-8") as f:
        template = jinja2.Environment().from_string(json.load(f)["chat_template"])

    corpus = load_corpus([p["corpus"] for c in CONVERSATIONS for _, parts in c["messages"] for p in parts
                          if isinstance(p, dict)])
    lines = []
    for conversation in CONVERSATIONS:
        messages = [(role, expand(parts, corpus)) for role, parts in conversation["messages"]]
        text, trained = render(messages, conversation["train_on"])
        reference = template.render(messages=[{"role": r, "content": c} for r, c in messages])
        assert reference.encode() == text, f"{conversation['name']}: rendering differs from the chat_template"
        decoded = text.decode()
        ids = sp.encode(decoded)
        proto = sp.encode(decoded, out_type="proto")
        assert [p.id for p in proto.pieces] == ids
        spans = token_spans(proto)
        assert spans[-1][1] == len(text)
        mask = [1 if any(b < e2 and s2 < e for s2, e2 in trained) and b < e else 0 for b, e in spans]
        lines.append({
            "name": conversation["name"],
            "format": conversation["format"],
            "train_on": conversation["train_on"],
            "messages": [{"role": role, "content": parts} for role, parts in conversation["messages"]],
            "text_sha256": hashlib.sha256(text).hexdigest(),
            "ids": ids,
            "trained": trained_token_ranges(mask),
        })
        print(f"{conversation['name']}: {len(decoded)} characters, {len(ids)} tokens, {sum(mask)} trained",
              file=sys.stderr)
    data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    compressed = subprocess.run(["zstd", "-19", "-q", "-c"], input=data, check=True, capture_output=True).stdout
    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    with open(args.output, "wb") as f:
        f.write(compressed)
    print(f"wrote {args.output} ({len(compressed)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
