"""A Rasa dialogue policy for what rules cannot say well: leaving a form ("算了"), giving up
after the same question was asked twice, and running a form again when the user corrects
an answer right after it (the decisions are in dialogue.decide).

Its predictions are "no user" predictions with priority 6: above RulePolicy (4), so that it
can overrule a form's happy path, and below handoff.policy.HandoffPolicy (7), so that a
conversation held by staff or a request for a person always wins."""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from dialogue.decide import Turn, next_action
from dialogue.untrained_policy import UntrainedPolicy

logger = logging.getLogger(__name__)


def turn_of(tracker: DialogueStateTracker) -> Turn:
    message = tracker.latest_message
    return Turn(
        latest_action=tracker.latest_action_name,
        active_loop=tracker.active_loop_name,
        requested_slot=tracker.get_slot(REQUESTED_SLOT),
        text=message.text if message else None,
        intent=(message.intent or {}).get("name") if message else None,
        entities=list(message.entities or []) if message else [],
        events=[event.as_dict() for event in tracker.events],
        loop_rejected=tracker.is_active_loop_rejected,
    )


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT], is_trainable=True
)
class DialoguePolicy(UntrainedPolicy):
    """Stops, gives up on and restarts forms; see the module docstring. Nothing to learn:
    the decisions come from the conversation's events."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": 6}

    def next_action(self, tracker: DialogueStateTracker, domain: Domain) -> str | None:
        try:
            action = next_action(turn_of(tracker))
        except Exception:  # a bad guess here must never silence the bot
            logger.exception("dialogue policy failed; the rules decide")
            return None
        if action is not None:
            logger.debug("dialogue policy predicts %s", action)
        return action
