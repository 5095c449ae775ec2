"""The inbox of missed messages: what is recorded (from a real Rasa tracker, the handoff, a
low rating, a staff flag), grouping, the console's inbox and drafts (roles, centers, CSRF),
the export to NLU data and the review file, the dashboard's traffic, and the first-run hint.
Database tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from aiohttp.test_utils import TestClient
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select

from core.db import session_scope
from handoff.dialogue import start_handoff
from handoff.first_run import first_admin_hint
from handoff.inbox import intent_label, label_choices
from handoff.inbox_export import MARKER, export
from handoff.missed import Miss, Observation, Recorder, Turn, misses_of, record
from handoff.models import AnswerDraft, DailyTraffic, MissedMessage, Ticket
from handoff.policy import observation_of
from handoff.similarity import group_texts, similarity
from handoff.tickets import rate_last_ticket
from nlu.topics import topic_label
from tests.handoff.conftest import mark_closed
from tests.handoff.test_console import csrf_of, login

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)


def turn(text: str, intent: str, confidence: float, seconds: int = 0) -> Turn:
    return Turn(text, NOW + timedelta(seconds=seconds), intent, "fasttrack_fee", confidence)


# ------------------------------------------------------------------------------ what is missed
def test_fallback_low_confidence_and_rephrase_are_misses() -> None:
    fallback = Observation("c1", "rest", turn("预审要交钱不", "nlu_fallback", 0.3))
    assert [m.reasons for m in misses_of(fallback, 0.6)] == [("fallback",)]
    unsure = Observation("c1", "rest", turn("预审要交钱不", "fasttrack_fee", 0.5))
    assert [m.reasons for m in misses_of(unsure, 0.6)] == [("low_confidence",)]
    sure = Observation("c1", "rest", turn("预审收费吗", "fasttrack_fee", 0.95))
    assert misses_of(sure, 0.6) == []
    rephrase = Observation(
        "c1",
        "rest",
        turn("预审是不是要收费", "fasttrack_fee", 0.9, 30),
        previous=turn("预审要不要收费的", "training", 0.8),
    )
    found = misses_of(rephrase, 0.6)
    assert [(m.turn.text, m.reasons) for m in found] == [("预审要不要收费的", ("rephrased",))]
    # a different question later, a button payload or a rating are not rephrases
    later = Observation(
        "c1", "rest", turn("备案要多久", "x", 0.9, 30), previous=turn("预审收费吗", "y", 0.9)
    )
    assert misses_of(later, 0.6) == []
    button = Observation("c1", "rest", turn("/human_handoff", "human_handoff", 1.0))
    assert misses_of(button, 0.99) == []
    # "转人工，问一下海外维权": the confidence is the rest's, the request was understood
    request = Observation("c1", "rest", turn("转人工，问一下海外维权", "human_handoff", 0.4))
    assert misses_of(request, 0.6) == []


def _tracker(*events: object) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("tg-42", list(events))


def _user(text: str, intent: str, confidence: float, at: float) -> UserUttered:
    ranking = [{"name": intent, "confidence": confidence}]
    if intent == "nlu_fallback":
        ranking.append({"name": "fasttrack_fee", "confidence": 0.3})
    return UserUttered(
        text,
        intent={"name": intent, "confidence": confidence},
        parse_data={"intent_ranking": ranking},
        input_channel="telegram",
        timestamp=at,
    )


def test_the_policy_sees_each_new_message_once_with_what_came_before() -> None:
    start = NOW.timestamp()
    events = [
        ActionExecuted("action_session_start", timestamp=start),
        SessionStarted(timestamp=start),
        ActionExecuted("action_listen", timestamp=start),
        _user("预审收费吗", "fasttrack_fee", 0.9, start + 1),
    ]
    first = observation_of(_tracker(*events))
    assert first is not None and first.new_conversation and first.channel == "telegram"
    assert first.latest.text == "预审收费吗" and first.previous is None
    events += [
        ActionExecuted("utter_fasttrack_fee", timestamp=start + 2),
        BotUttered("预审不收费。", timestamp=start + 2),
        ActionExecuted("action_listen", timestamp=start + 3),
    ]
    assert observation_of(_tracker(*events)) is None  # after an action: already seen
    events.append(_user("啊这个预审", "nlu_fallback", 0.3, start + 10))
    second = observation_of(_tracker(*events))
    assert second is not None and not second.new_conversation
    assert second.previous.text == "预审收费吗"
    assert second.latest.intent == "nlu_fallback" and second.latest.topic == "fasttrack_fee"
    assert second.context == (("user", "预审收费吗"), ("bot", "预审不收费。"))


def test_recorder_writes_misses_masked_and_counts_traffic(handoff_db: str) -> None:
    recorder = Recorder(handoff_db)
    base = Observation(
        "c9",
        "webchat",
        Turn("电话13912345678，预审咋收费", NOW, "nlu_fallback", "fasttrack_fee", 0.3),
        new_conversation=True,
        context=(("bot", "您好"),),
    )
    base.misses = misses_of(base, 0.6)
    fine = Observation("c9", "webchat", Turn("谢谢", NOW, "thanks", "thanks", 0.99))
    recorder._write([base, fine], traffic_now=True)
    with session_scope(handoff_db) as session:
        row = session.execute(select(MissedMessage)).scalar_one()
        assert row.text == "电话139****5678，预审咋收费" and row.reasons == "fallback"
        assert row.channel == "webchat" and row.center == "示例知识产权保护中心"
        assert json.loads(row.context) == [["bot", "您好"]]
        traffic = session.execute(select(DailyTraffic)).scalar_one()
        assert (traffic.conversations, traffic.messages, traffic.fallbacks) == (1, 2, 1)
    recorder._write([fine], traffic_now=True)  # adds to the same day's row
    with session_scope(handoff_db) as session:
        assert session.execute(select(DailyTraffic.messages)).scalar_one() == 3


def test_the_recorder_thread_writes_traffic_once_per_flush_interval(handoff_db: str) -> None:
    """Under load the queue empties after almost every message: the counts still wait for
    the interval (one UPDATE a message competed with the tracker saves), and none is lost."""
    recorder = Recorder(handoff_db, flush_seconds=60)
    for text in ("预审收费吗", "谢谢", "再见"):
        recorder.submit(Observation("c7", "rest", Turn(text, NOW, "thanks", "thanks", 0.99)))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with recorder._lock:
            counted = sum(c["messages"] for c in recorder._traffic.values())
        if counted == 3:
            break
        time.sleep(0.02)
    assert counted == 3  # taken from the queue by the thread...
    with session_scope(handoff_db) as session:
        assert session.execute(select(DailyTraffic)).first() is None  # ...not written yet
    recorder.flush()
    with session_scope(handoff_db) as session:
        assert session.execute(select(DailyTraffic.messages)).scalar_one() == 3


def test_the_same_message_gains_reasons_instead_of_a_second_row(handoff_db: str) -> None:
    miss = Miss("c2", "rest", turn("预审咋收费", "nlu_fallback", 0.3), ("fallback",))
    first = record([miss], handoff_db)
    again = record(
        [Miss("c2", "rest", miss.turn, ("rephrased", "fallback"), ticket_id=None)], handoff_db
    )
    assert first == again
    with session_scope(handoff_db) as session:
        assert session.get(MissedMessage, first[0]).reasons == "fallback,rephrased"
    with pytest.raises(ValueError, match="unknown inbox reasons"):
        record([Miss("c2", "rest", miss.turn, ("nonsense",))], handoff_db)


def _event(text: str, intent: str, confidence: float, at: float, ranking=None) -> dict:
    parse = {"intent": {"name": intent, "confidence": confidence}}
    parse["intent_ranking"] = ranking or [{"name": intent, "confidence": confidence}]
    return {"event": "user", "text": text, "timestamp": at, "parse_data": parse}


def test_handoff_after_misunderstanding_and_low_rating_are_recorded(
    handoff_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IPPC_WORKING_HOURS", "24x7")
    fallback_ranking = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "fasttrack_fee", "confidence": 0.35},
    ]
    events = [
        _event("预审收费吗", "fasttrack_fee", 0.93, 1.0),
        _event("那个啥费", "nlu_fallback", 0.4, 2.0, fallback_ranking),
        _event("费用那个", "nlu_fallback", 0.4, 3.0, fallback_ranking),
        _event("转人工", "human_handoff", 0.99, 4.0),
    ]
    outcome = start_handoff("h1", "webchat", events, "human_handoff")
    with session_scope(handoff_db) as session:
        ticket = session.get(Ticket, outcome.ticket_id)
        assert ticket.reason == "misunderstood_twice" and ticket.topic == "fasttrack_fee"
        rows = session.execute(select(MissedMessage).order_by(MissedMessage.at)).scalars().all()
        assert [(r.text, r.reasons, r.ticket_id) for r in rows] == [
            ("那个啥费", "handoff", outcome.ticket_id),
            ("费用那个", "handoff", outcome.ticket_id),
        ]
    mark_closed(handoff_db, outcome.ticket_id)
    assert rate_last_ticket("h1", 1, 60, url=handoff_db) == outcome.ticket_id
    with session_scope(handoff_db) as session:
        reasons = dict(session.execute(select(MissedMessage.text, MissedMessage.reasons)).all())
    assert reasons["预审收费吗"] == "low_rating"
    assert reasons["那个啥费"] == "handoff,low_rating"
    assert "转人工" not in reasons or reasons["转人工"] == "low_rating"


# ------------------------------------------------------------------------------ grouping
def test_similar_questions_group_and_different_ones_do_not() -> None:
    texts = [
        "预审通过以后多久能拿到授权",
        "预审合格了什么时候授权啊",
        "通过预审后授权要等多久",
        "今天天气怎么样",
        "商标怎么注册",
        "怎么申请商标注册",
    ]
    labels = group_texts(texts)
    assert labels[0] == labels[2]
    assert labels[4] == labels[5]
    assert len({labels[0], labels[3], labels[4]}) == 3
    assert similarity("预审收费吗？", "ＰＣＴ预审收费吗") > 0.7  # punctuation, full width
    assert group_texts(["預審收費嗎", "预审收费吗"]) == [0, 0]  # traditional = simplified


def test_grouping_on_the_200_message_sample() -> None:
    """The sample's figures in the report: few wrong merges, far fewer rows than messages."""
    data = yaml.safe_load(
        (Path(__file__).parent / "data" / "missed_sample.yml").read_text(encoding="utf-8")
    )
    items = [(t, g) for g, texts in data["groups"].items() for t in texts]
    items += [(t, f"single-{i}") for i, t in enumerate(data["singletons"])]
    assert len(items) == 200
    labels = group_texts([t for t, _ in items])
    members: dict[int, list[str]] = {}
    for (_text, truth), label in zip(items, labels, strict=True):
        members.setdefault(label, []).append(truth)
    misplaced = sum(len(m) - max(m.count(t) for t in set(m)) for m in members.values())
    assert len(members) <= 110  # 48 true questions; 200 messages
    assert misplaced <= 12  # messages in a row of another question


# ------------------------------------------------------------------------------ labels
def test_staff_read_chinese_labels() -> None:
    assert topic_label("fasttrack_eligibility") == "能否申请预审"
    assert topic_label("case_status") == "查询自己案件的办理进度"
    assert topic_label("fasttrack_process/grant_time") == "预审流程、时限"
    assert intent_label("fasttrack_process/grant_time").startswith("预审流程、时限 › ")
    assert topic_label("no_such_topic") == "no_such_topic" and topic_label(None) == ""
    choices = dict(label_choices())
    assert "out_of_scope" in choices and "nlu_fallback" not in choices
    assert "fasttrack_process" not in choices  # only its sub-intents train an answer


# ------------------------------------------------------------------------------ console
def _seed(url: str, center: str | None = "示例知识产权保护中心") -> list[int]:
    misses = [
        Miss(f"s{i}", "rest", Turn(text, NOW + timedelta(minutes=i), "nlu_fallback", None, 0.3),
             ("fallback",), center=center)
        for i, text in enumerate(["预审通过后多久授权", "预审通过以后多久能授权", "商标怎么注册"])
    ]  # fmt: skip
    return record(misses, url)


async def _act(client: TestClient, **data: object) -> str:
    form = {"csrf_token": await csrf_of(client, "/inbox"), "status": "open", **data}
    response = await client.post("/inbox/act", data=form, allow_redirects=False)
    assert response.status == 302, await response.text()
    return response.headers["Location"]


async def test_inbox_rows_label_draft_approve_and_scope(
    console: TestClient, make_staff, handoff_db: str
) -> None:
    ids = _seed(handoff_db)
    other = record(
        [Miss("x", "rest", Turn("别的中心的问题", NOW, None, None, None), ("flagged",),
              center="北京知识产权保护中心")],
        handoff_db,
    )  # fmt: skip
    make_staff("agent1", center="示例知识产权保护中心")
    make_staff("boss", role="admin")
    assert await login(console, "agent1") == 302
    page = await (await console.get("/inbox")).text()
    assert page.count('class="inbox-row"') == 2  # the two ways of asking are one row
    assert "2×" in page and "别的中心的问题" not in page

    # CSRF is required; another center's message cannot be touched.
    refused = await console.post("/inbox/act", data={"action": "dismiss", "id": str(ids[2])})
    assert refused.status == 403
    location = await _act(console, action="dismiss", id=str(other[0]))
    assert "error=not_found" in location
    location = await _act(console, action="label", id=str(ids[0]), topic="not_a_topic")
    assert location.endswith("error=topic")
    shown = await (await console.get(location)).text()
    assert "请从列表中选择话题" in shown
    forged = await (await console.get("/inbox?error=点此链接领奖")).text()
    assert "点此链接领奖" not in forged and "请求未被执行" in forged  # never words from a URL

    await _act(console, action="label", id=[str(ids[0]), str(ids[1])],
               topic="fasttrack_process/grant_time")  # fmt: skip
    await _act(console, action="draft", id=str(ids[2]), draft_topic="out_of_scope",
               draft_text="商标注册请向国家知识产权局商标局申请。",
               draft_source="国家知识产权局商标局网站")  # fmt: skip
    with session_scope(handoff_db) as session:
        rows = {m.id: m for m in session.execute(select(MissedMessage)).scalars()}
        assert rows[ids[0]].status == "labelled" and "agent1" in rows[ids[0]].labelled_by
        assert rows[ids[2]].status == "needs_answer" and rows[ids[2]].draft_id
        draft_id = rows[ids[2]].draft_id
    drafts = await (await console.get("/inbox/drafts")).text()
    assert "商标局" in drafts and "批准发布" not in drafts  # agents cannot approve
    response = await console.post(
        f"/inbox/drafts/{draft_id}/approve",
        data={"csrf_token": await csrf_of(console, "/inbox/drafts")},
        allow_redirects=False,
    )
    assert response.status == 403
    csv_response = await console.get("/dashboard/traffic.csv")
    assert csv_response.status == 403

    await console.post("/logout", data={"csrf_token": await csrf_of(console)})
    assert await login(console, "boss") == 302
    response = await console.post(
        f"/inbox/drafts/{draft_id}/approve",
        data={"csrf_token": await csrf_of(console, "/inbox/drafts")},
        allow_redirects=False,
    )
    assert response.status == 302
    with session_scope(handoff_db) as session:
        draft = session.get(AnswerDraft, draft_id)
        assert draft.status == "approved" and "boss" in draft.approved_by
    labelled = await (await console.get("/inbox?status=labelled")).text()
    assert "预审通过后多久授权" in labelled and "已标注为「预审流程、时限 › " in labelled
    assert (await console.get("/inbox?status=bogus")).status == 400


async def test_staff_flag_a_transcript_line(
    console: TestClient, make_staff, make_ticket, handoff_db: str
) -> None:
    ticket_id = make_ticket(words=("预审材料能邮寄吗",), center="示例知识产权保护中心")
    make_staff("agent2")
    assert await login(console, "agent2") == 302
    with session_scope(handoff_db) as session:
        line = session.get(Ticket, ticket_id).messages[0].id
    page = await (await console.get(f"/tickets/{ticket_id}")).text()
    assert "标记待改进" in page and "要求转人工" in page  # the topic label, not the code
    form = {"csrf_token": await csrf_of(console), "ticket_id": str(ticket_id),
            "message_id": str(line)}  # fmt: skip
    response = await console.post("/inbox/flag", data=form, allow_redirects=False)
    assert response.status == 302 and "notice=flagged" in response.headers["Location"]
    form["ticket_id"] = "999"
    assert (await console.post("/inbox/flag", data=form, allow_redirects=False)).status == 404
    with session_scope(handoff_db) as session:
        row = session.execute(select(MissedMessage)).scalar_one()
        assert (row.text, row.reasons, row.ticket_id) == ("预审材料能邮寄吗", "flagged", ticket_id)


async def test_dashboard_traffic_and_admin_csv(
    console: TestClient, make_staff, make_ticket, handoff_db: str
) -> None:
    recorder = Recorder(handoff_db)
    now = datetime.now(timezone.utc)
    observations = []
    for index, intent in enumerate(["fasttrack_fee", "nlu_fallback", "greet", "nlu_fallback"]):
        observation = Observation(
            f"d{index // 2}", "telegram", Turn("问题", now, intent, "fasttrack_fee", 0.3),
            new_conversation=index % 2 == 0,
        )  # fmt: skip
        observation.misses = misses_of(observation, 0.6)
        observations.append(observation)
    recorder._write(observations, traffic_now=True)
    make_ticket(channel="telegram", topic="fasttrack_fee")
    make_staff("boss2", role="admin")
    assert await login(console, "boss2") == 302
    page = await (await console.get("/dashboard")).text()
    assert 'id="chart-fallback"' in page and 'id="chart-missed"' in page
    assert 'id="fallback-rate">50.0%' in page and 'id="handoff-rate">50.0%' in page
    assert "预审或快速通道是否收费" in page
    response = await console.get("/dashboard/traffic.csv")
    assert response.status == 200
    rows = list(csv.DictReader(io.StringIO((await response.text()).lstrip("\ufeff"))))
    assert rows[0]["channel"] == "telegram" and rows[0]["conversations"] == "2"
    assert rows[0]["fallback_rate"] == "0.5" and rows[0]["handoff_rate"] == "0.5"
    assert "fasttrack_fee 预审或快速通道是否收费" in rows[0]["top_missed_topics"]
    from handoff import access_log

    assert ("export", "traffic.csv") in [(e[2], e[4]) for e in access_log.entries(handoff_db)]


# ------------------------------------------------------------------------------ export
def test_export_writes_nlu_files_and_drafts(handoff_db: str, tmp_path: Path) -> None:
    ids = _seed(handoff_db)
    with session_scope(handoff_db) as session:
        rows = {m.id: m for m in session.execute(select(MissedMessage)).scalars()}
        for message_id in ids[:2]:
            rows[message_id].status = "labelled"
            rows[message_id].label_topic = "fasttrack_process/grant_time"
            rows[message_id].labelled_by = "小王 (wang)"
            rows[message_id].labelled_at = datetime(2026, 12, 2, 8, 30)
        draft = AnswerDraft(topic="fasttrack_process", question="商标怎么注册", text="草稿答案",
                            source="某文件", status="draft", created_by="小王 (wang)")  # fmt: skip
        session.add(draft)
        session.flush()
        rows[ids[2]].status, rows[ids[2]].draft_id = "needs_answer", draft.id
    nlu_dir = tmp_path / "nlu" / "reviewed"
    drafts_file, domain_file = tmp_path / "answer_drafts.yml", tmp_path / "reviewed.yml"
    with session_scope(handoff_db) as session:
        result = export(session, nlu_dir, drafts_file, domain_file)
    assert result.examples == {"fasttrack_process": 2} and result.published == []
    text = (nlu_dir / "fasttrack_process.yml").read_text(encoding="utf-8")
    assert text.startswith(MARKER) and "预审流程、时限" in text
    assert "# labelled by 小王 (wang) on 2026-12-02 08:30 (UTC)" in text
    data = yaml.safe_load(text)
    assert data["nlu"][0]["intent"] == "fasttrack_process/grant_time"
    assert "- 预审通过以后多久能授权" in data["nlu"][0]["examples"]
    drafts = yaml.safe_load(drafts_file.read_text(encoding="utf-8"))["drafts"]
    assert drafts[0]["status"] == "draft" and drafts[0]["topic_label"] == "预审流程、时限"
    assert not domain_file.exists()  # nothing approved: nothing published

    with session_scope(handoff_db) as session:
        draft = session.get(AnswerDraft, draft.id)
        draft.status, draft.approved_by, draft.approved_at = "approved", "boss", datetime.now()
    with session_scope(handoff_db) as session:
        result = export(session, nlu_dir, drafts_file, domain_file)
    intent = f"fasttrack_process/reviewed_{draft.id}"
    assert result.published == [intent]
    responses = yaml.safe_load(domain_file.read_text(encoding="utf-8"))["responses"]
    assert responses[f"utter_{intent}"][0]["text"] == "草稿答案\n来源：某文件"
    assert intent in (nlu_dir / "fasttrack_process.yml").read_text(encoding="utf-8")


def test_first_admin_hint(handoff_db: str, make_staff) -> None:
    assert "ippc staff add" in first_admin_hint(handoff_db)
    make_staff("agent9")
    assert first_admin_hint(handoff_db) is not None  # an agent is not an admin
    make_staff("admin9", role="admin")
    assert first_admin_hint(handoff_db) is None


def test_purge_removes_old_inbox_messages_and_orphan_drafts(handoff_db: str) -> None:
    from handoff.retention import purge

    ids = _seed(handoff_db)  # sent on 1 December 2026 (NOW)
    with session_scope(handoff_db) as session:
        old = AnswerDraft(topic="training", question="q", text="t", source="s", status="draft",
                          created_by="x", created_at=datetime(2026, 1, 1))  # fmt: skip
        kept = AnswerDraft(topic="training", question="q", text="t", source="s",
                           status="approved", created_by="x", created_at=datetime(2026, 1, 1))  # fmt: skip
        session.add_all([old, kept])
    assert purge(datetime(2026, 12, 1, 2, 1), handoff_db)["inbox_messages"] == 1
    with session_scope(handoff_db) as session:
        left = set(session.execute(select(MissedMessage.id)).scalars())
        drafts = [d.status for d in session.execute(select(AnswerDraft)).scalars()]
    assert left == set(ids[1:]) and drafts == ["approved"]


def test_ippc_inbox_export_command(
    handoff_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ippc.cli import main

    ids = _seed(handoff_db)
    with session_scope(handoff_db) as session:
        row = session.get(MissedMessage, ids[2])
        row.status, row.label_topic, row.labelled_by = "labelled", "out_of_scope", "小王 (wang)"
        row.labelled_at = datetime(2026, 12, 2, 9, 0)
    args = ["inbox", "export", "--nlu-dir", str(tmp_path / "reviewed"),
            "--drafts-file", str(tmp_path / "drafts.yml"),
            "--domain-file", str(tmp_path / "domain.yml")]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "1 labelled examples in 1 topic files" in out and "out_of_scope: 1" in out
    assert "- 商标怎么注册" in (tmp_path / "reviewed" / "out_of_scope.yml").read_text("utf-8")
    assert yaml.safe_load((tmp_path / "drafts.yml").read_text("utf-8")) == {"drafts": []}
    bad = ["inbox", "export", "--nlu-dir", "/proc/no-such-place/reviewed"]
    assert main(bad) != 0
    assert "cannot write the export" in capsys.readouterr().err
