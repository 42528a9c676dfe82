"""Collections: named lists of saved works, private or public, with a note per work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, select

from core.models import Collection, CollectionItem, User, Work, utcnow
from core.permissions import Actor, InvalidInput, PermissionDenied, clean_text, require_user

NAME_MAX = 120
NOTE_MAX = 2000


@dataclass(frozen=True)
class CollectionItemRead:
    work_id: int
    title: str
    year: int | None
    note: str | None
    added_at: datetime


@dataclass(frozen=True)
class CollectionRead:
    id: int
    name: str
    is_public: bool
    owner_id: int
    owner_name: str
    items: int
    updated_at: datetime


def _own(session: Session, actor: Actor | None, collection_id: int, doing: str) -> Collection:
    user = require_user(session, actor, doing=doing)
    c = session.get(Collection, collection_id)
    if c is None:
        raise InvalidInput(f"There is no collection {collection_id}.")
    if c.user_id != user.id:
        raise PermissionDenied(f"Only the owner of this collection can {doing}.")
    return c


def _name(session: Session, user_id: int, name: str, except_id: int | None = None) -> str:
    name = clean_text(name, field="Collection name", max_len=NAME_MAX)
    q = select(Collection.id).where(Collection.user_id == user_id, Collection.name == name)
    if except_id is not None:
        q = q.where(Collection.id != except_id)
    if session.exec(q).first() is not None:
        raise InvalidInput(f"You already have a collection named {name!r}.")
    return name


def create_collection(*, session: Session, actor: Actor | None, name: str, is_public: bool = False) -> int:
    """A new empty collection of the actor's; returns its id."""
    user = require_user(session, actor, doing="create collections")
    c = Collection(user_id=user.id, name=_name(session, user.id, name), is_public=bool(is_public))
    session.add(c)
    session.flush()
    return c.id


def update_collection(
    *, session: Session, actor: Actor | None, collection_id: int, name: str | None = None, is_public: bool | None = None
) -> None:
    """Rename a collection or make it public / private."""
    c = _own(session, actor, collection_id, "change this collection")
    if name is not None:
        c.name = _name(session, c.user_id, name, except_id=c.id)
    if is_public is not None:
        c.is_public = bool(is_public)
    c.updated_at = utcnow()
    session.add(c)
    session.flush()


def delete_collection(*, session: Session, actor: Actor | None, collection_id: int) -> None:
    """Delete a collection and its items (the works themselves stay)."""
    c = _own(session, actor, collection_id, "delete this collection")
    session.exec(delete(CollectionItem).where(CollectionItem.collection_id == c.id))
    session.delete(c)
    session.flush()


def save_work(
    *, session: Session, actor: Actor | None, collection_id: int, work_id: int, note: str | None = None
) -> None:
    """Put a work into a collection (or replace its note when it is there already)."""
    c = _own(session, actor, collection_id, "add works to this collection")
    if session.get(Work, work_id) is None:
        raise InvalidInput(f"There is no work {work_id}.")
    note = clean_text(note, field="Note", max_len=NOTE_MAX, required=False) or None
    item = session.get(CollectionItem, (c.id, work_id))
    if item is None:
        item = CollectionItem(collection_id=c.id, work_id=work_id, note=note)
    else:
        item.note = note
    c.updated_at = utcnow()
    session.add_all([item, c])
    session.flush()


def remove_work(*, session: Session, actor: Actor | None, collection_id: int, work_id: int) -> None:
    c = _own(session, actor, collection_id, "remove works from this collection")
    n = session.exec(
        delete(CollectionItem).where(CollectionItem.collection_id == c.id, CollectionItem.work_id == work_id)
    ).rowcount
    if not n:
        raise InvalidInput("This work is not in the collection.")


def _read(session: Session, c: Collection) -> CollectionRead:
    n = session.exec(select(func.count()).select_from(CollectionItem).where(CollectionItem.collection_id == c.id)).one()
    owner = session.get(User, c.user_id)
    return CollectionRead(c.id, c.name, c.is_public, c.user_id, owner.display_name, n, c.updated_at)


def my_collections(*, session: Session, actor: Actor | None) -> list[CollectionRead]:
    """The actor's collections, by name."""
    user = require_user(session, actor, doing="see your collections")
    rows = session.exec(select(Collection).where(Collection.user_id == user.id).order_by(Collection.name)).all()
    return [_read(session, c) for c in rows]


def public_collections(*, session: Session, user_id: int) -> list[CollectionRead]:
    """A person's public collections, by name (what anyone sees on their page)."""
    rows = session.exec(
        select(Collection).where(Collection.user_id == user_id, Collection.is_public).order_by(Collection.name)
    ).all()
    return [_read(session, c) for c in rows]


def collection_items(*, session: Session, actor: Actor | None, collection_id: int) -> list[CollectionItemRead]:
    """A collection's works, newest saved first: anyone for a public collection, only its owner for a private one."""
    c = session.get(Collection, collection_id)
    if c is None:
        raise InvalidInput(f"There is no collection {collection_id}.")
    if not c.is_public:
        user = require_user(session, actor, doing="see this private collection")
        if user.id != c.user_id:
            raise PermissionDenied("This collection is private.")
    rows = session.exec(
        select(CollectionItem, Work.title, Work.year)
        .join(Work, Work.id == CollectionItem.work_id)
        .where(CollectionItem.collection_id == c.id)
        .order_by(CollectionItem.added_at.desc(), CollectionItem.work_id)
    ).all()
    return [CollectionItemRead(i.work_id, title, year, i.note, i.added_at) for i, title, year in rows]
