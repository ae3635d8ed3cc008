#!/usr/bin/env python3
"""Re-measures one chapter and splices its claims into the committed reference
report (book/src/reference.json), leaving every other chapter's as it was.

For a chapter under work, whose evidence names changed: the book's {{fig …}}
directives resolve against this file. The whole report (and the appendices
rendered from it) is regenerated in one run before a release:

    cargo run --release -- --format json > book/src/reference.json

Usage (from the repository root):

    scripts/update-reference.py SLUG [SLUG …]
"""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
REF = ROOT / "book" / "src" / "reference.json"


def main(slugs):
    if not slugs:
        print("usage: scripts/update-reference.py SLUG [SLUG ...]", file=sys.stderr)
        return 2
    ref = json.loads(REF.read_text())
    for slug in slugs:
        out = subprocess.run(
            ["cargo", "run", "--release", "-q", "--", "--chapter", slug, "--format", "json"],
            cwd=ROOT, capture_output=True, text=True)
        if out.returncode not in (0, 1) or not out.stdout.strip():
            print(f"error: the {slug} run failed:\n{out.stderr}", file=sys.stderr)
            return 1
        new = json.loads(out.stdout)["claims"]
        old = ref["claims"]
        at = next((i for i, c in enumerate(old) if c["chapter"] == slug), len(old))
        kept = [c for c in old if c["chapter"] != slug]
        before = sum(1 for c in old[:at] if c["chapter"] != slug)
        ref["claims"] = kept[:before] + new + kept[before:]
        errors = sum(1 for c in new if c["status"] == "error")
        print(f"{slug}: {len(new)} claims replaced, {errors} errors")
    REF.write_text(json.dumps(ref, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
