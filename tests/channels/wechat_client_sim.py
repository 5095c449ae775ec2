"""What WeChat's servers do, written independently of channels.wechat_crypto: sign requests,
encrypt messages in safe mode, and read encrypted replies."""

from __future__ import annotations

import base64
import hashlib
import os
import struct
import time
from xml.etree import ElementTree

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

TOKEN = "wechat-test-token"
APPID = "wx1234567890abcdef"
SECRET = "wechat-app-secret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters
OPENID = "oUser_openid_0001"
ACCOUNT = "gh_ippc_account"


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signed_query(timestamp: str | None = None, nonce: str = "n0nce", token: str = TOKEN) -> dict:
    """Signed as WeChat signs; the timestamp is now unless given (old ones are refused)."""
    timestamp = timestamp or str(int(time.time()))
    return {"timestamp": timestamp, "nonce": nonce, "signature": sign(token, timestamp, nonce)}


def text_xml(content: str, msg_id: int, openid: str = OPENID) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>1700000000</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


def typed_xml(msg_type: str, extra: str = "", msg_id: int | None = None) -> str:
    msg = f"<MsgId>{msg_id}</MsgId>" if msg_id is not None else ""
    return (
        f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>{OPENID}</FromUserName>"
        f"<CreateTime>1700000001</CreateTime><MsgType>{msg_type}</MsgType>{extra}{msg}</xml>"
    )


def _key() -> bytes:
    return base64.b64decode(AES_KEY + "=")


def encrypt(xml: str) -> str:
    body = xml.encode()
    plain = os.urandom(16) + struct.pack(">I", len(body)) + body + APPID.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(_key()), modes.CBC(_key()[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(encrypted: str) -> str:
    decryptor = Cipher(algorithms.AES(_key()), modes.CBC(_key()[:16])).decryptor()
    plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    plain = plain[: -plain[-1]]
    (length,) = struct.unpack(">I", plain[16:20])
    assert plain[20 + length :].decode() == APPID
    return plain[20 : 20 + length].decode()


def fields(xml: str) -> dict[str, str]:
    return {child.tag: child.text or "" for child in ElementTree.fromstring(xml)}
