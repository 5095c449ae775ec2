"""The base of the policies that decide in code rather than learn from stories
(dialogue.policy.DialoguePolicy, handoff.policy.HandoffPolicy).

Such a policy has nothing to train and nothing to keep in the model; it names the one action
to take (or None), and that action becomes a certain "no user" prediction at the policy's
priority, so that it overrules rules, forms and fallbacks of a lower priority. It lives in
``dialogue`` because ``handoff`` may import ``dialogue`` (same layer, no cycle) and ``core``
does not depend on Rasa."""

from __future__ import annotations

from typing import Any, TypeVar

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

Untrained = TypeVar("Untrained", bound="UntrainedPolicy")


class UntrainedPolicy(Policy):
    """A policy that predicts ``next_action(tracker, domain)`` with certainty, or nothing."""

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        """Nothing to learn, nothing stored."""
        return self._resource

    @classmethod
    def load(
        cls: type[Untrained],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Untrained:
        """As created: ``train`` stored nothing to read back."""
        return cls(config, model_storage, resource, execution_context)

    def next_action(self, tracker: DialogueStateTracker, domain: Domain) -> str | None:
        """The action to take now, or None to leave the decision to the other policies."""
        raise NotImplementedError

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        action = self.next_action(tracker, domain)
        if action is None or action not in domain.action_names_or_texts:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities, is_no_user_prediction=True)
