"""Staff feedback as training labels: `python -m training train --feedback DATA_DIR`.

Each pair's current verdict (its latest, as the service counts it) becomes a label:
- relevant, met, follow_up, deal: a labelled pair added next to the partnerships list, so it is
  used exactly where partnerships are (evaluation queries, --learn-weights, known partners);
- not_relevant: a negative. The weight learner (kakehashi.scoring.pairwise_differences) samples
  its negatives at random and takes no list of them, so negatives are not used to fit yet; they
  are recorded with the positives in a snapshot CSV that the manifest names with its sha256.
Pairs naming a firm the list does not have (or of the wrong country) are skipped and counted.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kakehashi.errors import UsageError
from kakehashi.feedback import FILE_NAME, NEGATIVE_LABEL, POSITIVE_LABELS, FeedbackStore
from kakehashi.partnerships import Partnership
from training.train import Inputs

SNAPSHOT_DIR = "training-labels"
SNAPSHOT_COLUMNS = ("japanese_id", "israeli_id", "label", "used_as")


@dataclass(frozen=True)
class FeedbackLabels:
    """The labels read from a feedback database for one list of companies."""

    positives: tuple[Partnership, ...]
    negatives: tuple[tuple[str, str], ...]
    skipped: tuple[tuple[str, str, str], ...]  # (japanese_id, israeli_id, label) not in the list


def database_path(location: Path) -> Path:
    """The feedback database of a data directory, or the database file itself."""
    path = Path(location)
    path = path / FILE_NAME if path.is_dir() else path
    if not path.is_file():
        raise UsageError(f"--feedback: no feedback database at {path}")
    return path


def read_labels(location: Path, inputs: Inputs) -> FeedbackLabels:
    """Every pair's current verdict, as positives, negatives, or skipped for this list."""
    countries = {c.id: c.country for c in inputs.companies}
    store = FeedbackStore(database_path(location))
    try:
        latest = store.latest_labels()
    finally:
        store.close()
    positives, negatives, skipped = [], [], []
    for (japanese_id, israeli_id), label in sorted(latest.items()):
        if countries.get(japanese_id) != "JP" or countries.get(israeli_id) != "IL":
            skipped.append((japanese_id, israeli_id, label))
        elif label in POSITIVE_LABELS:
            positives.append(Partnership(japanese_id, israeli_id, kind=f"feedback: {label}"))
        elif label == NEGATIVE_LABEL:
            negatives.append((japanese_id, israeli_id))
    return FeedbackLabels(tuple(positives), tuple(negatives), tuple(skipped))


def write_snapshot(labels: FeedbackLabels, folder: Path) -> Path:
    """The labels a run used, as a CSV written atomically into `folder` (its path returned)."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{stamp}.csv"
    rows = [(p.japanese_id, p.israeli_id, p.kind.removeprefix("feedback: "), "partnership")
            for p in labels.positives]  # fmt: skip
    rows += [
        (j, i, NEGATIVE_LABEL, "negative (recorded, not used to fit)") for j, i in labels.negatives
    ]
    rows += [(j, i, label, "skipped: a firm not in this list") for j, i, label in labels.skipped]
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".snapshot-", suffix=".csv")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(SNAPSHOT_COLUMNS)
            writer.writerows(rows)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def with_feedback(inputs: Inputs, location: Path) -> tuple[Inputs, FeedbackLabels]:
    """The inputs with the feedback's positive pairs added to the partnerships (no duplicates).

    The snapshot of the labels goes beside the database (in `training-labels/`) and is named in
    the inputs' files, so the manifest records it with its sha256.
    """
    labels = read_labels(location, inputs)
    known = {p.pair for p in inputs.partnerships}
    added = tuple(p for p in labels.positives if p.pair not in known)
    snapshot = write_snapshot(labels, database_path(location).parent / SNAPSHOT_DIR)
    files = {**inputs.files, "feedback": snapshot}
    merged = dataclasses.replace(inputs, partnerships=inputs.partnerships + added, files=files)
    return merged, labels


def describe(labels: FeedbackLabels) -> str:
    """One line for the training log: what the feedback added."""
    return (
        f"feedback: {len(labels.positives)} positive pair(s) used as partnerships, "
        f"{len(labels.negatives)} not_relevant pair(s) recorded (not used to fit: the weight "
        f"learner samples its own negatives), {len(labels.skipped)} skipped (firms not in the list)"
    )
