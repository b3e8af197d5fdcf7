"""`python -m training diff A B`: one firm's change of top k, or the summary over all firms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kakehashi import registry
from training.cli import EXIT_INVALID, EXIT_OK, main


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory, fixture_companies: Path, fixture_partnerships: Path):
    """A models folder with two versions: the fixture list, then the list without one firm."""
    models = tmp_path_factory.mktemp("diff") / "models"
    base = ["train", "--models-dir", str(models), "--no-promote"]
    assert main([*base, "--companies", str(fixture_companies)]) == EXIT_OK
    lines = fixture_companies.read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = next(line for line in lines[1:] if ",IL," in line)
    smaller = models.parent / "smaller.csv"
    smaller.write_text("".join(line for line in lines if line != dropped), encoding="utf-8")
    assert main([*base, "--companies", str(smaller)]) == EXIT_OK
    a, b = registry.versions(models)
    return models, a, b, dropped.split(",")[0]


def test_diff_cli_summary(two_versions, capsys):
    models, a, b, dropped = two_versions
    capsys.readouterr()
    assert main(["diff", a, b, "--models-dir", str(models), "--k", "5"]) == EXIT_OK
    out = capsys.readouterr().out
    assert f"{a} -> {b}: top 5 of 21 firms in both versions" in out
    assert f"only in {a}: 1 firm(s): {dropped}" in out


def test_diff_cli_summary_as_json(two_versions, capsys):
    models, a, b, _ = two_versions
    capsys.readouterr()
    assert main(["diff", a, b, "--models-dir", str(models), "--json"]) == EXIT_OK
    summary = json.loads(capsys.readouterr().out)
    assert summary["k"] == 10
    assert summary["firms_compared"] == 21
    assert summary["only_in_a"]["count"] == 1


def test_diff_cli_one_firm(two_versions, capsys):
    models, a, b, _ = two_versions
    capsys.readouterr()
    assert main(["diff", a, b, "--company", "jp-auto", "--models-dir", str(models)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "(jp-auto): top" in out
    assert "entered:" in out and "left:" in out


def test_diff_cli_one_firm_as_json_names_the_missing_side(two_versions, capsys):
    models, a, b, dropped = two_versions
    capsys.readouterr()
    args = ["diff", a, b, "--company", dropped, "--models-dir", str(models), "--json"]
    assert main(args) == EXIT_OK
    found = json.loads(capsys.readouterr().out)
    assert (found["in_a"], found["in_b"], found["after"]) == (True, False, [])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--company", "no-such-firm"], "no company with id 'no-such-firm'"),
        (["--k", "0"], "--k must be between 1 and 100"),
    ],
)
def test_diff_cli_bad_arguments_exit_2(two_versions, capsys, args, message):
    models, a, b, _ = two_versions
    assert main(["diff", a, b, "--models-dir", str(models), *args]) == EXIT_INVALID
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("version", ["../x", "20000101T000000Z-abcdef", "nope"])
def test_diff_cli_unknown_version_exits_2(two_versions, capsys, version):
    models, a, _, _ = two_versions
    assert main(["diff", a, version, "--models-dir", str(models)]) == EXIT_INVALID
    assert "no model version" in capsys.readouterr().err
