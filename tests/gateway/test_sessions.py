import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from gateway import tokens
from gateway.sessions import (
    SessionError,
    SessionRequest,
    check_origin,
    find_tenant,
    open_session,
    verified_visitor_id,
    visitor_secret,
)
from shared.settings import Settings
from shared.tenants import Tenant, TenantDirectory

ACME = Tenant(id="acme", name="Acme", widget_key="pk_acme", identity_secret="acme-identity", widget={"layout": "x"})
GLOBEX = Tenant(id="globex", name="Globex", widget_key="pk_globex", allowed_origins=["https://globex.example"])
DIRECTORY = TenantDirectory(tenants=[ACME, GLOBEX])
WS = "ws://gw/v1/ws"


def _open(settings: Settings, tenant: Tenant = ACME, **body: object):
    return open_session(SessionRequest(widget_key=tenant.widget_key, **body), tenant, settings, WS)


def _hash(user_id: str, secret: str = "acme-identity") -> str:
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def test_new_session_makes_a_visitor_a_conversation_and_a_token_for_them(settings: Settings) -> None:
    session = _open(settings)
    claims = tokens.verify(settings.secret_key, session.token)
    assert claims.tenant == "acme"
    assert claims.visitor == session.visitor_id
    assert claims.conversation == session.conversation_id
    assert session.visitor_id.startswith("v_")
    assert session.tenant.widget == {"layout": "x"}
    assert session.ws_url == WS


def test_unknown_widget_key_is_404() -> None:
    with pytest.raises(SessionError) as info:
        find_tenant(DIRECTORY, "pk_nope")
    assert info.value.status == 404
    assert "pk_nope" in info.value.message


def test_previous_token_continues_the_conversation_even_expired(settings: Settings) -> None:
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    old = tokens.sign(settings.secret_key, "acme", "v_old", "conv_old", ttl_s=60, now=three_days_ago)
    session = _open(settings, previous_token=old)
    assert (session.visitor_id, session.conversation_id) == ("v_old", "conv_old")


def test_previous_token_of_another_tenant_or_forged_starts_fresh(settings: Settings) -> None:
    other = tokens.sign(settings.secret_key, "globex", "v_old", "conv_old", ttl_s=60)
    assert _open(settings, previous_token=other).conversation_id != "conv_old"
    forged = tokens.sign("someone-elses-secret-key", "acme", "v_old", "conv_old", ttl_s=60)
    assert _open(settings, previous_token=forged).conversation_id != "conv_old"


def test_identity_verification(settings: Settings) -> None:
    session = _open(settings, user_id="alice@example.com", user_hash=_hash("alice@example.com"))
    assert session.visitor_id == verified_visitor_id(ACME, "alice@example.com")
    assert session.visitor_id.startswith("u_")
    for bad in ({"user_hash": _hash("mallory")}, {"user_hash": "00"}, {}):
        with pytest.raises(SessionError) as info:
            _open(settings, user_id="alice@example.com", **bad)
        assert info.value.status == 401


def test_verified_conversation_continues_only_for_the_same_user(settings: Settings) -> None:
    alice = _open(settings, user_id="alice", user_hash=_hash("alice"))
    again = _open(settings, user_id="alice", user_hash=_hash("alice"), previous_token=alice.token)
    assert again.conversation_id == alice.conversation_id
    bob = _open(settings, user_id="bob", user_hash=_hash("bob"), previous_token=alice.token)
    assert bob.conversation_id != alice.conversation_id
    anonymous = _open(settings, previous_token=alice.token)
    assert anonymous.conversation_id != alice.conversation_id
    assert not anonymous.visitor_id.startswith("u_")


def test_anonymous_widget_cannot_claim_a_verified_visitor_id(settings: Settings) -> None:
    assert _open(settings, visitor_id="u_someone").visitor_id != "u_someone"
    assert _open(settings, user_id="alice", user_hash=_hash("alice")).visitor_secret is None


def test_an_anonymous_visitor_id_is_kept_only_with_its_secret(settings: Settings) -> None:
    first = _open(settings)
    assert first.visitor_secret == visitor_secret(settings.secret_key, ACME, first.visitor_id)
    kept = _open(settings, visitor_id=first.visitor_id, visitor_secret=first.visitor_secret)
    assert kept.visitor_id == first.visitor_id
    assert kept.conversation_id != first.conversation_id
    assert kept.visitor_secret == first.visitor_secret
    # Another client presenting the id without (or with a wrong, or another tenant's) secret gets a new visitor.
    other_tenant = visitor_secret(settings.secret_key, GLOBEX, first.visitor_id)
    for secret in (None, "0" * 64, other_tenant):
        stranger = _open(settings, visitor_id=first.visitor_id, visitor_secret=secret)
        assert stranger.visitor_id != first.visitor_id
        assert stranger.visitor_id.startswith("v_")
    # A valid previous token keeps working as before, secret or not.
    again = _open(settings, previous_token=first.token)
    assert (again.visitor_id, again.conversation_id) == (first.visitor_id, first.conversation_id)


def test_origin_check() -> None:
    check_origin(ACME, "https://anything.example")  # no list: any origin
    check_origin(GLOBEX, "https://globex.example/")
    check_origin(GLOBEX, None)
    with pytest.raises(SessionError) as info:
        check_origin(GLOBEX, "https://evil.example")
    assert info.value.status == 403
