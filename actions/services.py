"""Training sessions and the center's contacts and hours: thin actions over
knowledge_base.services (center_info.yml, IPPC_CENTER)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import knowledge_base, latest_entities
from knowledge_base.services import contact_text, training_text


class ActionTrainingSessions(Action):
    def name(self) -> str:
        return "action_training_sessions"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=training_text(knowledge_base()))
        return []


class ActionCenterContact(Action):
    def name(self) -> str:
        return "action_center_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asked = latest_entities(tracker, "center")
        dispatcher.utter_message(text=contact_text(knowledge_base(), asked))
        return []
