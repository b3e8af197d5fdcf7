"""The training job: validate the lists, fit, evaluate, write a version, promote it."""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kakehashi import registry
from kakehashi.artifact import file_sha256, library_versions
from kakehashi.companies import Company
from kakehashi.company_list import read_company_list
from kakehashi.errors import InvalidListError, Problem
from kakehashi.features import ProfileVectorizer
from kakehashi.glossary import GlossaryEntry, load_glossary
from kakehashi.model import PartnerModel
from kakehashi.partnerships import Partnership, load_partnerships
from kakehashi.taxonomy import Taxonomy, load_taxonomy
from training.baselines import baseline_outcomes
from training.evaluate import DIRECTIONS, FORWARD, QueryOutcome, evaluate_model, summarize

Report = Callable[[str], None]


@dataclass(frozen=True)
class Inputs:
    """Validated inputs of a training run."""

    companies: tuple[Company, ...]
    partnerships: tuple[Partnership, ...]
    taxonomy: Taxonomy
    glossary: tuple[GlossaryEntry, ...]
    files: dict[str, Path]
    read_as: str = ""  # how the company list was read (format, encoding, delimiter, sheet)
    derived_ids: tuple[str, ...] = ()  # company ids made from names


@dataclass(frozen=True)
class TrainResult:
    """What a training run produced."""

    version: str
    manifest: dict
    outcomes: tuple[QueryOutcome, ...]
    model: PartnerModel


def quiet(_: str) -> None:
    """A progress reporter that prints nothing."""


@contextmanager
def step(report: Report, label: str) -> Iterator[None]:
    """Report a step's start and, when it ends, how long it took."""
    report(f"{label} ...")
    started = time.perf_counter()
    yield
    report(f"{label}: done in {time.perf_counter() - started:.1f}s")


def load_inputs(
    companies_path: Path,
    partnerships_path: Path | None = None,
    taxonomy_path: Path | None = None,
    glossary_path: Path | None = None,
    sheet: str | None = None,
) -> Inputs:
    """Read and validate every input; raises InvalidListError before anything is written."""
    taxonomy = load_taxonomy(taxonomy_path)
    listed = read_company_list(companies_path, taxonomy, sheet)
    partnerships, files = (), {"companies": Path(companies_path)}
    if partnerships_path:
        partnerships = load_partnerships(partnerships_path, listed.companies)
        files["partnerships"] = Path(partnerships_path)
    glossary = load_glossary(glossary_path)
    return Inputs(
        listed.companies,
        partnerships,
        taxonomy,
        glossary,
        files,
        listed.read_as,
        listed.derived_ids,
    )


def require_both_countries(inputs: Inputs) -> None:
    """InvalidListError unless the list has both Japanese and Israeli companies."""
    present = {c.country for c in inputs.companies}
    for country, name in (("JP", "Japanese (JP)"), ("IL", "Israeli (IL)")):
        if country not in present:
            message = (
                f"the list has no {name} companies: the other side has no one to be matched with"
            )
            raise InvalidListError([Problem(str(inputs.files["companies"]), 1, "country", message)])


def build_model(inputs: Inputs, random_state: int = 0, learn: bool = False) -> PartnerModel:
    """An unfitted model configured with the inputs' taxonomy and glossary."""
    vectorizer = ProfileVectorizer(
        taxonomy=inputs.taxonomy, glossary=inputs.glossary, random_state=random_state
    )
    return PartnerModel(vectorizer=vectorizer, learn=learn, random_state=random_state)


def train(
    inputs: Inputs,
    models_dir: Path,
    promote: bool = True,
    report: Report = quiet,
    learn_weights: bool = False,
    precomputed: int | None = None,
) -> TrainResult:
    """Fit on validated inputs, evaluate, save a new version and (by default) promote it.

    `precomputed`: partners kept per firm at training time (None: the model's default; 0: none).
    """
    require_both_countries(inputs)
    model = build_model(inputs, learn=learn_weights)
    if precomputed is not None:
        model.set_params(precomputed=precomputed)
    with step(report, f"fitting on {len(inputs.companies)} companies"):
        model.fit(inputs.companies, inputs.partnerships)
    outcomes: dict[str, list[QueryOutcome]] = {}
    baselines: dict[str, dict] = {}
    if inputs.partnerships:
        with step(report, f"evaluating on {len(inputs.partnerships)} partnerships (grouped folds)"):
            outcomes, baselines = evaluate_both_directions(model, inputs)
    manifest = build_manifest(inputs, model, outcomes, baselines)
    with step(report, f"writing the artifact to {models_dir}"):
        version = registry.save_version(models_dir, model, manifest)
    if promote:
        registry.promote(models_dir, version)
    forward = tuple(outcomes.get(FORWARD, ()))
    return TrainResult(version, registry.read_manifest(models_dir, version), forward, model)


def evaluate_both_directions(
    model: PartnerModel, inputs: Inputs
) -> tuple[dict[str, list[QueryOutcome]], dict[str, dict]]:
    """The model's outcomes per direction, and each peer's summary metrics per direction."""
    outcomes, baselines = {}, {}
    for direction, country in DIRECTIONS.items():
        outcomes[direction] = evaluate_model(model, inputs.partnerships, query_country=country)
        found = baseline_outcomes(inputs.companies, inputs.partnerships, country)
        baselines[direction] = {name: summarize(peer) for name, peer in found.items()}
    return outcomes, baselines


def build_manifest(
    inputs: Inputs,
    model: PartnerModel,
    outcomes: Mapping[str, Sequence[QueryOutcome]],
    baselines: dict[str, dict] | None = None,
) -> dict:
    """The human-readable description of a version (the registry adds version and artifact)."""
    return {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "inputs": {
            name: {"path": str(path), "sha256": file_sha256(path)}
            for name, path in inputs.files.items()
        },
        "companies": dict(sorted(Counter(c.country for c in inputs.companies).items())),
        "partnerships": len(inputs.partnerships),
        "sectors": list(inputs.taxonomy.keys),
        "weights": {name: round(weight, 4) for name, weight in model.weights_.items()},
        "metrics": {d: summarize(found) for d, found in outcomes.items()} or None,
        "baselines": baselines or None,
        "libraries": library_versions(),
    }


def stderr_report(message: str) -> None:
    """Print a progress line to standard error."""
    print(message, file=sys.stderr, flush=True)
