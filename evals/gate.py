"""Thresholds an eval run must meet (evals/thresholds.yaml); CI fails below them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.errors import InputError

THRESHOLDS = Path(__file__).resolve().parent / "thresholds.yaml"


class Threshold(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min: float | None = None
    max: float | None = None
    reason: str = Field(min_length=10)

    @model_validator(mode="after")
    def _one_bound(self) -> Threshold:
        if (self.min is None) == (self.max is None):
            raise ValueError("give exactly one of min or max")
        return self


def load_thresholds(path: Path = THRESHOLDS) -> dict[str, Threshold]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return {name: Threshold.model_validate(value) for name, value in data.items()}
    except (OSError, yaml.YAMLError, AttributeError) as error:
        raise InputError(f"{path}: cannot be read: {error}") from None
    except ValidationError as error:
        raise InputError(f"{path}: {error.errors()[0]['loc']}: {error.errors()[0]['msg']}") from None


def failures(summary: dict[str, Any], thresholds: dict[str, Threshold]) -> list[str]:
    """One line per threshold the run does not meet (a missing metric fails too)."""
    problems = []
    for name, bound in thresholds.items():
        value = summary.get(name, {}).get("value")
        if value is None:
            problems.append(f"{name}: no value in this run")
        elif bound.min is not None and value < bound.min:
            problems.append(f"{name}: {value:.3f} < {bound.min} ({bound.reason})")
        elif bound.max is not None and value > bound.max:
            problems.append(f"{name}: {value:.3f} > {bound.max} ({bound.reason})")
    return problems
