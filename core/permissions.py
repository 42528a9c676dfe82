"""Who is acting and what they may do: the ``Actor`` value, the errors every write raises, and the checks.

Every write in ``core.accounts``, ``core.claims``, ``core.social``, ``core.reviews`` and ``core.discussion`` takes
``actor=`` (an ``Actor``, or ``None`` for an anonymous visitor) and calls one of the checks here before touching the
store. The role is read from the store on every write, not trusted from the ``Actor``: a demoted moderator or a
deactivated account loses its rights at once, and an ``Actor`` from before a password change or "sign out
everywhere" (an older ``epoch``) is refused.

>>> clean_text("  hello  ", field="Comment", max_len=10)
'hello'
>>> role_at_least("admin", "moderator"), role_at_least("member", "moderator")
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from core.models import ProfileOwner, User

ROLES = ("member", "moderator", "admin")


class PermissionDenied(PermissionError):
    """The actor may not do this; ``str()`` says why, in words a person understands."""


class InvalidInput(ValueError):
    """What was submitted cannot be stored; ``str()`` says what to change. The store is left untouched."""


class RateLimited(PermissionDenied):
    """Too many attempts in a short time; ``retry_after`` is the number of seconds to wait."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Actor:
    """A signed-in account as pages hold it in ``st.session_state``; anonymous visitors are ``None``."""

    user_id: int
    role: str = "member"
    display_name: str = ""
    epoch: int = 0


def role_at_least(role: str, needed: str) -> bool:
    """Whether ``role`` ranks at or above ``needed`` in member < moderator < admin."""
    return ROLES.index(role) >= ROLES.index(needed)


def require_user(session: Session, actor: Actor | None, *, doing: str = "do this") -> User:
    """The acting account, fresh from the store; ``PermissionDenied`` for anonymous, deactivated or stale actors."""
    if actor is None:
        raise PermissionDenied(f"Sign in to {doing}.")
    user = session.get(User, actor.user_id)
    if user is None or not user.is_active:
        raise PermissionDenied(f"This account cannot {doing}: it is closed or suspended.")
    if user.session_epoch != actor.epoch:
        raise PermissionDenied(
            f"Your session has ended (signed out elsewhere or password changed): sign in to {doing}."
        )
    return user


def require_role(session: Session, actor: Actor | None, needed: str, *, doing: str = "do this") -> User:
    """Like ``require_user``, and the account's current role must rank at or above ``needed``."""
    user = require_user(session, actor, doing=doing)
    if not role_at_least(user.role, needed):
        raise PermissionDenied(f"Only {'an' if needed[0] in 'aeiou' else 'a'} {needed} can {doing}.")
    return user


def owner_of(session: Session, researcher_id: int) -> int | None:
    """The user id of a profile's verified owner, or ``None``."""
    row = session.get(ProfileOwner, researcher_id)
    return row.user_id if row else None


def require_owner(
    session: Session, actor: Actor | None, researcher_id: int, *, doing: str = "edit this profile"
) -> User:
    """The acting account, which must be the verified owner of the profile."""
    user = require_user(session, actor, doing=doing)
    if owner_of(session, researcher_id) != user.id:
        raise PermissionDenied(f"Only the verified owner of this profile can {doing}.")
    return user


def is_verified(session: Session, user_id: int) -> bool:
    """Whether the account owns a verified claim (its follows and reviews count for trust)."""
    return session.exec(select(ProfileOwner.researcher_id).where(ProfileOwner.user_id == user_id)).first() is not None


def verified_user_ids(session: Session) -> set[int]:
    """Accounts that own a verified claim (L3 profiles): the only followers and reviewers trust counts."""
    return set(session.exec(select(ProfileOwner.user_id)).all())


def clean_text(value: str | None, *, field: str, max_len: int, required: bool = True) -> str:
    """``value`` stripped and length-checked, stored as given otherwise (pages render it as text).

    Raises ``InvalidInput`` naming the field when it is empty (and required) or too long.
    """
    text = (value or "").strip()
    if "\x00" in text:
        raise InvalidInput(f"{field} contains a null character.")
    if required and not text:
        raise InvalidInput(f"{field} cannot be empty.")
    if len(text) > max_len:
        raise InvalidInput(f"{field} is too long: {len(text)} characters, at most {max_len}.")
    return text
