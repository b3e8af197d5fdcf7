"""`python -m kakehashi schedule|briefing`: files in, files out, exit code 2 for mistakes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest
from openpyxl import load_workbook

from kakehashi.planner.cli import main
from training.train import train

REQUEST = {
    "japanese_ids": ["jp-auto", "jp-bank"],
    "days": [{"date": "2027-03-01", "venue": "Tel Aviv", "slots": 3}],
}


@pytest.fixture(scope="module")
def trained_models(tmp_path_factory: pytest.TempPathFactory, inputs) -> Path:
    """A models directory with the fixture model promoted (trained once for this module)."""
    models_dir = tmp_path_factory.mktemp("planner-models")
    train(inputs, models_dir)
    return models_dir


@pytest.fixture
def request_file(tmp_path: Path) -> Path:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(REQUEST), encoding="utf-8")
    return path


def run(models: Path, *args: str) -> int:
    return main([args[0], "--models-dir", str(models), *args[1:]])


def test_planner_cli_schedule_json_to_stdout(trained_models, request_file, capsys):
    assert run(trained_models, "schedule", "--request", str(request_file)) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["meetings"] and found["gap"] == 0
    assert {m["japanese_id"] for m in found["meetings"]} == {"jp-auto", "jp-bank"}


def test_planner_cli_flags_override_the_file(trained_models, request_file, tmp_path, capsys):
    ids = tmp_path / "ids.txt"
    ids.write_text("# delegation\njp-pharma\n\n", encoding="utf-8")
    code = run(
        trained_models, "schedule", "--request", str(request_file), "--japanese-file", str(ids),
        "--day", "2027-03-02,Haifa,2,10:00,45", "--japanese-max", "1",
    )  # fmt: skip
    assert code == 0
    found = json.loads(capsys.readouterr().out)
    assert [(m["japanese_id"], m["start"], m["end"]) for m in found["meetings"]] == [
        ("jp-pharma", "10:00", "10:45")
    ]


@pytest.mark.parametrize("kind", ["csv", "xlsx", "ics"])
def test_planner_cli_schedule_exports_open_in_their_library(
    trained_models, request_file, tmp_path, kind
):
    out = tmp_path / f"schedule.{kind}"
    extra = ["--firm", "jp-auto"] if kind == "ics" else []
    assert (
        run(
            trained_models,
            "schedule",
            "--request",
            str(request_file),
            "--format",
            kind,
            "-o",
            str(out),
            *extra,
        )
        == 0
    )
    data = out.read_bytes()
    if kind == "csv":
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert {r["japanese_id"] for r in rows} == {"jp-auto", "jp-bank"}
    elif kind == "xlsx":
        assert "Sample Motors" in load_workbook(io.BytesIO(data)).sheetnames
    else:
        events = list(icalendar.Calendar.from_ical(data).walk("VEVENT"))
        assert events and all("Sample Motors" in str(e["SUMMARY"]) for e in events)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_planner_cli_briefing_csv(trained_models, tmp_path):
    out = tmp_path / "briefing.csv"
    assert (
        run(trained_models, "briefing", "--japanese", "jp-bank", "--top-k", "2", "-o", str(out))
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [(r["japanese_id"], r["rank"]) for r in rows] == [("jp-bank", "1"), ("jp-bank", "2")]


BAD = [
    (["--japanese", "nope"], "japanese_ids[0]: no company with id 'nope'"),
    (["--day", "2027-03-01,Tel Aviv"], "--day '2027-03-01,Tel Aviv': give DATE,VENUE,SLOTS"),
    (["--day", "2027-03-01,Tel Aviv,x"], "slots must be an integer"),
    (["--day", "2027-03-01,Atlantis,3"], "days[0].venue: unknown city 'Atlantis'"),
    (["--format", "xlsx"], "--format xlsx: give --output FILE"),
    (["--firm", "jp-auto"], "--firm: only with --format ics"),
    (["--japanese-min", "9"], "japanese_min: 9 is above japanese_max 8"),
    (["--output", "/nonexistent/dir/x.json"], "does not exist"),
]


@pytest.mark.parametrize(("flags", "text"), BAD)
def test_planner_cli_mistakes_exit_2_with_a_named_message(
    trained_models, request_file, capsys, flags, text
):
    assert run(trained_models, "schedule", "--request", str(request_file), *flags) == 2
    err = capsys.readouterr().err
    assert text in err and "Traceback" not in err


def test_planner_cli_bad_json_names_file_and_line(trained_models, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"japanese_ids": ["jp-auto"],\n "days": [}\n', encoding="utf-8")
    assert run(trained_models, "schedule", "--request", str(bad)) == 2
    assert f"{bad}:2: not valid JSON" in capsys.readouterr().err


def test_planner_cli_without_a_model_exits_2(tmp_path, request_file, capsys):
    assert run(tmp_path / "none", "schedule", "--request", str(request_file)) == 2
    assert "no promoted model" in capsys.readouterr().err


def test_planner_cli_runs_as_a_module(trained_models, request_file):
    done = subprocess.run(
        [sys.executable, "-m", "kakehashi", "schedule", "--models-dir", str(trained_models),
         "--request", str(request_file), "--min-score", "2"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "min_score: must be between 0 and 1" in done.stderr
