"""Mutation score of the core modules: which realistic one-line bugs would the test suite miss?

A developer command, not part of CI (a full run takes tens of minutes on two cores). From the repository root:

    python .mutation/run.py                        # every group in .mutation/groups.toml, sampled (see --sample)
    python .mutation/run.py margin cohorts          # only these groups
    python .mutation/run.py engine --sample 0       # every mutant of a group, no sampling
    python .mutation/run.py --keep --rerun-missed   # after adding tests: rerun only what the last run missed

Every missed mutant's diff is written to mutants/survivors.txt (mutants/ is mutmut's scratch copy, not committed).

mutmut 3 (see requirements-dev.txt) generates the mutants and runs them; this script only chooses what to run and
how to count. Each group's mutants run the tests listed for that group in groups.toml, and of those only the ones
mutmut saw calling the mutated function. Sampling: for each group, the sorted mutant names are sampled with
``random.Random(f"{seed}:{group}")``, so a run is repeatable while the code is unchanged. Mutants listed in
equivalent.toml (they cannot change behaviour, each with its reason) are reported apart and left out of the score.
Caught = killed or timed out; survived and "no tests" count as missed. Mutants that only change the words of a
message, label or help text are counted apart as "prose" (see `is_prose_only`).
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import io
import json
import os
import random
import re
import shutil
import sys
import tokenize
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Group:
    """Sources whose mutants are scored together, and the test files allowed to kill them."""

    name: str
    sources: tuple[str, ...]
    tests: tuple[str, ...]

    def owns(self, path: str) -> bool:
        return any(fnmatch.fnmatch(path, pattern) for pattern in self.sources)


def read_groups() -> list[Group]:
    data = tomllib.loads((HERE / "groups.toml").read_text("utf-8"))["groups"]
    return [
        Group(name, tuple(spec["sources"]), tuple(t for t in spec["tests"] if (ROOT / t).exists()))
        for name, spec in data.items()
    ]


def read_equivalents() -> list[dict[str, str]]:
    """Each entry: file, the original line and the mutated line (stripped), and why it cannot change behaviour."""
    path = HERE / "equivalent.toml"
    return tomllib.loads(path.read_text("utf-8")).get("equivalent", []) if path.exists() else []


def changed_lines(diff: str) -> tuple[str, str]:
    """The removed and added line of a one-line mutant's diff (stripped)."""
    removed = [line[1:].strip() for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    return " / ".join(removed), " / ".join(added)


def is_equivalent(path: str, diff: str, equivalents: Iterable[dict[str, str]]) -> str | None:
    before, after = changed_lines(diff)
    for entry in equivalents:
        if entry["file"] == path and entry["original"].strip() == before and entry["mutated"].strip() == after:
            return entry["reason"]
    return None


def _shape(line: str) -> list[object]:
    """The line's tokens, with each string whose literal text holds whitespace (a message, label or help text)
    reduced to the expressions inside it: f"{100 * rate:.0f} % failed" keeps `100 * rate` and its format."""
    try:
        tokens = [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(line).readline)]
    except (tokenize.TokenError, SyntaxError):  # a fragment tokenize cannot finish: compare it as it is
        return [line]
    shape: list[object] = []
    for kind, text in tokens:
        if kind == tokenize.STRING:
            shape.append(_string_shape(text))
        elif kind not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
            shape.append(text)
    return shape


def _string_shape(token: str) -> object:
    try:
        node = ast.parse(token, mode="eval").body
    except SyntaxError:
        return token
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        words, fields = node.value, ()
    elif isinstance(node, ast.JoinedStr):
        words = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        fields = tuple(ast.dump(v) for v in node.values if not isinstance(v, ast.Constant))
    else:  # bytes
        return token
    sentence = any(c.isspace() for c in words) or re.search(r"[^\W\d_][.?!]$", words)  # "liquidated." ends one
    return ("prose", fields) if sentence else token


def is_prose_only(diff: str) -> bool:
    """True when the mutant changes only words inside a message, label or help text (a literal with a space).

    Such mutants ("Half-life (hours)" → "half-life (hours)") change what a person reads, not what the code does; a
    test that pins every label would be the label-reading test the team's rules rule out. Literals without
    whitespace (column names, keys, outcomes such as "fakeout", the "'" that neutralises a formula) are scored, and
    so is any change to the code around a message or inside its f-string fields (a number it shows, a call in it).
    """
    removed = [line[1:] for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    before = [part for line in removed for part in _shape(line.strip())]
    after = [part for line in added for part in _shape(line.strip())]
    return removed != added and before == after


def _is_page_script(path: str) -> bool:
    return fnmatch.fnmatch(path, "pages/*.py") and "/" not in path.removeprefix("pages/")


def name_page_scripts() -> None:
    """Name each mutated page copy after its path, so that its mutants can be run and its tests found.

    Streamlit runs a page as module ``__main__``; mutmut's trampolines compare the mutant's module with the
    function's ``__module__``, so in a page they would record their tests under ``__main__`` and never switch to
    a mutant. Setting ``__name__`` before the page's functions are defined gives them the page's dotted name.
    """
    marker = "from mutmut.mutation.trampoline import"
    for path in sorted(Path("mutants/pages").glob("*.py")):
        text = path.read_text("utf-8")
        line = f'__name__ = "pages.{path.stem}"  # set by .mutation/run.py: Streamlit runs pages as __main__\n'
        if marker in text and line not in text:
            path.write_text(text.replace(marker, line + marker, 1), "utf-8")


def sample(names: list[str], group: str, size: int, seed: int) -> list[str]:
    names = sorted(names)
    if size <= 0 or size >= len(names):
        return names
    return sorted(random.Random(f"{seed}:{group}").sample(names, size))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("groups", nargs="*", help="group names from groups.toml (default: all)")
    parser.add_argument("--sample", type=int, default=12, help="mutants per group, 0 = all (default 12)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="reuse ./mutants and its test stats from the last run")
    parser.add_argument("--report", action="store_true", help="with --keep: only print the last run's scores")
    parser.add_argument(
        "--rerun-missed",
        action="store_true",
        help="with --keep: run again only the mutants the last run missed (after adding tests), then score the sample",
    )
    parser.add_argument("--json", type=Path, help="also write the per-group results to this file")
    args = parser.parse_args(argv)

    os.chdir(ROOT)
    groups = read_groups()
    chosen = [g for g in groups if not args.groups or g.name in args.groups]
    if unknown := set(args.groups) - {g.name for g in groups}:
        parser.error(f"unknown groups: {', '.join(sorted(unknown))}")
    if not args.keep:
        shutil.rmtree("mutants", ignore_errors=True)

    import mutmut.__main__ as mm
    from mutmut.configuration import config
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.state import state
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.format_utils import get_module_from_key, mangled_name_from_mutant_name

    # Stats are collected once over every group's tests (so the cache serves any choice of groups).
    config().pytest_add_cli_args_test_selection = [*sorted({t for g in groups for t in g.tests}), "-m", "not browser"]

    def group_of_module(module: str) -> Group | None:
        path = module.replace(".", "/")
        for candidate in (f"{path}.py", f"{path}/__init__.py"):
            for group in groups:
                if group.owns(candidate):
                    return group
        return None

    collect = mm.collect_or_load_stats

    def collect_restricted(*a, **kw) -> None:
        """mutmut's stats, then each function keeps only the tests its group allows."""
        collect(*a, **kw)
        table = state().tests_by_mangled_function_name
        for page_function in page_functions:  # hits recorded before the page copies were named (see name_page_scripts)
            table.setdefault(page_function, set()).update(table.get("__main__." + page_function.split(".")[-1], ()))
        for function, tests in table.items():
            group = group_of_module(get_module_from_key(function))
            allowed = set(group.tests) if group else set()
            table[function] = {t for t in tests if t.split("::")[0] in allowed}

    mm.collect_or_load_stats = collect_restricted

    if not args.keep:
        # A fresh stats collection has just run every selected test unmutated and stopped on any failure, so
        # mutmut's second clean pass over the same tests would only double the run time.
        make_runner = mm.get_mutant_runner

        def runner_without_clean_pass(*a, **kw):
            runner = make_runner(*a, **kw)
            runner.run_clean_tests = lambda tests: 0
            return runner

        mm.get_mutant_runner = runner_without_clean_pass

    # Generate every mutant once to know their names, then sample per group.
    mm.makedirs(Path("mutants"), exist_ok=True)
    mm.copy_src_dir()
    mm.copy_also_copy_files()
    mm.setup_source_paths()
    mm.store_lines_covered_by_tests()
    mm.create_mutants(args.workers)
    name_page_scripts()
    everything, _ = mm.collect_source_file_mutation_data(mutant_names=())
    page_functions = {
        mangled_name_from_mutant_name(name) for data, name, _r in everything if _is_page_script(str(Path(data.path)))
    }
    by_group: dict[str, list[tuple[str, str]]] = {g.name: [] for g in chosen}
    for data, name, _result in everything:
        path = str(Path(data.path))
        for group in chosen:
            if group.owns(path):
                by_group[group.name].append((name, path))
    path_of = {name: path for pairs in by_group.values() for name, path in pairs}
    picked = {g: sample([n for n, _ in pairs], g, args.sample, args.seed) for g, pairs in by_group.items()}
    names = [n for group_names in picked.values() for n in group_names]
    if not names:
        print("no mutants in the chosen groups")
        return 1
    missed_file = Path("mutants/missed.json")
    to_run = names
    if args.rerun_missed:
        if not args.keep or not missed_file.exists():
            parser.error("--rerun-missed needs --keep and a previous run's mutants/missed.json")
        to_run = [n for n in json.loads(missed_file.read_text()) if n in set(names)]
    if args.report:
        if not args.keep:
            parser.error("--report needs --keep")
        to_run = []

    try:
        if to_run:  # mutmut reads an empty list as "every mutant"
            mm._run(to_run, args.workers)
    except SystemExit as stop:
        if stop.code not in (0, None):
            raise

    equivalents = read_equivalents()
    results, _ = mm.collect_source_file_mutation_data(mutant_names=names)
    status = {name: status_by_exit_code[code] for _data, name, code in results}
    rows, survivors = [], []
    for group in chosen:
        counts = {"caught": 0, "missed": 0, "equivalent": 0, "prose": 0}
        for name in picked[group.name]:
            outcome = status.get(name, "not checked")
            if outcome in ("killed", "timeout", "caught by type check"):
                counts["caught"] += 1
                continue
            diff = get_diff_for_mutant(name, path=path_of[name])
            if is_prose_only(diff):
                counts["prose"] += 1
                continue
            reason = is_equivalent(path_of[name], diff, equivalents)
            if reason:
                counts["equivalent"] += 1
                continue
            counts["missed"] += 1
            survivors.append((group.name, name, outcome, diff))
        scored = counts["caught"] + counts["missed"]
        rows.append(
            {"group": group.name, "mutants": len(by_group[group.name]), "sampled": len(picked[group.name]), **counts}
            | {"score": counts["caught"] / scored if scored else None}
        )

    caught = sum(r["caught"] for r in rows)
    scored = caught + sum(r["missed"] for r in rows)
    print(f"\n{'group':<12}{'mutants':>8}{'sampled':>8}{'caught':>8}{'missed':>8}{'equiv.':>8}{'prose':>8}{'score':>8}")
    for r in rows:
        score = f"{r['score']:.0%}" if r["score"] is not None else "-"
        print(
            f"{r['group']:<12}{r['mutants']:>8}{r['sampled']:>8}{r['caught']:>8}{r['missed']:>8}"
            f"{r['equivalent']:>8}{r['prose']:>8}{score:>8}"
        )
    print(f"{'total':<12}{'':>8}{len(names):>8}{caught:>8}{scored - caught:>8}{'':>16}{caught / scored:>8.0%}")
    missed_file.write_text(json.dumps([name for _g, name, _o, _d in survivors]))
    report = Path("mutants/survivors.txt")
    report.write_text("".join(f"# [{g}] {name}: {outcome}\n{diff}\n" for g, name, outcome, diff in survivors))
    print(f"\n{len(survivors)} missed; their diffs are in {report}")
    if args.json:
        args.json.write_text(json.dumps({"seed": args.seed, "sample": args.sample, "groups": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
