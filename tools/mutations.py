"""Mutation report: break one feature at a time and check that the test suite notices.

    .venv/bin/python tools/mutations.py [--only NAME ...]

Each mutation replaces one exact piece of code in a scratch copy of the working tree and runs
the tests that should catch it; "killed" means they failed, as they must. A mutation whose
code is no longer found is reported as "stale" (update this table when the code moves).
A report, not part of the test suite: it runs the tests many times.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
IGNORED = shutil.ignore_patterns(
    ".venv", ".git", "build", "dist", "models", "*.egg-info", "__pycache__", ".*_cache"
)


@dataclass(frozen=True)
class Mutation:
    """One deliberate break: in `path`, `old` becomes `new`; `tests` should then fail."""

    name: str
    path: str
    old: str
    new: str
    tests: str


MUTATIONS = (
    Mutation("diversity (MMR) is a no-op", "kakehashi/similarity.py",
             "gain = (1 - weight) * scores - weight * redundancy", "gain = scores + 0 * redundancy",
             "tests/kakehashi"),
    Mutation("learned weights are discarded", "kakehashi/scoring.py",
             "    blended = (1 - share) * default + share * learned", "    blended = default",
             "tests/kakehashi"),
    Mutation("the candidate's (Israeli side's) interests are ignored", "kakehashi/similarity.py",
             "backward = against_interests[:, n]", "backward = 0 * against_interests[:, n]",
             "tests/kakehashi"),
    Mutation("sector IDF is off", "kakehashi/features.py",
             "            self.idf_ = np.log((1 + len(sector_lists)) / (1 + frequency)) + 1",
             "            pass", "tests/kakehashi"),
    Mutation("the latent space is off", "kakehashi/features.py",
             "LatentSemantics(self.latent_components, self.random_state)", "LatentSemantics(0)",
             "tests/kakehashi"),
    Mutation("the hub correction is off", "kakehashi/calibration.py",
             "penalties[members] = weight * (hubs[members] - np.median(hubs[members]))", "pass",
             "tests/kakehashi"),
    Mutation("strength labels are constant", "kakehashi/calibration.py",
             "        if score >= cuts[label]:", "        if False:", "tests/kakehashi"),
    Mutation("the word view does not stem", "kakehashi/tokens.py",
             "return [stem(t) for t in _TOKEN.findall", "return [t for t in _TOKEN.findall",
             "tests/kakehashi"),
    Mutation("the Japanese dictionary is not used", "kakehashi/features.py",
             "        if self.japanese_dictionary:", "        if False:", "tests/kakehashi"),
    Mutation("phrases are not kept whole", "kakehashi/explain.py",
             "        if adjacent or bridged:", "        if False:", "tests/kakehashi"),
    Mutation("the Japanese name is not searched", "kakehashi/search.py",
             "return needle in fold(company.name) or bool(", "return needle in fold(company.name) and bool(",
             "tests/kakehashi tests/service"),
    Mutation("summaries use the long sector labels", "kakehashi/explain.py",
             "labels = tuple(taxonomy.get(s).name_in_text for s in shared)",
             "labels = tuple(taxonomy.get(s).label for s in shared)", "tests/kakehashi"),
    Mutation("the artifact-format check is removed", "kakehashi/artifact.py",
             'if payload["format"] != ARTIFACT_FORMAT:', "if False:", "tests/kakehashi"),
    Mutation("CSV header checks are removed (duplicate / unnamed columns)", "kakehashi/readers.py",
             "    seen: set[str] = set()\n    for position, name in enumerate(table.columns, start=1):",
             "    seen: set[str] = set()\n    for position, name in enumerate([], start=1):",
             "tests/kakehashi"),
    Mutation("CSV required-column check is removed", "kakehashi/readers.py",
             "        return header.usable", "        return True", "tests/kakehashi"),
    Mutation("the bootstrap interval is 50%, not 95%", "training/report.py",
             "np.percentile(samples, [2.5, 97.5])", "np.percentile(samples, [25, 75])",
             "tests/training/test_report.py"),
    Mutation("a row's later problems are dropped after its first", "kakehashi/company_list.py",
             "        table.problems.extend(problems)", "        table.problems.extend(problems[:1])",
             "tests/kakehashi/test_companies.py"),
    Mutation("rows with a problem skip the duplicate-id check", "kakehashi/company_list.py",
             "    _assign_ids(table, rows)",
             "    _assign_ids(table, [r for r in rows if r[0] in valid_lines])",
             "tests/kakehashi/test_companies.py"),
    Mutation("parent cycles are not detected", "kakehashi/company_list.py",
             "elif _in_cycle(company_id, parent_of):", "elif False:",
             "tests/kakehashi/test_companies.py"),
    Mutation("exclude_group does nothing", "kakehashi/model.py",
             "mask &= self.groups_ != self.groups_[query.row]", "pass", "tests/kakehashi tests/service"),
    Mutation("train accepts a list of one country", "training/train.py",
             "    require_both_countries(inputs)\n    with step", "    with step",
             "tests/training/test_cli.py"),
    Mutation("no warning for another library version", "kakehashi/registry.py",
             "    if changed:", "    if False:", "tests/kakehashi/test_registry.py"),
    Mutation("cp932 is not tried", "kakehashi/decoding.py",
             '"cp932"', '"cp1252"', "tests/kakehashi/test_readers.py tests/training/test_cli.py"),
    Mutation("no 'did you mean' for a misspelt column", "kakehashi/columns.py",
             'did you mean {canonical!r}?', "unknown", "tests/kakehashi"),
    Mutation("a domain error's status ignores its code", "service/errors.py",
             "    status = ERROR_CODES[code][0]", "    status = 500", "tests/service/test_errors.py"),
)  # fmt: skip


def tests_pass(tests: str, scratch: Path) -> bool:
    """Whether the given tests pass in the scratch tree."""
    env = {**os.environ, "PYTHONPATH": str(scratch)}
    options = ["-q", "-x", "-p", "no:cacheprovider"]
    command = [sys.executable, "-m", "pytest", *options, *tests.split()]
    return subprocess.run(command, cwd=scratch, env=env, capture_output=True).returncode == 0


def run(mutation: Mutation, scratch: Path) -> str:
    """Apply one mutation to the scratch tree, run its tests, restore the file; the outcome."""
    target = scratch / mutation.path
    original = target.read_text(encoding="utf-8")
    if mutation.old not in original:
        return "stale"
    target.write_text(original.replace(mutation.old, mutation.new, 1), encoding="utf-8")
    try:
        return "SURVIVED" if tests_pass(mutation.tests, scratch) else "killed"
    finally:
        target.write_text(original, encoding="utf-8")


def main() -> int:
    """Run every mutation (or the named ones) and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="substrings of mutation names")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.only or any(o in m.name for o in args.only)]
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir) / "repo"
        shutil.copytree(REPO, scratch, ignore=IGNORED)
        failing = sorted({m.tests for m in chosen if not tests_pass(m.tests, scratch)})
        if failing:  # a mutation is only "killed" by tests that pass without it
            print(f"the unmutated tests fail: {', '.join(failing)}; fix them first")
            return 2
        outcomes = [(m, run(m, scratch)) for m in chosen]
    width = max(len(m.name) for m in chosen)
    print(f"{'mutation':<{width}}  outcome   tests")
    for mutation, outcome in outcomes:
        print(f"{mutation.name:<{width}}  {outcome:<8}  {mutation.tests}")
    survived = [m for m, outcome in outcomes if outcome != "killed"]
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
