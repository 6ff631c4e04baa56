"""Shared building blocks of the calculators: the frozen model base, sourced assumptions, domain errors."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    """Base of every calculator input and output: immutable, and unknown fields are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Assumption(Frozen):
    """One figure a calculation relied on, with where it came from and when it was true."""

    name: str = Field(description="Dotted path of the input, e.g. 'gpu.h100.price_per_hour'.")
    value: float | str
    unit: str
    source: str = Field(description="URL or citation; 'user' when the scenario stated it.")
    as_of: date | None = Field(None, description="Date the figure was true; None for user input.")


class AdvisorError(ValueError):
    """A domain error whose message a person (or the agent) can act on; names the field at fault."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


class UnknownNameError(AdvisorError):
    """A GPU, model or vendor name that is not in the catalogue, with the closest known names."""

    def __init__(self, field: str, name: str, known: Iterable[str]):
        self.name = name
        self.suggestions = closest_names(name, known)
        hint = f" Did you mean {', '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else ""
        super().__init__(field, f"unknown name {name!r}.{hint}")


def closest_names(name: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """The known names closest to ``name`` (case-insensitive), best first."""
    by_lower = {k.lower(): k for k in known}
    matches = difflib.get_close_matches(name.lower(), list(by_lower), n=limit, cutoff=0.5)
    return [by_lower[m] for m in matches]


class Sourced(Frozen):
    """A figure as stored in ``tools/data/*.yaml``: value, unit, source and the date it was true."""

    value: float
    unit: str
    source: str
    as_of: date
    note: str | None = None

    def assumption(self, name: str) -> Assumption:
        return Assumption(name=name, value=self.value, unit=self.unit, source=self.source, as_of=self.as_of)


def load_data_file(name: str) -> dict:
    """Parse ``tools/data/<name>`` (YAML shipped with the package). Callers cache the result."""
    from importlib.resources import files

    import yaml

    return yaml.safe_load(files("tools.data").joinpath(name).read_text(encoding="utf-8"))
