"""`python -m training`: exit codes, problem reports and the train / list / promote / rollback cycle."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kakehashi import registry
from training.cli import MAX_PROBLEMS_SHOWN, main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "training", *args], capture_output=True, text=True)


def test_validate_accepts_the_fixture_lists(capsys, fixture_companies, fixture_partnerships):
    assert (
        main(
            [
                "validate",
                "--companies",
                str(fixture_companies),
                "--partnerships",
                str(fixture_partnerships),
            ]
        )
        == 0
    )
    assert "ok: 22 companies (16 IL, 6 JP), 7 partnerships" in capsys.readouterr().out


def test_validate_prints_located_problems_and_exits_2(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("name,country,sectors\nAcme,Mars,cyber\n", encoding="utf-8")
    assert main(["validate", "--companies", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: country: unknown country 'Mars'" in err
    assert "Traceback" not in err


def test_validate_caps_the_number_of_problems_shown(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    rows = "".join(f"Acme{i},Mars,cyber\n" for i in range(MAX_PROBLEMS_SHOWN + 7))
    path.write_text("name,country,sectors\n" + rows, encoding="utf-8")
    assert main(["validate", "--companies", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("unknown country") == MAX_PROBLEMS_SHOWN
    assert "... and 7 more problem(s)" in err


def test_train_on_an_invalid_list_writes_nothing(tmp_path, fixture_companies):
    bad = tmp_path / "p.csv"
    bad.write_text("japanese_id,israeli_id\njp-auto,il-nope\n", encoding="utf-8")
    models = tmp_path / "models"
    code = main(
        [
            "train",
            "--companies",
            str(fixture_companies),
            "--partnerships",
            str(bad),
            "--models-dir",
            str(models),
        ]
    )
    assert code == 2
    assert not models.exists()


def test_train_list_promote_rollback_cycle(
    tmp_path, capsys, fixture_companies, fixture_partnerships
):
    models = str(tmp_path / "models")
    args = [
        "train",
        "--companies",
        str(fixture_companies),
        "--partnerships",
        str(fixture_partnerships),
    ]
    assert main([*args, "--models-dir", models]) == 0
    out = capsys.readouterr().out
    assert (
        "known partners in their Japanese firm's ranking" in out
        and "Sample Motors -> Example Lidar" in out
    )
    first = registry.current_version(models)
    assert main([*args, "--models-dir", models, "--no-promote"]) == 0
    second = next(v for v in registry.versions(models) if v != first)
    assert registry.current_version(models) == first
    assert main(["promote", second, "--models-dir", models]) == 0
    assert main(["list", "--models-dir", models]) == 0
    assert f"* {second}" in capsys.readouterr().out
    assert main(["rollback", "--models-dir", models]) == 0
    assert registry.current_version(models) == first


def test_manifest_records_inputs_counts_metrics_and_libraries(
    tmp_path, fixture_companies, fixture_partnerships
):
    models = str(tmp_path / "models")
    main(
        [
            "train",
            "--companies",
            str(fixture_companies),
            "--partnerships",
            str(fixture_partnerships),
            "--models-dir",
            models,
        ]
    )
    manifest = registry.read_manifest(models, registry.current_version(models))
    assert manifest["companies"] == {"IL": 16, "JP": 6}
    assert set(manifest["inputs"]) == {"companies", "partnerships"}
    assert {"mrr", "hit@10", "ndcg@10"} <= set(manifest["metrics"]["JP -> IL"])
    assert {"mrr", "hit@10", "ndcg@10"} <= set(manifest["metrics"]["IL -> JP"])
    assert "scikit-learn" in manifest["libraries"]


def test_promote_unknown_version_exits_2(tmp_path, capsys):
    assert main(["promote", "nope", "--models-dir", str(tmp_path)]) == 2
    assert "no model version 'nope'" in capsys.readouterr().err


def test_unexpected_failure_exits_1_with_one_line(tmp_path, fixture_companies):
    blocker = tmp_path / "models"
    blocker.write_text("a file where the models folder should be")
    result = run("train", "--companies", str(fixture_companies), "--models-dir", str(blocker))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("unexpected error:")


def test_debug_flag_shows_the_traceback(tmp_path, fixture_companies):
    blocker = tmp_path / "models"
    blocker.write_text("x")
    result = run(
        "--debug", "train", "--companies", str(fixture_companies), "--models-dir", str(blocker)
    )
    assert result.returncode == 1 and "Traceback" in result.stderr


@pytest.mark.parametrize("args", [[], ["train"], ["frobnicate"]])
def test_usage_errors_exit_2(args):
    assert run(*args).returncode == 2


def test_validate_says_how_it_read_the_list(tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_bytes("name;country;sectors\n東京ロボ;JP;robotics\nAcme;IL;cyber\n".encode("cp932"))
    assert main(["validate", "--companies", str(path)]) == 0
    out = capsys.readouterr().out
    assert "as CSV, encoding cp932, delimiter ';'" in out
    assert "2 id(s) were derived from names" in out and "python -m training ids" in out


def test_validate_reads_the_named_sheet_of_a_workbook(tmp_path, capsys):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["nothing to see"])
    sheet = workbook.create_sheet("Companies")
    for row in (["name", "country", "sectors"], ["Acme", "IL", "cyber"], ["Sample", "JP", "ai"]):
        sheet.append(row)
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    assert main(["validate", "--companies", str(path), "--sheet", "Companies"]) == 0
    assert "XLSX, sheet 'Companies'" in capsys.readouterr().out


def test_ids_lists_every_company_and_marks_derived_ids(tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_text("id,name,country,sectors\n,Acme Cyber,IL,cyber\nsam,Sample,JP,ai\n")
    assert main(["ids", "--companies", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "id,name,country,id_derived_from_name",
        "acme-cyber,Acme Cyber,IL,True",
        "sam,Sample,JP,False",
    ]


@pytest.mark.parametrize(("country", "missing"), [("JP", "Israeli (IL)"), ("IL", "Japanese (JP)")])
def test_train_refuses_a_list_of_one_country(tmp_path, capsys, country, missing):
    path = tmp_path / "list.csv"
    path.write_text(f"name,country,sectors\nA,{country},cyber\nB,{country},ai\n")
    models = tmp_path / "models"
    assert main(["train", "--companies", str(path), "--models-dir", str(models)]) == 2
    assert f"the list has no {missing} companies" in capsys.readouterr().err
    assert not models.exists()


@pytest.fixture
def evaluate_args(fixture_companies, fixture_partnerships) -> list[str]:
    """`evaluate` on the fixture lists."""
    return [
        "evaluate",
        "--companies",
        str(fixture_companies),
        "--partnerships",
        str(fixture_partnerships),
    ]


def test_evaluate_prints_the_table_with_baselines_and_intervals(capsys, evaluate_args):
    assert main([*evaluate_args, "--k", "5", "--folds", "3"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "== bundled list, JP -> IL: 6 queries =="
    assert lines[1].split() == ["method", "hit@1", "hit@5", "hit@5", "mrr", "ndcg@5"]
    assert "== bundled list, IL -> JP: 7 queries ==" in lines
    for method in (
        "kakehashi",
        "without latent",
        "without sector IDF",
        "random",
        "TF-IDF cosine",
        "BM25",
    ):
        assert method in out
    assert out.count("95% paired bootstrap interval") == 2


def test_evaluate_json_holds_every_method_and_margin(capsys, evaluate_args):
    import json

    assert main([*evaluate_args, "--json", "--no-ablations"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert {m["direction"] for m in document["methods"]} == {"JP -> IL", "IL -> JP"}
    kinds = {m["method"]: m["kind"] for m in document["methods"] if m["direction"] == "JP -> IL"}
    assert kinds == {
        "kakehashi": "model",
        "random": "baseline",
        "sector overlap (Jaccard)": "baseline",
        "TF-IDF cosine": "baseline",
        "BM25": "baseline",
    }
    queries = {"JP -> IL": 6, "IL -> JP": 7}
    assert all(m["queries"] == queries[m["direction"]] for m in document["methods"])
    assert all(0 <= m["mrr"] <= 1 for m in document["methods"])
    assert {(m["baseline"], m["metric"]) for m in document["margins"]} >= {
        ("BM25", "mrr"),
        ("BM25", "hit@10"),
    }
    assert all(m["low"] <= m["difference"] <= m["high"] for m in document["margins"])


@pytest.mark.parametrize(
    ("extra", "message"),
    [([], "evaluate needs --partnerships"), (["--k", "0"], "--k must be between 1 and 1000")],
)
def test_evaluate_usage_errors_exit_2(
    capsys, fixture_companies, fixture_partnerships, extra, message
):
    args = ["evaluate", "--companies", str(fixture_companies)]
    if extra:
        args += ["--partnerships", str(fixture_partnerships), *extra]
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_taxonomy_option_uses_the_users_sectors(tmp_path, capsys):
    import json

    taxonomy = tmp_path / "taxonomy.json"
    sectors = [{"key": "space_mining", "label": "Space mining"}, {"key": "cyber", "label": "Cyber"}]
    taxonomy.write_text(json.dumps({"sectors": sectors}), encoding="utf-8")
    path = tmp_path / "list.csv"
    path.write_text(
        "name,country,sectors\nA,JP,Space mining\nB,IL,space_mining\n", encoding="utf-8"
    )
    assert main(["validate", "--companies", str(path)]) == 2
    assert "unknown sector 'Space mining'" in capsys.readouterr().err
    assert main(["validate", "--companies", str(path), "--taxonomy", str(taxonomy)]) == 0


def test_glossary_option_uses_the_users_terms(tmp_path, fixture_companies):
    from training.train import build_model, load_inputs

    glossary = tmp_path / "glossary.csv"
    glossary.write_text("ja,en,sector\n宇宙採掘,space mining,\n", encoding="utf-8")
    inputs = load_inputs(fixture_companies, glossary_path=glossary)
    model = build_model(inputs).fit(inputs.companies)
    assert "space mining" in model.vectorizer_.expand_text("宇宙採掘の会社")
    assert (
        main(
            [
                "validate",
                "--companies",
                str(fixture_companies),
                "--glossary",
                str(tmp_path / "none.csv"),
            ]
        )
        == 2
    )


def test_train_learns_weights_only_when_asked(tmp_path, fixture_companies, fixture_partnerships):
    import json

    from kakehashi.scoring import DEFAULT_WEIGHTS

    args = [
        "train",
        "--companies",
        str(fixture_companies),
        "--partnerships",
        str(fixture_partnerships),
    ]
    weights = {}
    for flag in ([], ["--learn-weights"]):
        models = tmp_path / ("learned" if flag else "defaults")
        assert main([*args, "--models-dir", str(models), *flag]) == 0
        version = registry.current_version(models)
        weights[bool(flag)] = json.loads((models / version / "manifest.json").read_text())[
            "weights"
        ]
    assert weights[False] == {k: round(v, 4) for k, v in DEFAULT_WEIGHTS.items()}
    assert weights[True] != weights[False]


def test_list_shows_a_damaged_version_and_a_damaged_pointer_without_crashing(
    tmp_path, capsys, fixture_companies
):
    models = tmp_path / "models"
    for _ in range(2):
        assert (
            main(["train", "--companies", str(fixture_companies), "--models-dir", str(models)]) == 0
        )
    first, second = registry.versions(models)
    (models / first / "manifest.json").write_text("not json", encoding="utf-8")
    (models / "promoted.json").write_text('{"current": 123}', encoding="utf-8")
    capsys.readouterr()
    assert main(["list", "--models-dir", str(models)]) == 0
    captured = capsys.readouterr()
    assert f"{first}  damaged:" in captured.out and second in captured.out
    assert "promote VERSION` repairs it" in captured.err
    assert main(["promote", second, "--models-dir", str(models)]) == 0
    assert registry.current_version(models) == second


@pytest.mark.parametrize("keep", [0, 3])
def test_train_precomputed_sets_how_many_partners_are_kept(tmp_path, fixture_companies, keep):
    models = tmp_path / "models"
    args = ["train", "--companies", str(fixture_companies), "--models-dir", str(models)]
    assert main([*args, "--precomputed", str(keep)]) == 0
    model = registry.load_promoted(models).model
    if keep == 0:
        assert model.partner_rows_ is None
    else:
        assert model.partner_rows_.shape[1] == keep


@pytest.mark.parametrize("value", ["-1", "ten", "2.5"])
def test_train_refuses_a_bad_precomputed_count(tmp_path, capsys, fixture_companies, value):
    args = ["train", "--companies", str(fixture_companies), "--models-dir", str(tmp_path)]
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--precomputed", value])
    assert exit_info.value.code == 2
    assert "--precomputed" in capsys.readouterr().err
