"""WeChat signatures and the "safe mode" message encryption (AES-256-CBC, PKCS#7 to 32 bytes).

Layout of the encrypted plaintext, as WeChat documents it:
16 random bytes | 4-byte big-endian length | message | appid.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class WeChatCryptoError(ValueError):
    """The encrypted message is malformed or not meant for this account."""


def signature(*parts: str) -> str:
    """WeChat's SHA-1 over the sorted, concatenated parts."""
    # WeChat defines the signature as SHA-1: not our choice.
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()  # noqa: S324


def signature_ok(expected_parts: tuple[str, ...], given: str) -> bool:
    """Constant-time comparison of a request's signature."""
    # Bytes, not str: compare_digest refuses non-ASCII str, and a forged header may hold any.
    return hmac.compare_digest(
        signature(*expected_parts).encode(),
        (given or "").lower().encode("utf-8", "surrogateescape"),
    )


class WeChatCipher:
    """Encrypt/decrypt for one account (``aes_key`` is the 43-character EncodingAESKey)."""

    def __init__(self, aes_key: str, appid: str) -> None:
        if len(aes_key) != 43:
            raise WeChatCryptoError("IPPC_WECHAT_AES_KEY must be 43 characters")
        try:
            self.key = base64.b64decode(aes_key + "=")
        except ValueError as error:
            raise WeChatCryptoError("IPPC_WECHAT_AES_KEY is not valid base64") from error
        if len(self.key) != 32:
            raise WeChatCryptoError("IPPC_WECHAT_AES_KEY does not decode to 32 bytes")
        self.appid = appid

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, text: str, random: bytes | None = None) -> str:
        body = text.encode("utf-8")
        plain = (random or os.urandom(16)) + struct.pack(">I", len(body)) + body
        plain += self.appid.encode("utf-8")
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except ValueError as error:
            raise WeChatCryptoError("Encrypt is not base64") from error
        if not data or len(data) % 16:
            raise WeChatCryptoError("Encrypt has a bad length")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise WeChatCryptoError("bad padding")
        plain = plain[:-pad]
        if len(plain) < 20:
            raise WeChatCryptoError("message too short")
        (length,) = struct.unpack(">I", plain[16:20])
        body, appid = plain[20 : 20 + length], plain[20 + length :]
        if len(body) != length or appid.decode("utf-8", "replace") != self.appid:
            raise WeChatCryptoError("message is not for this AppID")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise WeChatCryptoError("message is not UTF-8") from error
