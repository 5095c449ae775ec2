"""Training sessions and the center's contacts and hours, from center_info.yml (sample data
until the center fills it in, and said so in every answer)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import knowledge_base, latest_entities

SAMPLE_NOTE = "（示例数据：请以本中心官网和公众号公布的信息为准）"


class ActionTrainingSessions(Action):
    def name(self) -> str:
        return "action_training_sessions"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kb = knowledge_base()
        info = kb.center_info
        lines = [f"{info.center}近期的培训和讲座："]
        lines += [
            f"• {s.date} {s.title}（{s.form}；报名：{s.signup}）" for s in info.training_sessions
        ]
        lines.append(kb.facts["public_services"].text)
        lines.append(kb.source_line("policy", ("public_services",)))
        if info.sample:
            lines.append(SAMPLE_NOTE)
        dispatcher.utter_message(text="\n".join(lines))
        return []


class ActionCenterContact(Action):
    def name(self) -> str:
        return "action_center_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kb = knowledge_base()
        info = kb.center_info
        lines = []
        asked = [c for c in latest_entities(tracker, "center") if c != info.center]
        if asked:
            lines.append(
                f"我这里录入的是{info.center}的信息；{asked[0]}的地址和电话请以该中心官网公布为准。"
            )
        lines += [
            f"{info.center}",
            f"地址：{info.address}",
            f"电话：{info.phone}",
            f"工作时间：工作日 {'，'.join(info.working_periods)}（法定节假日休息，调休上班日正常上班）",
        ]
        if info.email:
            lines.append(f"邮箱：{info.email}")
        if info.website:
            lines.append(f"网站：{info.website}")
        if info.windows:
            lines.append("分窗口：" + "；".join(info.windows))
        if info.sample:
            lines.append(SAMPLE_NOTE)
        dispatcher.utter_message(text="\n".join(lines))
        return []
