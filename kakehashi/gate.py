"""The quality gate: is a newly trained version good enough to be promoted?

A version fails when, in any evaluated direction, a gated metric is below the configured floor,
or below the promoted version's value by more than the configured margin. The metrics are the
manifest's `metrics` (per direction, from the held-out partnerships). A gate that is configured
cannot judge a version without metrics (trained without partnerships): that version fails too.
`judge` is pure; `judge_version` and `promote_if_passed` read the registry (the CLI and the
service both use them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from kakehashi import registry
from kakehashi.errors import KakehashiError

DEFAULT_METRICS = ("mrr",)
Metrics = Mapping[str, Mapping[str, float]]  # direction -> metric name -> value


@dataclass(frozen=True)
class GateConfig:
    """The floor and the margin (None: that check is off) and the metrics they apply to."""

    floor: float | None = None
    margin: float | None = None
    metrics: tuple[str, ...] = DEFAULT_METRICS

    @property
    def enabled(self) -> bool:
        """True when any check is configured."""
        return self.floor is not None or self.margin is not None


@dataclass(frozen=True)
class GateFailure:
    """One reason a version fails: a metric of a direction against its threshold."""

    check: str  # "floor", "margin" or "no_metrics"
    direction: str | None
    metric: str
    value: float | None
    threshold: float | None
    current: float | None = None  # the promoted version's value (margin checks)

    def __str__(self) -> str:
        if self.check == "no_metrics":
            return (
                "the version has no metrics (trained without partnerships): the gate cannot pass it"
            )
        where = f"{self.metric} {self.direction} = {self.value}"
        if self.check == "floor":
            return f"{where} is below the floor {self.threshold}"
        return (
            f"{where} is more than the margin below the promoted version's {self.current} "
            f"(at least {self.threshold} needed)"
        )


@dataclass(frozen=True)
class GateVerdict:
    """Whether a version may be promoted, and every reason it may not."""

    passed: bool
    failures: tuple[GateFailure, ...] = ()
    compared_with: str | None = None  # the promoted version the margin was measured against

    def describe(self) -> str:
        """One line for people."""
        if self.passed:
            return "passed the quality gate"
        return "rejected by the quality gate: " + "; ".join(str(f) for f in self.failures)

    def as_dict(self) -> dict:
        """The verdict as plain JSON-ready data."""
        return {
            "passed": self.passed,
            "reason": None if self.passed else self.describe(),
            "compared_with": self.compared_with,
            "failures": [asdict(failure) for failure in self.failures],
        }


def judge(
    config: GateConfig,
    metrics: Metrics | None,
    current: Metrics | None = None,
    current_version: str | None = None,
) -> GateVerdict:
    """Judge a version's metrics against the floor and against the promoted version's metrics."""
    if not config.enabled:
        return GateVerdict(True, (), current_version)
    if not metrics:
        return GateVerdict(False, (GateFailure("no_metrics", None, config.metrics[0], None, None),))
    failures: list[GateFailure] = []
    for direction in sorted(metrics):
        for name in config.metrics:
            value = _value(metrics[direction], name)
            if value is None:
                failures.append(GateFailure("no_metrics", direction, name, None, None))
                continue
            failures += _checks(config, direction, name, value, current)
    return GateVerdict(not failures, tuple(failures), current_version)


def _checks(
    config: GateConfig, direction: str, name: str, value: float, current: Metrics | None
) -> list[GateFailure]:
    failures = []
    if config.floor is not None and value < config.floor:
        failures.append(GateFailure("floor", direction, name, value, config.floor))
    before = _value((current or {}).get(direction) or {}, name)
    if config.margin is not None and before is not None:
        needed = round(before - config.margin, 6)
        if value < needed:
            failures.append(GateFailure("margin", direction, name, value, needed, before))
    return failures


def _value(metrics: Mapping[str, object], name: str) -> float | None:
    value = metrics.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def parse_metrics(text: str | Sequence[str]) -> tuple[str, ...]:
    """Metric names from a comma-separated string (or a list), without blanks."""
    names = text.split(",") if isinstance(text, str) else list(text)
    found = tuple(name.strip() for name in names if name.strip())
    return found or DEFAULT_METRICS


def judge_version(config: GateConfig, models_dir: Path, version: str) -> GateVerdict:
    """Judge a saved version against the floor and the promoted version (if any, and readable)."""
    metrics = registry.read_manifest(models_dir, version).get("metrics")
    try:
        current = registry.current_version(models_dir)
        before = registry.read_manifest(models_dir, current).get("metrics") if current else None
    except KakehashiError:  # a damaged pointer or promoted manifest: nothing to compare with
        current, before = None, None
    if current == version:
        current, before = None, None
    return judge(config, metrics, before, current)


def promote_if_passed(config: GateConfig, models_dir: Path, version: str) -> GateVerdict:
    """Promote a saved version when it passes the gate; the verdict says why not otherwise."""
    verdict = judge_version(config, models_dir, version)
    if verdict.passed:
        registry.promote(models_dir, version)
    return verdict
