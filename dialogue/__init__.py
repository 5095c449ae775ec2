"""How a conversation moves between forms: the policy that stops, restarts and gives up on
forms (dialogue.policy) and the reading of tracker events it shares with the form actions
(dialogue.turns). The text cues (stop, correction, negation) are knowledge_base.dialogue."""
