"""Account and mail commands of the CLI: ``python -m core admin ...`` and ``python -m core mail ...``.

Whoever runs the CLI holds the store, so these act without a signed-in account: the first admin is created here,
and an operator without an SMTP server reads the queued mail here.
"""

from __future__ import annotations

import getpass
import json
import os
import sys

from sqlmodel import select

from core import accounts, mail
from core.config import get_settings
from core.db import session_scope
from core.models import User
from core.permissions import ROLES, InvalidInput

PASSWORD_ENV = "PEERSCOPE_ADMIN_PASSWORD"


def add_parsers(sub, common) -> None:
    ad = sub.add_parser("admin", parents=[common], help="create the first admin; list accounts; set roles")
    adsub = ad.add_subparsers(dest="admin_command", required=True)
    cr = adsub.add_parser("create", parents=[common], help="create an admin account")
    cr.add_argument("--email", required=True)
    cr.add_argument("--name", required=True, help="display name")
    cr.add_argument(
        "--password-stdin",
        action="store_true",
        help=f"read the password from stdin (else ${PASSWORD_ENV}, else a prompt)",
    )
    cr.set_defaults(func=cmd_admin_create)
    ro = adsub.add_parser("role", parents=[common], help="give a local account a role")
    ro.add_argument("email")
    ro.add_argument("role", choices=ROLES)
    ro.set_defaults(func=cmd_admin_role)
    ls = adsub.add_parser("list", parents=[common], help="list accounts")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_admin_list)

    ma = sub.add_parser("mail", parents=[common], help="queued mail: list it, or send it through PEERSCOPE_SMTP_URL")
    masub = ma.add_subparsers(dest="mail_command", required=True)
    ob = masub.add_parser("outbox", parents=[common], help="list queued (unsent) messages")
    ob.add_argument("--to", default=None, help="only messages to this address")
    ob.add_argument("--all", action="store_true", help="include sent messages")
    ob.add_argument("--json", action="store_true")
    ob.set_defaults(func=cmd_mail_outbox)
    se = masub.add_parser("send", parents=[common], help="send queued messages through PEERSCOPE_SMTP_URL")
    se.set_defaults(func=cmd_mail_send)


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    first = getpass.getpass("Password for the admin account: ")
    if getpass.getpass("Again: ") != first:
        raise InvalidInput("The two passwords differ.")
    return first


def cmd_admin_create(args, engine) -> int:
    password = _password(args)
    with session_scope(engine) as s:
        actor = accounts.create_admin(session=s, email=args.email, password=password, display_name=args.name)
    print(f"admin account created: {args.email.strip().lower()} (user id {actor.user_id})")
    return 0


def cmd_admin_role(args, engine) -> int:
    with session_scope(engine) as s:
        user = accounts.get_user_by_email(session=s, email=args.email)
        if user is None:
            raise InvalidInput(f"No local account with email {args.email!r}.")
        admin = s.exec(select(User).where(User.role == "admin", User.is_active.is_(True)).order_by(User.id)).first()
        if admin is None:
            raise InvalidInput("Create an admin first: python -m core admin create --email ... --name ...")
        accounts.set_role(session=s, actor=accounts.actor_for(admin), user_id=user.id, role=args.role)
    print(f"{args.email.strip().lower()} is now {args.role}")
    return 0


def cmd_admin_list(args, engine) -> int:
    with session_scope(engine) as s:
        rows = [
            {"id": u.id, "email": u.email, "name": u.display_name, "role": u.role, "provider": u.provider,
             "email_verified": u.email_verified, "active": u.is_active}
            for u in s.exec(select(User).order_by(User.id))
        ]  # fmt: skip
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for r in rows:
            flags = ("" if r["active"] else " (suspended)") + (" (email confirmed)" if r["email_verified"] else "")
            print(f"{r['id']:>5}  {r['role']:<9} {r['email'] or '-':<40} {r['name']}{flags}")
    return 0


def cmd_mail_outbox(args, engine) -> int:
    with session_scope(engine) as s:
        items = mail.outbox(session=s, to_address=args.to, unsent_only=not args.all)
    if args.json:
        print(json.dumps([{**i.__dict__, "created_at": i.created_at.isoformat(),
                           "sent_at": i.sent_at.isoformat() if i.sent_at else None} for i in items], indent=2))  # fmt: skip
        return 0
    if not items:
        print("the outbox is empty")
    for i in items:
        state = f"sent {i.sent_at:%Y-%m-%d %H:%M}" if i.sent_at else "queued"
        print(f"--- #{i.id} to {i.to_address} · {i.subject} · {state}\n{i.body}\n")
    return 0


def cmd_mail_send(args, engine) -> int:
    settings = get_settings()
    if not settings.smtp_url:
        raise InvalidInput("Set PEERSCOPE_SMTP_URL (smtp://user:password@host:587) to send mail.")
    with session_scope(engine) as s:
        result = mail.send_pending(session=s, smtp_url=settings.smtp_url, sender=settings.mail_from)
    print(f"sent {result['sent']} | failed {result['failed']}")
    return 0 if not result["failed"] else 1
