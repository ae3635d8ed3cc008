#!/usr/bin/env python3
"""Re-runs the command behind every measured-output block in the book and
replaces the block with what the command prints now.

A page marks such a block like this (the marker line directly above the fence):

    <!-- output: cargo run --release --example mmap -- --table sizes -->
    ```text
    ...
    ```

Usage (from the repository root):

    scripts/refresh-book-output.py            # refresh every block
    scripts/refresh-book-output.py mmap.md    # only pages whose path contains "mmap.md"
    scripts/refresh-book-output.py --list     # print the commands, run nothing
    scripts/refresh-book-output.py --skip 'cargo bench' mark_sweep
                                              # leave blocks whose command contains this

Commands run one at a time, in the repository root, through `sh -c`; a command
that fails leaves its block untouched and makes the script exit 1.
"""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MARK = "<!-- output:"


def blocks(lines):
    """Yields (marker index, fence start, fence end, command)."""
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith(MARK) and line.endswith("-->"):
            cmd = line[len(MARK):-3].strip()
            if i + 1 < len(lines) and lines[i + 1].strip() == "```text":
                end = i + 2
                while end < len(lines) and lines[end].strip() != "```":
                    end += 1
                yield i, i + 1, end, cmd
                i = end
        i += 1


def main(argv):
    listing = "--list" in argv
    skips = [argv[i + 1] for i, a in enumerate(argv) if a == "--skip" and i + 1 < len(argv)]
    skipped_values = {i + 1 for i, a in enumerate(argv) if a == "--skip"}
    filters = [a for i, a in enumerate(argv) if not a.startswith("--") and i not in skipped_values]
    failed = False
    for page in sorted((ROOT / "book" / "src").rglob("*.md")):
        rel = str(page.relative_to(ROOT))
        if filters and not any(f in rel for f in filters):
            continue
        lines = page.read_text().split("\n")
        changed = False
        # Walk backwards so replacing a block does not shift the next ones.
        for _, start, end, cmd in reversed(list(blocks(lines))):
            if listing:
                print(f"{rel}: {cmd}")
                continue
            if any(s in cmd for s in skips):
                print(f"{rel}: skipped {cmd}", file=sys.stderr)
                continue
            print(f"{rel}: running {cmd}", file=sys.stderr)
            run = subprocess.run(["sh", "-c", cmd], cwd=ROOT, capture_output=True, text=True)
            if run.returncode != 0:
                print(f"  failed ({run.returncode}): {run.stderr.strip()[-500:]}", file=sys.stderr)
                failed = True
                continue
            out = run.stdout.rstrip("\n").split("\n")
            lines[start + 1:end] = out
            changed = True
        if changed:
            page.write_text("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
