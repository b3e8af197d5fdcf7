"""Installing: the wheel (built offline, installed apart from the checkout) and the Makefile."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("kakehashi", "training", "service")
PACKAGE_DATA = (
    "kakehashi/data/taxonomy.json",
    "kakehashi/data/glossary.csv",
    "service/templates/docs.html",
    "service/gunicorn_conf.py",  # the Dockerfile serves with the installed copy
)
# Top-level folders of a checkout that are neither sources nor part of the wheel.
NOT_COPIED = {".git", ".venv", "venv", "models", "build", "dist", ".pytest_cache", ".ruff_cache"}


def run(command: list[str | Path], **kwargs) -> subprocess.CompletedProcess[str]:
    """Run a command, failing the test with its output when it does not exit 0."""
    done = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        **kwargs,
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


def not_sources(folder: str, names: list[str]) -> set[str]:
    """What copytree leaves out: the checkout's own tooling and build leftovers."""
    top = NOT_COPIED if Path(folder) == REPO else set()
    return {n for n in names if n in top or n == "__pycache__" or n.endswith(".egg-info")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built with the venv's setuptools from a copy of the working tree."""
    tmp = tmp_path_factory.mktemp("wheel")
    # A copy, because an in-tree build writes build/ and *.egg-info into the checkout, and a
    # stale build/lib would carry deleted modules into the wheel.
    source = tmp / "source"
    shutil.copytree(REPO, source, ignore=not_sources)
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
    run([*pip, "--wheel-dir", tmp / "dist", source])
    (built,) = (tmp / "dist").glob("kakehashi-*.whl")
    return built


@pytest.fixture(scope="module")
def site(wheel: Path) -> Path:
    """The wheel installed, without its dependencies, into a folder of its own."""
    target = wheel.parent / "site"
    pip = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index"]
    run([*pip, "--target", target, wheel])
    return target


def installed(
    site: Path, cwd: Path, *args: str | Path, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run Python on the installed copy, in cwd, with the venv's packages as its dependencies.

    -S: the venv's site-packages holds the checkout's editable install, whose finder would lend
    the checkout's modules to the installed copy; -S skips it, PYTHONPATH names what is needed.
    """
    paths = dict.fromkeys([str(site), sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "KAKEHASHI_"))}
    clean["PYTHONPATH"] = os.pathsep.join(paths)
    return run([sys.executable, "-S", *args], cwd=cwd, env={**clean, **env})


@pytest.mark.slow  # every wheel test shares one build and install, a few seconds each
def test_wheel_holds_package_data_and_no_repo_files(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert set(PACKAGE_DATA) <= names
    assert "data/companies.csv" not in names
    dist_info = "-".join(wheel.name.split("-")[:2]) + ".dist-info"
    assert {name.split("/")[0] for name in names} == {*PACKAGES, dist_info}  # no tests/, data/


@pytest.mark.slow
def test_wheel_install_is_imported_not_the_checkout(site: Path, tmp_path: Path):
    code = (
        "import json, kakehashi, training, service; "
        "print(json.dumps([p for m in (kakehashi, training, service) for p in m.__path__]))"
    )
    paths = json.loads(installed(site, tmp_path, "-c", code).stdout)
    assert paths == [str(site / package) for package in PACKAGES]


@pytest.mark.slow
def test_wheel_install_validates_bundled_lists(site: Path, tmp_path: Path):
    lists = ["--companies", REPO / "data/companies.csv"]
    lists += ["--partnerships", REPO / "data/partnerships.csv"]
    done = installed(site, tmp_path, "-m", "training", "validate", *lists)
    assert any(line.startswith("ok: ") for line in done.stdout.splitlines())


# Loads the app from the install (argv: the models dir, then our packages), asks /readyz and
# /docs, and lists the file or folder every one of our imported modules came from.
SERVE = """
import json, sys
from service import create_app
client = create_app({"MODEL_DIR": sys.argv[1]}).test_client()
ours = [f for n, m in list(sys.modules.items()) if n.split(".")[0] in sys.argv[2:]
        for f in ([m.__file__] if m.__file__ else m.__path__)]  # namespace packages: no __file__
print(json.dumps({"readyz": client.get("/readyz").get_json(), "docs": client.get("/docs").status_code,
                  "files": ours}))
"""


@pytest.mark.slow
def test_wheel_install_trains_and_serves(site: Path, tmp_path: Path):
    models = tmp_path / "models"
    fixtures = REPO / "tests" / "fixtures"
    lists = ["--companies", fixtures / "companies.csv"]
    lists += ["--partnerships", fixtures / "partnerships.csv", "--models-dir", models]
    installed(site, tmp_path, site / "bin" / "kakehashi-train", "train", *lists)
    assert (models / "promoted.json").is_file()

    served = json.loads(installed(site, tmp_path, "-c", SERVE, models, *PACKAGES).stdout)
    assert served["readyz"]["status"] == "ready"
    assert served["docs"] == 200
    assert served["files"] and all(Path(f).is_relative_to(site) for f in served["files"])

    config = site / "service" / "gunicorn_conf.py"
    check = ["-m", "gunicorn", "--config", config, "--check-config", "service:create_app()"]
    installed(site, tmp_path, *check, KAKEHASHI_MODEL_DIR=str(models))


def make(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run make in the repo (dry runs and help only: nothing here may change the checkout)."""
    command = ["make", "--no-print-directory", "-C", REPO, *args]
    if check:
        return run(command)
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", timeout=60)


def makefile_targets(documented: bool) -> set[str]:
    """The Makefile's targets: those with a `## ` comment, or the .PHONY ones."""
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    if documented:
        return set(re.findall(r"^([\w.-]+):(?!=)[^\n]*## ", text, re.MULTILINE))
    return {t for line in re.findall(r"^\.PHONY:(.*)$", text, re.MULTILINE) for t in line.split()}


def test_make_help_lists_every_documented_target():
    listed = {line.split()[0] for line in make("help").stdout.splitlines() if line.strip()}
    assert listed == makefile_targets(documented=True)


def test_make_phony_targets_are_documented():
    assert makefile_targets(documented=False) <= makefile_targets(documented=True)


def test_make_clean_keeps_models():
    models = "MODELS=trained-by-a-user"
    commands = make("-n", "clean", models).stdout
    assert "trained-by-a-user" not in commands
    assert all(part in commands for part in (".venv", "build", "dist", ".egg-info"))
    assert "rm -rf trained-by-a-user" in make("-n", "clean-models", models).stdout


def test_make_reinstalls_when_pyproject_changes():
    assert "pip install" in make("-n", "-W", "pyproject.toml", "install").stdout


def test_make_docker_check_says_what_it_needs():
    done = make("docker-check", "DOCKER_CHECK=/nonexistent/docker-check", check=False)
    assert done.returncode != 0
    assert "needs /nonexistent/docker-check" in done.stderr
