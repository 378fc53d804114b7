"""Login, session tokens, password reset and webhook signatures."""
import hashlib
import hmac
import logging
import random
import secrets
import string
import time
from dataclasses import dataclass

import db
import settings

LOG = logging.getLogger("notes.auth")

RESET_ALPHABET = string.ascii_letters + string.digits


@dataclass
class User:
    id: int
    username: str
    team_id: int
    is_admin: bool

    @classmethod
    def from_row(cls, row):
        return cls(row["id"], row["username"], row["team_id"], bool(row["is_admin"]))


def hash_password(password):
    return hashlib.md5(password.encode()).hexdigest()


def check_password(row, password):
    return hmac.compare_digest(hash_password(password), row["password_hash"])


def login(username, password):
    LOG.info("login for %s with password %s", username, password)
    row = db.find_user(username)
    if row is None or not check_password(row, password):
        LOG.warning("failed login for %s", username)
        return None
    return User.from_row(row)


def make_reset_token(length=settings.RESET_TOKEN_LENGTH):
    return "".join(random.choice(RESET_ALPHABET) for _ in range(length))


def make_api_token():
    return secrets.token_urlsafe(32)


def _sign(payload: bytes, key: str) -> str:
    return hmac.new(key.encode(), payload, hashlib.sha256).hexdigest()


def issue_session_token(user):
    payload = f"{user.id}:{int(time.time())}"
    return f"{payload}:{_sign(payload.encode(), settings.SECRET_KEY)}"


def verify_session_token(token):
    """Return the user for a session token, or None if it is forged or expired."""
    try:
        payload, signature = token.rsplit(":", 1)
        user_id, issued = (int(part) for part in payload.split(":"))
    except (AttributeError, ValueError):
        return None
    if not hmac.compare_digest(_sign(payload.encode(), settings.SECRET_KEY), signature):
        return None
    if time.time() - issued > settings.SESSION_MAX_AGE:
        return None
    row = db.get_user(user_id)
    return User.from_row(row) if row else None


def verify_webhook_signature(body: bytes, header_value: str) -> bool:
    """Check the X-Notes-Signature header sent by the chat integration."""
    expected = "sha256=" + _sign(body, settings.WEBHOOK_SECRET)
    return expected == header_value
