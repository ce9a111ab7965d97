#!/usr/bin/env python3
"""How close is WikitextCleaner to mwparserfromhell's strip_code() on real pages?

Extracts the wikitext of every page in ../shared/corpora/wiki_xml/*.xml and every
`kind: wikitext` document of ../shared/corpora/jsonl/corpus.jsonl, has the Swift test hook
`swift test --filter WikitextDump` write our plain text for the same pages (it also writes the
wikitext it read, which is checked against this script's own extraction), and compares page by
page against two references:

  strip_code   mwparserfromhell.parse(text).strip_code()  (normalize=True, collapse=True)
  policy       strip_code after removing, with mwparserfromhell itself, what yi-prep removes
               on purpose and strip_code keeps: tables, <ref>/<references>, media, category and
               interlanguage links, behaviour switches (__TOC__), headings of sections left
               without text. This isolates parsing differences from policy differences.

Measures (1.0 = identical), each on whitespace-normalized text (lines stripped, runs of spaces
collapsed, blank lines dropped):
  chars   1 - normalized Levenshtein distance on characters
  tokens  1 - normalized Levenshtein distance on tokens (words; each CJK character is a token)
  jaccard |set(tokens) ∩| / |set(tokens) ∪|

Usage (from the repository root):
  python3 tools/wikitext/compare_strip_code.py [--skip-build] [--worst N] [--keep DIR] [--xml DUMP.xml ...]

--xml adds the pages of more (decompressed, UTF-8) MediaWiki dumps to the comparison.
"""
import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.environ.get("YI_SHARED") or os.path.join(os.path.dirname(REPO), "shared")


def ensure_packages():
    try:
        import mwparserfromhell  # noqa: F401
        import rapidfuzz  # noqa: F401
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q",
                               "mwparserfromhell", "rapidfuzz"])


def local(tag):
    return tag.rsplit("}", 1)[-1]


def xml_pages(paths=None, prefix="xml"):
    """(key, source, title, wikitext) for every <page>, keyed like the Swift test hook."""
    if paths is None:
        paths = sorted(glob.glob(os.path.join(SHARED, "corpora", "wiki_xml", "*.xml")))
    for path in paths:
        name = os.path.basename(path)
        stem = name[:-4] if name.endswith(".xml") else name
        number = 0
        for _, element in ET.iterparse(path, events=("end",)):
            if local(element.tag) != "page":
                continue
            number += 1
            title, text = "", ""
            for child in element.iter():
                if local(child.tag) == "title" and not title:
                    title = child.text or ""
                elif local(child.tag) == "text" and not text:
                    text = child.text or ""
            yield (f"{prefix}-{stem}-{number:03d}", f"wiki_xml/{name}" if prefix == "xml" else path, title, text)
            element.clear()


def jsonl_pages():
    path = os.path.join(SHARED, "corpora", "jsonl", "corpus.jsonl")
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle.read().split("\n"), start=1):
            if not line:
                continue
            record = json.loads(line)
            meta = record.get("meta") or {}
            if meta.get("kind") == "wikitext":
                yield (f"jsonl-{number:04d}", f"jsonl/corpus.jsonl:{record.get('id', '')}",
                       meta.get("title", ""), record["text"])


def run_swift_dump(directory, skip_build, extra_xml):
    env = dict(os.environ, YI_WIKITEXT_DUMP_DIR=directory, YI_WIKITEXT_DUMP_EXTRA_XML=":".join(extra_xml))
    command = ["swift", "test", "--filter", "WikitextDump"]
    if skip_build:
        command.insert(2, "--skip-build")
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        sys.exit(f"swift test --filter WikitextDump failed ({result.returncode})")


# --- references ------------------------------------------------------------------------------

FILE_NAMESPACES = {"file", "image", "文件", "檔案", "档案", "图像", "圖像", "图片", "圖片",
                   "tập tin", "hình", "tệp", "mynd"}
CATEGORY_NAMESPACES = {"category", "分类", "分類", "thể loại", "bólkur"}
LANGUAGE_PREFIX = re.compile(r"^[a-z]{2,3}(-[a-z]+)*$")
NON_LANGUAGE_PREFIXES = {"wikt", "w", "s", "b", "n", "q", "v", "m", "d", "c", "mw", "voy",
                         "meta", "species", "commons", "wikipedia", "wiktionary", "user", "wp",
                         "special", "help", "portal", "talk", "draft", "template"}


def removed_by_policy(link):
    title = str(link.title).strip().replace("_", " ")
    if title.startswith(":") or ":" not in title:
        return False
    prefix = " ".join(title.split(":", 1)[0].lower().split())
    if prefix in FILE_NAMESPACES or prefix in CATEGORY_NAMESPACES:
        return True
    return bool(LANGUAGE_PREFIX.match(prefix)) and prefix not in NON_LANGUAGE_PREFIXES


def policy_strip(text):
    import mwparserfromhell
    code = mwparserfromhell.parse(text)
    doomed = [tag for tag in code.filter_tags(recursive=True)
              if str(tag.tag).strip().lower() in ("ref", "references", "table")]
    doomed += [link for link in code.filter_wikilinks(recursive=True) if removed_by_policy(link)]
    for node in doomed:
        try:
            code.remove(node)
        except ValueError:  # already gone with an enclosing node
            pass
    for heading in empty_section_headings(code):
        code.remove(heading)
    return re.sub(r"__[A-Z]+__", "", code.strip_code())


def empty_section_headings(code):
    """Headings followed by no text up to the next heading of the same or a higher level."""
    import mwparserfromhell
    sections = []
    for section in code.get_sections(flat=True, include_lead=False):
        heading = section.filter_headings(recursive=False)[0]
        body = str(section)[len(str(heading)):]
        sections.append((heading, heading.level, not mwparserfromhell.parse(body).strip_code().strip()))
    doomed = []
    for index, (heading, level, empty) in enumerate(sections):
        if not empty:
            continue
        following = index + 1
        while following < len(sections) and sections[following][1] > level and sections[following][2]:
            following += 1
        if following == len(sections) or sections[following][1] <= level:
            doomed.append(heading)
    return doomed


def plain_strip(text):
    import mwparserfromhell
    return mwparserfromhell.parse(text).strip_code()


# --- measures --------------------------------------------------------------------------------

TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def normalized(text):
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def tokens(text):
    return TOKEN.findall(text)


def similarity(ours, reference):
    from rapidfuzz.distance import Levenshtein
    a, b = normalized(ours), normalized(reference)
    ta, tb = tokens(a), tokens(b)
    union = set(ta) | set(tb)
    return {
        "chars": Levenshtein.normalized_similarity(a, b),
        "tokens": Levenshtein.normalized_similarity(ta, tb),
        "jaccard": len(set(ta) & set(tb)) / len(union) if union else 1.0,
    }


def summarize(name, rows, worst):
    print(f"\n== vs {name}: {len(rows)} pages ==")
    print(f"{'measure':8} {'mean':>7} {'median':>7} {'min':>7}   (size-weighted mean)")
    total = sum(row["bytes"] for row in rows) or 1
    for measure in ("chars", "tokens", "jaccard"):
        values = [row[name][measure] for row in rows]
        weighted = sum(row[name][measure] * row["bytes"] for row in rows) / total
        print(f"{measure:8} {statistics.mean(values):7.3f} {statistics.median(values):7.3f} "
              f"{min(values):7.3f}   ({weighted:.3f})")
    print(f"worst {worst} by tokens:")
    for row in sorted(rows, key=lambda r: r[name]["tokens"])[:worst]:
        s = row[name]
        print(f"  {s['tokens']:.3f} tok {s['chars']:.3f} chr {s['jaccard']:.3f} jac  "
              f"{row['bytes']:>7} B  {row['key']}  {row['title']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-build", action="store_true", help="pass --skip-build to swift test")
    parser.add_argument("--worst", type=int, default=8, help="how many worst pages to list")
    parser.add_argument("--keep", help="write the dump and the references into this directory")
    parser.add_argument("--xml", action="append", default=[], help="another UTF-8 dump file to include")
    args = parser.parse_args()
    ensure_packages()

    extra_xml = [os.path.abspath(path) for path in args.xml]
    pages = list(xml_pages()) + list(jsonl_pages()) + list(xml_pages(extra_xml, "extra"))
    directory = args.keep or tempfile.mkdtemp(prefix="yi-wikitext-")
    os.makedirs(directory, exist_ok=True)
    run_swift_dump(directory, args.skip_build, extra_xml)

    rows, mismatched, seen, duplicates = [], [], set(), 0
    for key, source, title, text in pages:
        if text in seen:  # corpus.jsonl repeats some wiki_xml pages: count each text once
            duplicates += 1
            continue
        seen.add(text)
        with open(os.path.join(directory, key + ".wiki"), encoding="utf-8") as handle:
            if handle.read() != text:
                mismatched.append(key)
        with open(os.path.join(directory, key + ".txt"), encoding="utf-8") as handle:
            ours = handle.read()
        references = {"strip_code": plain_strip(text), "policy": policy_strip(text)}
        if args.keep:
            for name, value in references.items():
                with open(os.path.join(directory, f"{key}.{name}"), "w", encoding="utf-8") as handle:
                    handle.write(value)
        row = {"key": key, "title": title, "bytes": len(text.encode("utf-8"))}
        for name, value in references.items():
            row[name] = similarity(ours, value)
        rows.append(row)

    print(f"{len(pages)} pages, {sum(r['bytes'] for r in rows):,} distinct bytes of wikitext "
          f"({sum(1 for p in pages if p[0].startswith('xml-'))} from wiki_xml, "
          f"{sum(1 for p in pages if p[0].startswith('jsonl-'))} from corpus.jsonl, "
          f"{sum(1 for p in pages if p[0].startswith('extra-'))} from --xml); "
          f"{len(rows)} distinct ({duplicates} repeated texts counted once)")
    if mismatched:
        print(f"WARNING: the Swift test read different wikitext for {len(mismatched)} pages: "
              + ", ".join(mismatched[:10]))
    nonempty = [row for row in rows if row["bytes"] >= 200]
    for name in ("strip_code", "policy"):
        summarize(name, nonempty, args.worst)
    print(f"\n(pages under 200 bytes left out of the figures: {len(rows) - len(nonempty)})")
    if args.keep:
        print(f"dump and references kept in {directory}")


if __name__ == "__main__":
    main()
