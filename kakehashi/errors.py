"""Named exceptions of the training package; only the CLI and the HTTP layer translate them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file, located by path, line and column."""

    path: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.column}: {self.message}"


class KakehashiError(Exception):
    """Base class of every error this project raises on purpose."""

    code = "kakehashi_error"


class InvalidListError(KakehashiError):
    """A company or partnership list failed validation."""

    code = "invalid_list"

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        first = str(self.problems[0]) if self.problems else "no details"
        super().__init__(f"{len(self.problems)} problem(s), first: {first}")


class UsageError(KakehashiError):
    """A command was called with arguments that cannot work together."""

    code = "usage"


class TaxonomyError(KakehashiError):
    """The sector taxonomy file is missing or malformed."""

    code = "invalid_taxonomy"


class GlossaryError(KakehashiError):
    """The Japanese/English glossary file is missing or malformed."""

    code = "invalid_glossary"


class InvalidProfileError(KakehashiError):
    """An ad-hoc company profile given for ranking is invalid."""

    code = "invalid_profile"

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


class UnknownCompanyError(KakehashiError):
    """No company with this id exists in the model."""

    code = "unknown_company"

    def __init__(self, company_id: str):
        self.company_id = company_id
        super().__init__(f"no company with id {company_id!r}")


class ModelNotFoundError(KakehashiError):
    """No promoted model exists in the models directory."""

    code = "no_model"


class UnknownVersionError(KakehashiError):
    """The requested model version does not exist in the models directory."""

    code = "unknown_version"


class ArtifactError(KakehashiError):
    """A model artifact is unreadable, corrupted or does not match its manifest."""

    code = "bad_artifact"


class NotFittedError(KakehashiError):
    """The model has not been fitted yet."""

    code = "not_fitted"


class DataStoreError(KakehashiError):
    """A data-directory database (feedback, jobs) cannot be opened or used."""

    code = "data_store"


class SchemaTooNewError(DataStoreError):
    """A database was written by a newer Kakehashi: its schema version is above this code's."""

    code = "schema_too_new"


class PlannerRequestError(KakehashiError):
    """A delegation schedule or briefing request is invalid (the message names the field)."""

    code = "invalid_schedule_request"

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


class InfeasibleScheduleError(KakehashiError):
    """The pins, capacities and minimums of a schedule request cannot all be met together."""

    code = "infeasible_schedule"


class ScheduleNotFoundError(KakehashiError):
    """The solver found no schedule within the time limit (the request may still be feasible)."""

    code = "schedule_not_found"
