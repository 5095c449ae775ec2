"""Which class serves ``/webhooks/rest/webhook``: a light module (no Rasa import), so that
``ippc run`` can write its credentials.yml without loading Rasa in the supervising process."""

from __future__ import annotations

from typing import Any

RESILIENT_REST = "runtime.rest_channel.ResilientRestInput"


def with_resilient_rest(credentials: dict[str, Any]) -> dict[str, Any]:
    """Channel credentials with Rasa's REST channel swapped for ``ResilientRestInput``
    (same URL and protocol; bad bodies get 400, failures a clear message)."""
    if "rest" not in credentials:
        return credentials
    swapped = {key: value for key, value in credentials.items() if key != "rest"}
    swapped[RESILIENT_REST] = credentials["rest"]
    return swapped
