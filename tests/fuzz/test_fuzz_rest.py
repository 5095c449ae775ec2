"""Bad input at volume on the REST channel of the running assistant (``ippc run``, the real
model and actions): any message and any body gets an answer below 500, a message gets at least
one reply, and the servers log no error or traceback."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.rest_channel import MAX_SENDER_LENGTH
from tests.conftest import LiveAssistant, log_errors

pytestmark = [pytest.mark.fuzz, pytest.mark.model]

FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
CHINESE = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
messages = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=CHINESE, max_size=60),
    st.text(alphabet=st.one_of(CHINESE, st.characters(max_codepoint=0x7F)), max_size=120),
    st.sampled_from(["/greet", "/human_handoff", "/nlu_fallback", "/", '/greet{"x": 1}']),
    st.builds(lambda t: "/" + t, st.text(max_size=40)),  # forged intents and payloads
)


def post(url: str, body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # loopback
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def log_start(live_assistant: LiveAssistant) -> int:
    """Where the servers' log stood before this module: only what it adds is checked."""
    return len(live_assistant.log_path.read_text(errors="replace"))


def new_errors(live_assistant: LiveAssistant, start: int) -> list[str]:
    added = live_assistant.log_path.read_text(errors="replace")[start:]
    return log_errors(added)


@FUZZ
@given(message=messages)
def test_any_message_gets_a_reply(
    live_assistant: LiveAssistant, log_start: int, message: str
) -> None:
    sender = f"fuzz-{uuid.uuid4().hex[:12]}"
    body = json.dumps({"sender": sender, "message": message}).encode()
    status, answer = post(live_assistant.rest_url, body)
    assert status == 200, answer[:300]
    replies = json.loads(answer)
    assert isinstance(replies, list) and replies, f"no reply to {message!r}"
    assert not new_errors(live_assistant, log_start)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)
bodies = st.one_of(
    st.fixed_dictionaries(
        {}, optional={"sender": json_values, "message": json_values, "metadata": json_values}
    ).map(lambda d: json.dumps(d).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=300),
)


@FUZZ
@given(body=bodies)
def test_malformed_bodies_get_no_server_error(
    live_assistant: LiveAssistant, log_start: int, body: bytes
) -> None:
    status, answer = post(live_assistant.rest_url, body)
    assert status < 500, (body, answer[:300])
    assert not new_errors(live_assistant, log_start)


MAX_SENDER = MAX_SENDER_LENGTH  # "rest:" + this fits the tracker store's VARCHAR(255)
senders = st.one_of(
    st.text(min_size=1, max_size=MAX_SENDER),
    st.builds(lambda char, n: char * n, st.sampled_from("专利预审"), st.integers(180, MAX_SENDER)),
    st.text(min_size=MAX_SENDER + 1, max_size=MAX_SENDER + 300),
    st.builds(
        lambda char, n: char * n,
        st.sampled_from("专利预审"),
        st.integers(MAX_SENDER + 1, MAX_SENDER + 5),
    ),
)


@FUZZ
@given(sender=senders)
def test_any_sender_is_answered_or_refused_with_400(
    live_assistant: LiveAssistant, log_start: int, sender: str
) -> None:
    """Senders of any length and any characters: up to MAX_SENDER a reply, longer a 400 that says
    why (never a tracker-store error), and no error in the log either way."""
    unique = sender[:-8] + uuid.uuid4().hex[:8] if len(sender) > 8 else sender
    body = json.dumps({"sender": unique, "message": "你好"}).encode()
    status, answer = post(live_assistant.rest_url, body)
    if not unique.strip():
        assert status == 400, answer[:300]
    elif len(unique) > MAX_SENDER:
        assert status == 400 and f"at most {MAX_SENDER} characters".encode() in answer, answer[:300]
    else:
        assert status == 200, answer[:300]
        assert json.loads(answer), f"no reply for sender {unique!r}"
    assert not new_errors(live_assistant, log_start)
