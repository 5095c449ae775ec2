"""Speed fixes inside the Rasa server process, each equivalent to the code it replaces.

Rasa 3.6 checks every action server response with ``jsonschema.validate(result, schema)``,
which first validates the *schema itself* against the JSON Schema meta-schema (draft 2020-12
in jsonschema 4.17, with costly ``$dynamicRef`` resolution) on every call. Profiling the Rasa
server under the benchmark load (py-spy) put 37 % of its CPU there: plain ``rasa init`` never
pays it (no custom actions), the assistant pays it on every action call. The schema is fixed,
so it is checked once and one validator is kept; ``validate`` then does exactly what it did:
``best_match`` of the validator's errors is raised, with Rasa's own message added.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions import action as rasa_action

_original = rasa_action.RemoteAction._validate_action_result


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = rasa_action.RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, as jsonschema.validate does on every call
    return cls(schema)


def _validate_action_result(self: rasa_action.RemoteAction, result: dict[str, Any]) -> bool:
    error = best_match(_validator().iter_errors(result))
    if error is None:
        return True
    return _raise(error)


def _raise(error: ValidationError) -> bool:
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        "For more information about the format visit "
        f"{rasa_action.DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    """Replace Rasa's per-call schema check (idempotent)."""
    rasa_action.RemoteAction._validate_action_result = _validate_action_result


def uninstall() -> None:
    rasa_action.RemoteAction._validate_action_result = _original
