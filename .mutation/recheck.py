"""Re-check the last run's missed mutants against today's tests, without regenerating or resampling mutants.

    python .mutation/recheck.py                          # reads mutants/survivors.txt from the last run.py
    python .mutation/recheck.py path/to/survivors.txt --json result.json

Why: after tests are added, `run.py --keep --rerun-missed` only works while the source is unchanged, because mutmut
numbers mutants within each function and run.py samples by those names. When the code has moved on, this script
replays each missed mutant's own diff (the exact text mutmut wrote) onto a scratch copy of the working tree and runs
that group's tests from groups.toml (each group's tests must first pass unmutated). Caught = the tests fail (or time
out); missed = they pass. A diff whose lines no longer appear exactly once in today's source is reported as "not
placed" and counts as missed, never as caught. Equivalent and prose-only mutants are judged with run.py's own rules.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ROOT, is_equivalent, is_prose_only, read_equivalents, read_groups

HEADER = re.compile(r"^# \[(?P<group>[^\]]+)\] (?P<name>\S+): (?P<outcome>.+)$")
INDENTS = ("", "    ", "        ")
SKIP_COPY = shutil.ignore_patterns(".git", "mutants", "artifacts", "__pycache__", ".pytest_cache", ".venv")


@dataclass(frozen=True)
class Survivor:
    group: str
    name: str
    path: str
    diff: str


def read_survivors(text: str) -> list[Survivor]:
    """The blocks run.py writes: a '# [group] name: outcome' line, then the mutant's unified diff."""
    survivors, current, lines = [], None, []
    for line in [*text.splitlines(), "# [end] end: end"]:
        match = HEADER.match(line)
        if not match:
            lines.append(line)
            continue
        if current:
            diff = "\n".join(lines).strip("\n")
            path = next(row[4:].strip() for row in lines if row.startswith("--- "))
            survivors.append(Survivor(current["group"], current["name"], path, diff))
        current, lines = match, []
    return survivors


def hunks(diff: str) -> list[tuple[list[str], list[str]]]:
    """Each hunk as (lines before, lines after), context included, so it can be found by its text."""
    found, before, after = [], None, None
    for line in diff.splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            if before is not None:
                found.append((before, after))
            before, after = [], []
        elif before is not None:
            mark, body = (line[:1], line[1:]) if line else (" ", "")
            if mark in " -":
                before.append(body)
            if mark in " +":
                after.append(body)
    if before is not None:
        found.append((before, after))
    return found


def apply(source: str, diff: str) -> str | None:
    """The source with the mutant's hunks applied, or None when a hunk is not found exactly once (at any indent)."""
    lines = source.splitlines()
    for before, after in hunks(diff):
        placed = [
            (start, indent)
            for indent in INDENTS  # mutmut writes a method's diff dedented to the top level
            for start in range(len(lines) - len(before) + 1)
            if lines[start : start + len(before)] == _indented(before, indent)
        ]
        if len(placed) != 1:
            return None
        start, indent = placed[0]
        lines[start : start + len(before)] = _indented(after, indent)
    return "\n".join(lines) + "\n"


def _indented(lines: list[str], indent: str) -> list[str]:
    return [indent + line if line else line for line in lines]


def run_tests(workdir: Path, tests: tuple[str, ...], timeout: float) -> str:
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-m", "not browser", *tests]
    try:
        done = subprocess.run(command, cwd=workdir, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout"
    return {0: "survived", 5: "no tests"}.get(done.returncode, "killed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("survivors", nargs="?", type=Path, default=ROOT / "mutants" / "survivors.txt")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per mutant's test run (default 900)")
    parser.add_argument("--json", type=Path, help="also write one row per mutant to this file")
    args = parser.parse_args(argv)

    groups = {g.name: g for g in read_groups()}
    equivalents = read_equivalents()
    rows = []
    with tempfile.TemporaryDirectory(prefix="recheck-") as scratch:
        workdir = Path(scratch) / "repo"
        shutil.copytree(ROOT, workdir, ignore=SKIP_COPY)
        survivors = read_survivors(args.survivors.read_text("utf-8"))
        for name in sorted({s.group for s in survivors}):  # a failing clean run would make every mutant "caught"
            if (clean := run_tests(workdir, groups[name].tests, args.timeout)) != "survived":
                print(f"group {name}: its tests do not pass unmutated ({clean}); fix that first")
                return 1
        for survivor in survivors:
            target = workdir / survivor.path
            original = target.read_text("utf-8")
            if is_prose_only(survivor.diff):
                outcome = "prose"
            elif is_equivalent(survivor.path, survivor.diff, equivalents):
                outcome = "equivalent"
            elif (mutated := apply(original, survivor.diff)) is None:
                outcome = "not placed"
            else:
                target.write_text(mutated, "utf-8")
                try:
                    outcome = run_tests(workdir, groups[survivor.group].tests, args.timeout)
                finally:
                    target.write_text(original, "utf-8")
            rows.append({"group": survivor.group, "name": survivor.name, "outcome": outcome})
            print(f"{survivor.group:<12}{outcome:<12}{survivor.name}", flush=True)

    caught = sum(r["outcome"] in ("killed", "timeout") for r in rows)
    scored = sum(r["outcome"] not in ("equivalent", "prose") for r in rows)
    print(f"\n{caught} of {scored} scored mutants now caught ({len(rows) - scored} equivalent or prose)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
