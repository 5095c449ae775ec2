"""Bad input at volume on the WeChat and Telegram webhooks: whatever arrives, the channel
answers below 500, refuses what is not signed, and logs no error. The channels run for real
(the channels' harness: their Sanic blueprints, a scripted bot, stand-ins of both APIs)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.settings import TelegramSettings, WeChatSettings
from channels.telegram import SECRET_HEADER, TelegramInput
from channels.wechat import WeChatInput
from tests.channels import wechat_client_sim as wx
from tests.channels.channels_harness import (
    ScriptedBot,
    TelegramApiStandIn,
    WeChatApiStandIn,
    channel_server,
    serve_aiohttp,
)
from tests.fuzz.background import BackgroundLoop
from tests.fuzz.conftest import ErrorRecords

pytestmark = pytest.mark.fuzz

TELEGRAM_TOKEN = "123456:FUZZ-token"
TELEGRAM_SECRET = "fuzz-secret"
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@dataclass
class Webhooks:
    wechat: str
    telegram: str
    bot: ScriptedBot


@pytest.fixture(scope="module")
def webhooks(background: BackgroundLoop) -> Iterator[Webhooks]:
    async def apis() -> tuple[WeChatApiStandIn, TelegramApiStandIn]:
        return WeChatApiStandIn(wx.APPID, wx.SECRET), TelegramApiStandIn(TELEGRAM_TOKEN)

    wechat_api, telegram_api = background.run(apis())
    wechat_url = background.enter(serve_aiohttp(wechat_api.app))
    telegram_url = background.enter(serve_aiohttp(telegram_api.app))
    wechat = WeChatInput(
        WeChatSettings(
            token=wx.TOKEN, appid=wx.APPID, aes_key=wx.AES_KEY, secret=wx.SECRET,
            api_url=wechat_url, reply_window=0.5,
        )
    )  # fmt: skip
    telegram = TelegramInput(
        TelegramSettings(token=TELEGRAM_TOKEN, secret=TELEGRAM_SECRET, api_url=telegram_url)
    )
    bot = ScriptedBot()
    base = background.enter(channel_server([wechat, telegram], bot))
    yield Webhooks(f"{base}/webhooks/wechat/webhook", f"{base}/webhooks/telegram/webhook", bot)


def request(method: str, url: str, body: bytes | None = None, headers=None) -> int:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # loopback
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


texts = st.text(max_size=300)
xml_field = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
wechat_xml = st.builds(
    lambda to, sender, kind, content, msg_id, created: (
        f"<xml><ToUserName><![CDATA[{to}]]></ToUserName>"
        f"<FromUserName><![CDATA[{sender}]]></FromUserName><CreateTime>{created}</CreateTime>"
        f"<MsgType><![CDATA[{kind}]]></MsgType><Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    ),
    xml_field,
    st.one_of(st.just(wx.OPENID), xml_field),
    st.sampled_from(["text", "image", "voice", "event", "location", "link", ""]) | xml_field,
    texts,
    st.one_of(st.integers(-(2**70), 2**70).map(str), xml_field),
    st.one_of(st.just("1700000000"), st.integers(-(2**70), 2**70).map(str), xml_field),
)
wechat_bodies = st.one_of(
    wechat_xml.map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.binary(max_size=2000),
    texts.map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.builds(lambda inner: f"<xml><Encrypt><![CDATA[{inner}]]></Encrypt></xml>".encode(), texts),
)
# Any Unicode in query values (URL-encoded as UTF-8, as a client would); header values as any
# bytes an HTTP client can put on the wire (no line breaks), Latin-1 and UTF-8 included.
unicode_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
query_values = st.one_of(
    unicode_text, st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass").hex())
)
header_values = st.one_of(
    unicode_text.map(lambda t: t.encode("utf-8")),
    st.binary(max_size=40),
).map(lambda raw: raw.replace(b"\r", b"").replace(b"\n", b"").strip(b" \t"))


@FUZZ
@given(
    body=wechat_bodies,
    nonce=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=16),
    encrypted=st.booleans(),
    extra=st.dictionaries(st.sampled_from(["openid", "encrypt_type", "msg_signature"]),
                          query_values, max_size=2),
)  # fmt: skip
def test_wechat_signed_garbage_gets_no_server_error(
    webhooks: Webhooks,
    logged_errors: ErrorRecords,
    body,
    nonce,
    encrypted,
    extra,
) -> None:
    query = {**wx.signed_query(nonce=nonce), **extra}
    if encrypted:
        query["encrypt_type"] = "aes"
    url = f"{webhooks.wechat}?{urllib.parse.urlencode(query)}"
    status = request("POST", url, body, {"Content-Type": "text/xml"})
    assert status < 500, status
    assert not logged_errors.messages()


@FUZZ
@given(
    body=st.binary(max_size=500),
    query=st.dictionaries(
        st.sampled_from(["signature", "timestamp", "nonce", "echostr", "msg_signature"]),
        query_values, max_size=5,
    ),
    method=st.sampled_from(["GET", "POST"]),
)  # fmt: skip
def test_wechat_unsigned_requests_are_refused(
    webhooks: Webhooks,
    logged_errors: ErrorRecords,
    body,
    query,
    method,
) -> None:
    received = len(webhooks.bot.received)
    url = f"{webhooks.wechat}?{urllib.parse.urlencode(query)}"
    status = request(method, url, body if method == "POST" else None)
    assert status == 403, status
    assert len(webhooks.bot.received) == received
    assert not logged_errors.messages()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.floats(allow_nan=False) | texts,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def typed(right: st.SearchStrategy) -> st.SearchStrategy:
    """A field of the right JSON type most of the time, and now and then any JSON value."""
    return st.one_of(right, right, right, json_values)


# Updates shaped as Telegram sends them, each field now and then of the wrong type.
chat = typed(
    st.fixed_dictionaries(
        {"id": typed(st.integers(-(2**52), 2**52)),
         "type": typed(st.sampled_from(["private", "group"]))}
    )
)  # fmt: skip
user = typed(
    st.fixed_dictionaries(
        {"id": typed(st.integers(1, 2**52)), "is_bot": typed(st.booleans()),
         "first_name": typed(texts)}
    )
)  # fmt: skip
message = typed(
    st.fixed_dictionaries(
        {"message_id": typed(st.integers(0, 2**31)), "date": typed(st.integers(0, 2**33)),
         "chat": chat},
        optional={"text": typed(texts), "from": user, "caption": typed(texts)},
    )
)  # fmt: skip
telegram_updates = st.fixed_dictionaries(
    {"update_id": typed(st.integers(-(2**40), 2**40))},
    optional={
        "message": message,
        "edited_message": message,
        "callback_query": typed(
            st.fixed_dictionaries(
                {"id": typed(texts), "from": user, "chat_instance": typed(texts)},
                optional={"data": typed(texts), "message": message},
            )
        ),
    },
)
telegram_bodies = st.one_of(
    telegram_updates.map(lambda u: json.dumps(u).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=1000),
)


@FUZZ
@given(
    body=telegram_bodies,
    secret=st.one_of(st.just(TELEGRAM_SECRET.encode()), st.none(), header_values),
)
def test_telegram_garbage_gets_no_server_error(
    webhooks: Webhooks,
    logged_errors: ErrorRecords,
    body,
    secret,
) -> None:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    status = request("POST", webhooks.telegram, body, headers)
    assert status < 500, status
    if secret != TELEGRAM_SECRET.encode():
        assert status == 403
    assert not logged_errors.messages()


# Reproducers of four bugs the fuzzing found in channels/ (now fixed): non-ASCII signatures,
# non-UTF-8 secret headers, non-string message text, wrongly typed update fields.
def test_wechat_non_ascii_signature_is_refused(
    webhooks: Webhooks, logged_errors: ErrorRecords
) -> None:
    query = {**wx.signed_query(), "signature": "\u00e9", "echostr": "x"}
    try:
        assert request("GET", f"{webhooks.wechat}?{urllib.parse.urlencode(query)}") == 403
        assert not logged_errors.messages()
    finally:
        logged_errors.records.clear()


def test_telegram_non_utf8_secret_header_is_refused(
    webhooks: Webhooks, logged_errors: ErrorRecords
) -> None:
    headers = {"Content-Type": "application/json", SECRET_HEADER: "\u00e9"}
    try:
        assert request("POST", webhooks.telegram, b"{}", headers) == 403
        assert not logged_errors.messages()
    finally:
        logged_errors.records.clear()


def test_telegram_message_text_of_the_wrong_type(
    webhooks: Webhooks, logged_errors: ErrorRecords
) -> None:
    update = {
        "update_id": 991,
        "message": {"message_id": 1, "date": 1700000000,
                    "chat": {"id": 5, "type": "private"}, "text": ["a"]},
    }  # fmt: skip
    headers = {"Content-Type": "application/json", SECRET_HEADER: TELEGRAM_SECRET}
    try:
        assert request("POST", webhooks.telegram, json.dumps(update).encode(), headers) < 500
        assert not logged_errors.messages()
    finally:
        logged_errors.records.clear()


def test_telegram_wrongly_typed_update_is_refused(
    webhooks: Webhooks, logged_errors: ErrorRecords
) -> None:
    update = {"update_id": 992, "edited_message": True,
              "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"},
                          "text": "你好"}}  # fmt: skip
    headers = {"Content-Type": "application/json", SECRET_HEADER: TELEGRAM_SECRET}
    try:
        assert request("POST", webhooks.telegram, json.dumps(update).encode(), headers) == 400
        assert not logged_errors.messages()
    finally:
        logged_errors.records.clear()
