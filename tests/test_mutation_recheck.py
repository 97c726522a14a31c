"""Replaying a missed mutant's diff (.mutation/recheck.py): it must land on exactly the mutated line, or not at all."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location(
    "mutation_recheck", Path(__file__).parents[1] / ".mutation" / "recheck.py"
)
recheck = sys.modules["mutation_recheck"] = importlib.util.module_from_spec(_SPEC)  # dataclasses look it up
_SPEC.loader.exec_module(recheck)

SOURCE = """class Side:
    def __init__(self, rows):
        self.rows = rows
        self.total = sum(rows)
        self.count = len(rows)


def total(rows):
    return sum(rows)
"""

METHOD_DIFF = """--- liqcore/x.py
+++ liqcore/x.py
@@ -1,4 +1,4 @@
 def __init__(self, rows):
     self.rows = rows
-    self.total = sum(rows)
+    self.total = None
     self.count = len(rows)"""


def test_a_method_diff_written_dedented_lands_on_the_method_line() -> None:
    mutated = recheck.apply(SOURCE, METHOD_DIFF)
    assert mutated == SOURCE.replace("        self.total = sum(rows)", "        self.total = None")


def test_a_diff_whose_lines_appear_twice_or_not_at_all_is_not_placed() -> None:
    twice = "--- x.py\n+++ x.py\n@@ -1 +1 @@\n-    return sum(rows)\n+    return 0\n"
    assert recheck.apply(SOURCE + "\n\ndef again(rows):\n    return sum(rows)\n", twice) is None
    gone = METHOD_DIFF.replace("self.rows = rows", "self.rows = list(rows)")
    assert recheck.apply(SOURCE, gone) is None


def test_survivor_blocks_are_read_with_their_group_name_path_and_diff() -> None:
    second_block = "# [margin] m.f_2: no tests\n--- a.py\n+++ a.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"
    text = f"# [reference] liqcore.x.Side_init_6: survived\n{METHOD_DIFF}\n{second_block}"
    first, second = recheck.read_survivors(text)
    assert (first.group, first.name, first.path) == ("reference", "liqcore.x.Side_init_6", "liqcore/x.py")
    assert first.diff == METHOD_DIFF
    assert (second.group, second.name, second.path, second.diff.splitlines()[-1]) == (
        "margin",
        "m.f_2",
        "a.py",
        "+x = 2",
    )
