"""WeChat's server API: the access token (cached until it expires) and customer-service messages."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aiohttp

from channels.render import split_text

logger = logging.getLogger(__name__)

# Error codes meaning "this access token is no longer valid": fetch a new one and retry once.
TOKEN_INVALID = {40001, 40014, 42001}
# A customer-service text message may hold 2048 bytes; Chinese takes 3 bytes a character.
CS_TEXT_CHARS = 600


class WeChatApiError(RuntimeError):
    """The WeChat API refused a call or could not be reached."""


class WeChatApi:
    """One account's API client; safe to share between concurrent tasks of one event loop."""

    def __init__(self, api_url: str, appid: str, secret: str, timeout: float = 10.0) -> None:
        self.api_url = api_url.rstrip("/")
        self.appid = appid
        self.secret = secret
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    @property
    def configured(self) -> bool:
        return bool(self.appid and self.secret)

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            async with aiohttp.ClientSession(timeout=self.timeout) as session:
                async with session.request(method, f"{self.api_url}{path}", **kwargs) as resp:
                    if resp.status != 200:
                        raise WeChatApiError(f"{path}: HTTP {resp.status}")
                    data = await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise WeChatApiError(f"{path}: {error!r}") from error
        if not isinstance(data, dict):
            raise WeChatApiError(f"{path}: unexpected answer")
        return data

    async def access_token(self, refresh: bool = False) -> str:
        """The cached token, fetched again 5 minutes before it expires (or when refused)."""
        if not self.configured:
            raise WeChatApiError("IPPC_WECHAT_APPID and IPPC_WECHAT_SECRET are needed")
        async with self._lock:
            if refresh or not self._token or time.monotonic() >= self._expires_at:
                data = await self._call(
                    "GET",
                    "/cgi-bin/token",
                    params={
                        "grant_type": "client_credential",
                        "appid": self.appid,
                        "secret": self.secret,
                    },
                )
                if not data.get("access_token"):
                    raise WeChatApiError(
                        f"token refused: {data.get('errcode')} {data.get('errmsg')}"
                    )
                self._token = str(data["access_token"])
                lifetime = float(data.get("expires_in") or 7200)
                self._expires_at = time.monotonic() + max(lifetime - 300, lifetime / 2)
            return self._token

    async def _send(self, body: dict[str, Any]) -> None:
        for attempt in (1, 2):
            token = await self.access_token(refresh=attempt == 2)
            data = await self._call(
                "POST",
                "/cgi-bin/message/custom/send",
                params={"access_token": token},
                # WeChat shows \uXXXX escapes literally: send the characters themselves.
                data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
            code = int(data.get("errcode") or 0)
            if code == 0:
                return
            if code not in TOKEN_INVALID or attempt == 2:
                raise WeChatApiError(f"custom/send refused: {code} {data.get('errmsg')}")
            logger.info("WeChat access token refused (%s); fetching a new one", code)

    async def send_text(self, openid: str, text: str) -> None:
        """Customer-service text message(s) to ``openid``, long texts split."""
        for piece in split_text(text, CS_TEXT_CHARS):
            await self._send({"touser": openid, "msgtype": "text", "text": {"content": piece}})
