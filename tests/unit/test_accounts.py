"""Accounts: sign up, sign in (rate-limited), sign out, password change, OIDC accounts beside local ones, roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from core import accounts
from core.accounts import InvalidCredentials
from core.db import session_scope
from core.models import RateLimitEvent, User, utcnow
from core.permissions import Actor, InvalidInput, PermissionDenied, RateLimited, require_user

PW = "correct horse battery"


@pytest.fixture
def engine(empty_store):
    return empty_store


def _count(engine, model) -> int:
    with session_scope(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def _sign_up(engine, email="Ada@Example.org", name="Ada Lovelace", password=PW) -> Actor:
    with session_scope(engine) as s:
        return accounts.sign_up(session=s, actor=None, email=email, password=password, display_name=name)


def test_sign_up_stores_an_argon2id_hash_and_a_normalised_email(engine):
    me = _sign_up(engine, email="  Ada@Example.ORG ", name="  Ada Lovelace ")
    assert (me.role, me.display_name, me.epoch) == ("member", "Ada Lovelace", 0)
    with session_scope(engine) as s:
        u = s.get(User, me.user_id)
        assert (u.provider, u.subject, u.email, u.role, u.is_active) == (
            "local",
            "ada@example.org",
            "ada@example.org",
            "member",
            True,
        )
        assert u.password_hash.startswith("$argon2id$v=19$m=8192,t=1,p=1$")
        assert PW not in u.password_hash


@pytest.mark.parametrize(
    ("email", "password", "name", "message"),
    [
        ("not-an-email", PW, "Ada", "'not-an-email' is not an email address."),
        ("ada@example.org", "short", "Ada", "Choose a password of at least 10 characters."),
        ("ada@example.org", PW, "   ", "Display name cannot be empty."),
        ("ada@example.org", PW, "x" * 81, "Display name is too long: 81 characters, at most 80."),
    ],
)
def test_invalid_sign_up_raises_and_stores_nothing(engine, email, password, name, message):
    with pytest.raises(InvalidInput) as err:
        _sign_up(engine, email=email, password=password, name=name)
    assert str(err.value) == message
    assert _count(engine, User) == 0


def test_one_local_account_per_email_and_none_while_signed_in(engine):
    me = _sign_up(engine)
    with pytest.raises(InvalidInput, match="already exists"):
        _sign_up(engine, email="ADA@example.org")
    with session_scope(engine) as s, pytest.raises(PermissionDenied, match="already signed in"):
        accounts.sign_up(session=s, actor=me, email="b@example.org", password=PW, display_name="B")
    assert _count(engine, User) == 1


def test_user_text_is_stored_as_given(engine):
    me = _sign_up(engine, name="<script>alert('x')</script> **bold**")
    with session_scope(engine) as s:
        assert s.get(User, me.user_id).display_name == "<script>alert('x')</script> **bold**"


def test_sign_in_returns_the_same_actor_and_records_failures(engine):
    me = _sign_up(engine)
    with session_scope(engine) as s:
        assert accounts.sign_in(session=s, email="ADA@example.org ", password=PW) == me
    with pytest.raises(InvalidCredentials, match="^Email or password is wrong.$"), session_scope(engine) as s:
        accounts.sign_in(session=s, email="ada@example.org", password="wrong password")
    with pytest.raises(InvalidCredentials, match="^Email or password is wrong.$"), session_scope(engine) as s:
        accounts.sign_in(session=s, email="nobody@example.org", password=PW)
    # The failures survive the caller's rollback: they were committed before raising.
    with session_scope(engine) as s:
        rows = s.exec(select(RateLimitEvent.action, RateLimitEvent.key).order_by(RateLimitEvent.id)).all()
    assert rows == [("sign_in", "ada@example.org"), ("sign_in", "nobody@example.org")]


def test_sign_in_is_rate_limited_per_email_then_recovers(engine):
    _sign_up(engine)
    start = utcnow()
    for i in range(accounts.SIGN_IN_LIMIT):
        with pytest.raises(InvalidCredentials), session_scope(engine) as s:
            accounts.sign_in(
                session=s, email="ada@example.org", password="wrong password", now=start + timedelta(seconds=i)
            )
    # The sixth attempt is refused even with the right password; the oldest failure leaves the window at 15:00.
    with pytest.raises(RateLimited) as err, session_scope(engine) as s:
        accounts.sign_in(session=s, email="ada@example.org", password=PW, now=start + timedelta(minutes=5))
    assert err.value.retry_after == 601
    assert str(err.value) == "Too many failed sign-ins for this email: try again in 10 minutes."
    assert _count(engine, RateLimitEvent) == 5
    with session_scope(engine) as s:
        assert accounts.sign_in(session=s, email="ada@example.org", password=PW, now=start + timedelta(minutes=16))
    assert _count(engine, RateLimitEvent) == 0


def test_change_password_ends_other_sessions(engine):
    me = _sign_up(engine)
    with pytest.raises(InvalidCredentials, match="current password is wrong"), session_scope(engine) as s:
        accounts.change_password(
            session=s, actor=me, current_password="nope nope nope", new_password="another long one"
        )
    with session_scope(engine) as s:
        again = accounts.change_password(session=s, actor=me, current_password=PW, new_password="another long one")
    assert again.epoch == 1
    with session_scope(engine) as s:
        assert accounts.current_actor(session=s, actor=me) is None
        assert accounts.current_actor(session=s, actor=again) == again
        with pytest.raises(PermissionDenied, match="session has ended"):
            require_user(s, me)
    with pytest.raises(InvalidCredentials), session_scope(engine) as s:
        accounts.sign_in(session=s, email="ada@example.org", password=PW)
    with session_scope(engine) as s:
        assert accounts.sign_in(session=s, email="ada@example.org", password="another long one") == again


def test_sign_out_everywhere_ends_every_session(engine):
    me = _sign_up(engine)
    with session_scope(engine) as s:
        accounts.sign_out(session=s, actor=me)
        assert accounts.current_actor(session=s, actor=me) == me
        accounts.sign_out(session=s, actor=me, everywhere=True)
        assert accounts.current_actor(session=s, actor=me) is None
    with session_scope(engine) as s, pytest.raises(PermissionDenied, match="^Sign in to sign out.$"):
        accounts.sign_out(session=s, actor=None)


def test_provider_accounts_coexist_with_local_ones(engine):
    local = _sign_up(engine)
    with session_scope(engine) as s:
        first = accounts.sign_in_with_provider(
            session=s,
            provider="https://accounts.example.com",
            subject="1234",
            email="Ada@Example.org",
            display_name="Ada L",
        )
    with session_scope(engine) as s:
        again = accounts.sign_in_with_provider(session=s, provider="https://accounts.example.com", subject="1234")
        u = s.get(User, first.user_id)
        assert (u.provider, u.subject, u.email, u.password_hash) == (
            "https://accounts.example.com",
            "1234",
            "ada@example.org",
            None,
        )
        with pytest.raises(InvalidInput, match="has no password here"):
            accounts.change_password(session=s, actor=first, current_password=PW, new_password="another long one")
    assert again == first
    assert len({local.user_id, first.user_id}) == 2
    with session_scope(engine) as s, pytest.raises(InvalidInput, match="reserved"):
        accounts.sign_in_with_provider(session=s, provider="local", subject="ada@example.org")
    assert _count(engine, User) == 2


def test_roles_are_given_by_admins_and_the_last_admin_stays(engine):
    with session_scope(engine) as s:
        admin = accounts.create_admin(session=s, email="root@example.org", password=PW, display_name="Root")
    member = _sign_up(engine)
    assert admin.role == "admin"
    with session_scope(engine) as s, pytest.raises(PermissionDenied, match="^Only an admin can change roles.$"):
        accounts.set_role(session=s, actor=member, user_id=member.user_id, role="admin")
    with session_scope(engine) as s:
        accounts.set_role(session=s, actor=admin, user_id=member.user_id, role="moderator")
    with session_scope(engine) as s:
        assert accounts.current_actor(session=s, actor=member).role == "moderator"
        with pytest.raises(InvalidInput, match="last admin"):
            accounts.set_role(session=s, actor=admin, user_id=admin.user_id, role="member")
        with pytest.raises(InvalidInput, match="Role must be one of member, moderator, admin"):
            accounts.set_role(session=s, actor=admin, user_id=member.user_id, role="owner")


def test_suspended_accounts_can_neither_act_nor_sign_in(engine):
    with session_scope(engine) as s:
        admin = accounts.create_admin(session=s, email="root@example.org", password=PW, display_name="Root")
    member = _sign_up(engine)
    with session_scope(engine) as s:
        accounts.set_active(session=s, actor=admin, user_id=member.user_id, active=False)
    with session_scope(engine) as s, pytest.raises(PermissionDenied, match="closed or suspended"):
        require_user(s, member)
    with pytest.raises(InvalidCredentials, match="suspended"), session_scope(engine) as s:
        accounts.sign_in(session=s, email="ada@example.org", password=PW)
