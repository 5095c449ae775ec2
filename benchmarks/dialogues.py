"""Realistic multi-turn conversations for the load: what enterprises ask the assistant, and
the nearest equivalent for the reference assistant made by ``rasa init`` (its moodbot)."""

from __future__ import annotations

# Each conversation is said turn by turn, each turn after the previous answer.
IPPC_DIALOGUES: list[list[str]] = [
    ["你好", "专利快速预审是什么", "走预审需要缴费吗", "谢谢"],
    ["我们是做锂电池储能的公司，能申请专利预审吗", "深圳市", "发明", "谢谢，再见"],
    ["有人仿冒我们的商标，怎么维权", "电商平台", "停止侵权", "需要准备哪些证据"],
    ["你们中心的电话是多少", "工作时间呢", "有培训课程吗", "再见"],
    ["广州中心的预审范围是什么", "预审要交哪些材料", "预审主体备案怎么办", "好的谢谢"],
    ["在吗", "我们在杭州，做工业机器人的，想申请发明专利，能走预审吗", "预审合格了接下来要干嘛"],
    ["海外展会上被指控侵权怎么办", "知识产权质押融资怎么申请", "专利导航服务是什么", "谢谢"],
    ["帮我查一下明天上海的天气", "你是机器人吗", "预审大概能快多少", "拜拜"],
]

REFERENCE_DIALOGUES: list[list[str]] = [
    ["hello", "I am feeling sad", "yes", "thanks, bye"],
    ["hi there", "I am great", "are you a bot?", "goodbye"],
    ["hey", "I'm unhappy", "no", "see you later"],
    ["good morning", "very good", "am I talking to a human?", "bye"],
]

# One round of what an enterprise says (benchmarks/dialogues.py and tests/conversations):
# FAQ questions, the eligibility form with its three answers, a case lookup with its two
# answers, a dispute question with its answers, thanks. Repeated for as long as needed
# (benchmarks.long_conversation).
LONG_ROUND: list[str] = [
    "你好",
    "专利快速预审是什么",
    "走预审需要缴费吗",
    "我们公司想申请专利快速预审",
    "深圳市",
    "新能源",
    "发明",
    "帮我查一下案件进度",
    "YS2025000999",
    "1234",
    "你们中心的电话是多少",
    "有人仿冒我们的商标，怎么维权",
    "电商平台",
    "停止侵权",
    "预审要交哪些材料",
    "谢谢",
]

# The one exchange of each conversation the long-conversation benchmark stores beforehand.
STORED_QUESTION = "专利快速预审是什么"
STORED_ANSWER = "专利快速预审是……"
