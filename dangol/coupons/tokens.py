"""Signed coupon tokens for the QR code, checkable offline with the store's public key.

A token is ``DG1.<payload>.<signature>``: base64url without padding, the payload a
compact JSON object ``{"k": key id, "s": store id, "c": code, "e": expiry in unix
seconds}``, the signature Ed25519 over the ASCII text before the last dot.
Private keys are stored sealed with AES-GCM under a key derived from SECRET_KEY.
"""

import base64
import binascii
import json
import os
import re

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "DG1."
_B64 = re.compile(r"^[A-Za-z0-9_-]+$")
_SEAL_INFO = b"dangol.coupons.signing-key.v1"
_MAX_TOKEN = 400


class BadToken(Exception):
    """Any token that does not verify. Deliberately says nothing about why."""


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64u(text):
    if not _B64.match(text):
        raise BadToken
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise BadToken from None


def _sealing_key(secret):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SEAL_INFO).derive(secret.encode())


def new_key_pair():
    """(sealed private key, base64url raw public key) for a fresh Ed25519 key."""
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    nonce = os.urandom(12)
    sealed = nonce + AESGCM(_sealing_key(settings.SECRET_KEY)).encrypt(nonce, raw, _SEAL_INFO)
    return b64u(sealed), b64u(public)


def open_private_key(sealed):
    """The private key; tries SECRET_KEY_FALLBACKS so a secret rotation keeps old keys usable."""
    blob = unb64u(sealed)
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        try:
            raw = AESGCM(_sealing_key(secret)).decrypt(blob[:12], blob[12:], _SEAL_INFO)
        except InvalidTag:
            continue
        return Ed25519PrivateKey.from_private_bytes(raw)
    raise ValueError("cannot open this signing key with SECRET_KEY or its fallbacks")


def sign(payload, private_key):
    body = PREFIX + b64u(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return body + "." + b64u(private_key.sign(body.encode("ascii")))


def read_unverified(token, *, store_id=None):
    """(signed text, payload dict, signature) of a well-formed token (naming the store whose public id is
    `store_id`, when given); BadToken otherwise."""
    token = (token or "").strip()
    if len(token) > _MAX_TOKEN or not token.startswith(PREFIX) or token.count(".") != 2:
        raise BadToken
    body, _dot, signature = token.rpartition(".")
    try:
        payload = json.loads(unb64u(body[len(PREFIX) :]))
    except ValueError:
        raise BadToken from None
    if not isinstance(payload, dict) or set(payload) != {"k", "s", "c", "e"}:
        raise BadToken
    if not all(isinstance(payload[k], str) for k in "ksc") or type(payload["e"]) is not int:
        raise BadToken
    if store_id is not None and payload["s"] != store_id:
        raise BadToken
    return body, payload, unb64u(signature)


def check_signature(body, signature, public_b64):
    try:
        Ed25519PublicKey.from_public_bytes(unb64u(public_b64)).verify(signature, body.encode("ascii"))
    except (InvalidSignature, ValueError):
        raise BadToken from None


def looks_like_token(text):
    return (text or "").strip().startswith(PREFIX)
