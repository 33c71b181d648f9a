from datetime import UTC, datetime, timedelta

import jwt
import pytest

from gateway import tokens

SECRET = "test-secret-key-0123456789"


def test_sign_and_verify_round_trip() -> None:
    token = tokens.sign(SECRET, "acme", "v_1", "conv1", ttl_s=60)
    claims = tokens.verify(SECRET, token)
    assert (claims.tenant, claims.visitor, claims.conversation) == ("acme", "v_1", "conv1")
    assert claims.expires_at > datetime.now(UTC)


def test_wrong_secret_is_refused() -> None:
    token = tokens.sign(SECRET, "acme", "v_1", "conv1", ttl_s=60)
    with pytest.raises(tokens.TokenError, match="signed by this server"):
        tokens.verify("another-secret-key-0123456", token)


def test_expired_token_is_refused_unless_within_grace() -> None:
    past = datetime.now(UTC) - timedelta(days=2)
    token = tokens.sign(SECRET, "acme", "v_1", "conv1", ttl_s=60, now=past)
    with pytest.raises(tokens.TokenError, match="expired"):
        tokens.verify(SECRET, token)
    assert tokens.verify(SECRET, token, expired_grace=tokens.PREVIOUS_TOKEN_GRACE).conversation == "conv1"


def test_token_expired_beyond_grace_is_refused() -> None:
    long_ago = datetime.now(UTC) - timedelta(days=40)
    token = tokens.sign(SECRET, "acme", "v_1", "conv1", ttl_s=60, now=long_ago)
    with pytest.raises(tokens.TokenError):
        tokens.verify(SECRET, token, expired_grace=tokens.PREVIOUS_TOKEN_GRACE)


def test_garbage_and_missing_claims_are_refused() -> None:
    with pytest.raises(tokens.TokenError):
        tokens.verify(SECRET, "not-a-jwt")
    # Correctly signed, but without the claims a visitor token carries.
    unscoped = jwt.encode({"exp": 4102444800, "tenant": "acme"}, tokens._key(SECRET), algorithm="HS256")
    with pytest.raises(tokens.TokenError, match="claims"):
        tokens.verify(SECRET, unscoped)


def test_unsigned_token_is_refused() -> None:
    forged = jwt.encode(
        {"tenant": "acme", "visitor": "v", "conversation": "c", "exp": 4102444800}, key=None, algorithm="none"
    )
    with pytest.raises(tokens.TokenError):
        tokens.verify(SECRET, forged)
