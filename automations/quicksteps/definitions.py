"""Reading a quick-step file: YAML with line numbers in, a validated set or every problem out."""

from __future__ import annotations

from pydantic import ValidationError

from automations.errors import BadRequest
from automations.quicksteps.models import QuickStepSet
from automations.yamlfile import YamlError, describe, load

__all__ = ["DefinitionError", "parse"]

MAX_BYTES = 256 * 1024


class DefinitionError(BadRequest):
    """The file is refused as a whole; ``problems`` names each one with its line."""

    code = "invalid_quicksteps"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = f"{len(problems)} fout" + ("en" if len(problems) != 1 else "")
        super().__init__(f"Snelle stappen afgewezen ({count}): " + "; ".join(problems))


def parse(text: str) -> QuickStepSet:
    if len(text.encode()) > MAX_BYTES:
        raise DefinitionError([f"het bestand is groter dan {MAX_BYTES // 1024} KiB"])
    try:
        located = load(text)
    except YamlError as exc:
        raise DefinitionError([str(exc)]) from None
    if not isinstance(located.data, dict):
        raise DefinitionError(["regel 1: verwacht 'format:' en 'steps:' bovenaan"])
    try:
        return QuickStepSet.model_validate(located.data)
    except ValidationError as exc:
        raise DefinitionError([describe(located, e) for e in exc.errors()]) from None
