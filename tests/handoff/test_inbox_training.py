"""The learning loop end to end, with a real (small) Rasa NLU training: a message the model
falls back on is recorded as the Rasa server would record it, staff label its row in the
console, ``ippc inbox export`` writes the label as NLU data, and a model trained again on
the data with the export answers the message with the labelled intent.

The model here is deliberately small (jieba tokens, character n-gram counts, logistic
regression, the fallback classifier; a few seconds per training) so the test runs in every
``make test``; the bot's own pipeline learns from the same files through ``ippc train``."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from core.db import session_scope
from handoff.inbox_export import export
from handoff.missed import Observation, Recorder, Turn, misses_of
from handoff.models import MissedMessage
from nlu.topics import understanding
from tests.handoff.test_console import csrf_of, login

CONFIG = """\
recipe: default.v1
language: zh
assistant_id: inbox-loop-test
pipeline:
  - name: JiebaTokenizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 3
  - name: LogisticRegressionClassifier
    random_state: 7
  - name: FallbackClassifier
    threshold: 0.5
policies: []
"""

# Written for this test (not from any evaluation set).
BASE_DATA = """\
version: "3.1"
nlu:
  - intent: fasttrack_fee
    examples: |
      - 预审收费吗
      - 预审要交钱吗
      - 预审费用是多少
      - 快速预审免费吗
      - 走预审要花钱吗
      - 预审收不收费
  - intent: center_contact
    examples: |
      - 中心电话是多少
      - 保护中心地址在哪
      - 你们几点上班
      - 中心的联系方式
      - 办公地点在哪里
      - 窗口工作时间
  - intent: greet
    examples: |
      - 你好
      - 在吗
      - 您好啊
      - 哈喽
      - 早上好
      - 有人吗
"""

# Parking at the center: the first model is unsure between contact, fees and greeting.
MISSED = "附近有停车场吗"
SAME_QUESTION = ["中心附近有停车场吗", "附近能停车吗", MISSED]


def _train(workdir: Path, data: Path, name: str) -> str:
    from rasa.model_training import train_nlu

    config = workdir / "config.yml"
    config.write_text(CONFIG, encoding="utf-8")
    model = train_nlu(str(config), str(data), str(workdir / "models"), fixed_model_name=name)
    assert model, "training failed"
    return model


def _parse(model_path: str, text: str) -> dict:
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)
    return asyncio.run(agent.parse_message(text))


@pytest.mark.filterwarnings("ignore")
async def test_a_missed_message_is_answered_after_labelling_and_training(
    tmp_path: Path, console: TestClient, make_staff, handoff_db: str
) -> None:
    data = tmp_path / "data" / "nlu"
    data.mkdir(parents=True)
    (data / "base.yml").write_text(BASE_DATA, encoding="utf-8")
    before = await asyncio.to_thread(_train, tmp_path, tmp_path / "data", "before")
    parsed = await asyncio.to_thread(_parse, before, MISSED)
    assert parsed["intent"]["name"] == "nlu_fallback", parsed["intent"]

    # The Rasa server sees the same question asked three ways; the ones it was unsure of
    # are recorded (as the HandoffPolicy's recorder does).
    recorder = Recorder(handoff_db)
    observations = []
    for index, text in enumerate(SAME_QUESTION):
        parse = await asyncio.to_thread(_parse, before, text)
        intent, topic, confidence = understanding(parse)
        observation = Observation(
            f"user-{index}", "webchat", Turn(text, _now(), intent, topic, confidence)
        )
        observation.misses = misses_of(observation, 0.6)
        observations.append(observation)
    recorder._write(observations, traffic_now=True)

    # Staff label the row (all its messages) in the console.
    make_staff("labeller")
    assert await login(console, "labeller") == 302
    missed = sum(1 for o in observations if o.misses)
    page = await (await console.get("/inbox")).text()
    assert page.count('class="inbox-row"') == 1 and f"{missed}×" in page
    with session_scope(handoff_db) as session:
        recorded = dict(session.execute(select(MissedMessage.text, MissedMessage.id)).all())
    assert MISSED in recorded
    ids = [str(i) for i in recorded.values()]
    form = {"csrf_token": await csrf_of(console, "/inbox"), "status": "open",
            "action": "label", "topic": "center_contact", "id": ids}  # fmt: skip
    response = await console.post("/inbox/act", data=form, allow_redirects=False)
    assert "notice=labelled" in response.headers["Location"]

    with session_scope(handoff_db) as session:
        result = export(
            session, data / "reviewed", tmp_path / "drafts.yml", tmp_path / "domain.yml"
        )
    assert result.examples == {"center_contact": missed}
    after = await asyncio.to_thread(_train, tmp_path, tmp_path / "data", "after")
    parsed = await asyncio.to_thread(_parse, after, MISSED)
    assert parsed["intent"]["name"] == "center_contact", parsed["intent"]
    # what the bot knew before still holds
    known = await asyncio.to_thread(_parse, after, "预审要交钱吗")
    assert known["intent"]["name"] == "fasttrack_fee"


def _now():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)
