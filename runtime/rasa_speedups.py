"""Speed fixes inside the Rasa server process, each equivalent to the code it replaces.

**The graph runner.** Rasa runs its NLU pipeline and its policies, for every message, as a
graph through ``dask.get``: each call works out again which nodes the targets need (a
recursive walk without memory), builds a dask graph, and has dask order and schedule it. Under
load that was 13.5 % of the Rasa server's CPU, beside 32 % in the components themselves
(py-spy, docs/benchmarks.md). ``run`` below computes each target list's order once and calls
the same nodes with the same inputs, one after another, as dask's synchronous scheduler did.

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
from graphlib import TopologicalSorter
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions import action as rasa_action
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

from runtime import kept_connections

_original = rasa_action.RemoteAction._validate_action_result
_original_run = DaskGraphRunner.run


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


Plan = list[tuple[str, tuple[str, ...]]]


def execution_plan(runner: DaskGraphRunner, targets: tuple[str, ...]) -> Plan:
    """The nodes ``targets`` need, in an order where each comes after what it needs, each with
    the names of its inputs (in the order of its ``needs``); kept per runner and targets."""
    plans: dict[tuple[str, ...], Plan] = runner.__dict__.setdefault("_ippc_plans", {})
    plan = plans.get(targets)
    if plan is None:
        nodes = runner._graph_schema.minimal_graph_schema(list(targets)).nodes
        order = TopologicalSorter(
            {name: [n for n in node.needs.values() if n in nodes] for name, node in nodes.items()}
        ).static_order()
        plan = [(name, tuple(nodes[name].needs.values())) for name in order]
        plans[targets] = plan
    return plan


def _run(
    self: DaskGraphRunner,
    inputs: dict[str, Any] | None = None,
    targets: list[str] | None = None,
) -> dict[str, Any]:
    """``DaskGraphRunner.run`` without dask: the same node calls in a fixed order."""
    run_targets = targets if targets else self._graph_schema.target_names
    plan = execution_plan(self, tuple(run_targets))
    results: dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and any(value == node for node, _ in plan):
            raise GraphRunError(  # Rasa's own check (_add_inputs_to_graph)
                f"Input value '{value}' clashes with a node name. Make sure that none of the "
                f"input names passed to the `run` method are the same as node names in the "
                f"graph schema."
            )
        results[name] = (name, value)
    try:
        for name, needs in plan:
            if name not in results:  # an input named as a node replaces it, as in dask
                results[name] = self._instantiated_nodes[name](*(results[n] for n in needs))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(results[target] for target in run_targets)


def install() -> None:
    """Replace Rasa's per-call schema check, its dask graph run and its connection per
    action call (runtime.kept_connections); idempotent."""
    rasa_action.RemoteAction._validate_action_result = _validate_action_result
    DaskGraphRunner.run = _run
    kept_connections.install()


def uninstall() -> None:
    rasa_action.RemoteAction._validate_action_result = _original
    DaskGraphRunner.run = _original_run
    kept_connections.uninstall()
