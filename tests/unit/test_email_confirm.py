"""Confirming an account's email address (code mailed through the outbox), the mailer, and the claim it enables."""

from __future__ import annotations

import re
import socketserver
import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from core import accounts, claims, email_confirm, mail
from core.db import session_scope
from core.models import EmailConfirmation, Institution, OutboxMessage, Researcher, ResearcherInstitution, User, utcnow
from core.permissions import InvalidInput, PermissionDenied, RateLimited
from tests.unit.test_cli import run

PW = "correct horse battery"


def _sign_up(engine, email: str, name: str = "Zhongwang Zhang"):
    with session_scope(engine) as s:
        return accounts.sign_up(session=s, actor=None, email=email, password=PW, display_name=name)


def _code_in_outbox(engine, email: str) -> str:
    with session_scope(engine) as s:
        newest = mail.outbox(session=s, to_address=email)[0]
    assert newest.kind == "email_confirmation" and newest.subject == "Your Peerscope confirmation code"
    return re.search(r"code is (\d{6})\.", newest.body).group(1)


def _confirm(engine, me, code: str) -> None:
    with session_scope(engine) as s:
        email_confirm.confirm_code(session=s, actor=me, code=code)


def test_the_mailed_code_confirms_the_address_and_only_a_hash_is_stored(empty_store):
    me = _sign_up(empty_store, "zz@cs.bangor.ac.uk")
    with session_scope(empty_store) as s:
        assert email_confirm.send_code(session=s, actor=me) == "zz@cs.bangor.ac.uk"
    code = _code_in_outbox(empty_store, "zz@cs.bangor.ac.uk")
    with session_scope(empty_store) as s:
        row = s.exec(select(EmailConfirmation)).one()
        assert code not in row.code_hash and len(row.code_hash) == 64
        assert s.get(User, me.user_id).email_verified is False
    _confirm(empty_store, me, f" {code[:3]} {code[3:]} ")  # spaces as people type them
    with session_scope(empty_store) as s:
        assert s.get(User, me.user_id).email_verified is True
        assert accounts.user_read(session=s, user_id=me.user_id).email_verified is True
        with pytest.raises(InvalidInput, match="already confirmed"):
            email_confirm.send_code(session=s, actor=me)
    with session_scope(empty_store) as s, pytest.raises(InvalidInput, match="No code is waiting"):
        email_confirm.confirm_code(session=s, actor=me, code=code)  # used once


def test_wrong_codes_count_even_though_the_request_fails_and_lock_the_code(empty_store):
    me = _sign_up(empty_store, "zz@example.org")
    with session_scope(empty_store) as s:
        email_confirm.send_code(session=s, actor=me)
    code = _code_in_outbox(empty_store, "zz@example.org")
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(InvalidInput, match=f"not right \\({left} tries left\\)"):
            _confirm(empty_store, me, wrong)
    with pytest.raises(InvalidInput, match="^That code is not right.$"):
        _confirm(empty_store, me, wrong)
    with pytest.raises(PermissionDenied, match="Too many wrong codes"):
        _confirm(empty_store, me, code)  # even the right one, now
    with session_scope(empty_store) as s:
        assert s.get(User, me.user_id).email_verified is False


@pytest.mark.parametrize("bad", ["", "12345", "1234567", "abcdef", "12 34 5x", None])
def test_malformed_codes_are_refused_without_spending_a_try(empty_store, bad):
    me = _sign_up(empty_store, "zz@example.org")
    with session_scope(empty_store) as s:
        email_confirm.send_code(session=s, actor=me)
    with pytest.raises(InvalidInput, match="The code has 6 digits"):
        _confirm(empty_store, me, bad)
    with session_scope(empty_store) as s:
        assert s.exec(select(EmailConfirmation)).one().attempts == 0


def test_codes_expire_a_new_code_replaces_the_old_and_sending_is_rate_limited(empty_store):
    me = _sign_up(empty_store, "zz@example.org")
    t0 = utcnow()
    with session_scope(empty_store) as s:
        email_confirm.send_code(session=s, actor=me, now=t0)
    first = _code_in_outbox(empty_store, "zz@example.org")
    with session_scope(empty_store) as s, pytest.raises(InvalidInput, match="expired"):
        email_confirm.confirm_code(session=s, actor=me, code=first, now=t0 + timedelta(minutes=31))
    with session_scope(empty_store) as s:
        email_confirm.send_code(session=s, actor=me, now=t0 + timedelta(minutes=1))
        email_confirm.send_code(session=s, actor=me, now=t0 + timedelta(minutes=2))
    with session_scope(empty_store) as s, pytest.raises(RateLimited, match="Too many codes sent"):
        email_confirm.send_code(session=s, actor=me, now=t0 + timedelta(minutes=3))
    newest = _code_in_outbox(empty_store, "zz@example.org")
    if newest != first:
        with pytest.raises(InvalidInput, match="No code is waiting|not right"):
            _confirm(empty_store, me, first)  # superseded
    _confirm(empty_store, me, newest)
    with session_scope(empty_store) as s:
        assert s.exec(select(OutboxMessage)).all().__len__() == 3


def test_anonymous_visitors_cannot_ask_for_or_use_codes(empty_store):
    with session_scope(empty_store) as s:
        with pytest.raises(PermissionDenied, match="Sign in to confirm an email address"):
            email_confirm.send_code(session=s, actor=None)
        with pytest.raises(PermissionDenied, match="Sign in to confirm an email address"):
            email_confirm.confirm_code(session=s, actor=None, code="123456")


def test_a_confirmed_address_at_an_affiliated_domain_verifies_a_claim_at_once(seeded_store):
    with session_scope(seeded_store) as s:
        rid = s.exec(select(Researcher.id).where(Researcher.display_name == "Zhongwang Zhang")).one()
        inst = Institution(name="Shanghai Jiao Tong University", homepage="https://www.sjtu.edu.cn/")
        s.add(inst)
        s.flush()
        s.add(ResearcherInstitution(researcher_id=rid, institution_id=inst.id))
    me = _sign_up(seeded_store, "zz@sjtu.edu.cn")
    with session_scope(seeded_store) as s:
        before = claims.open_claim(
            session=s, actor=me, researcher_id=rid, evidence_kind="email", evidence="zz@sjtu.edu.cn"
        )
        assert before.status == "pending"  # typed, not proved
        claims.withdraw_claim(session=s, actor=me, claim_id=before.id)
        email_confirm.send_code(session=s, actor=me)
    _confirm(seeded_store, me, _code_in_outbox(seeded_store, "zz@sjtu.edu.cn"))
    with session_scope(seeded_store) as s:
        c = claims.open_claim(session=s, actor=me, researcher_id=rid, evidence_kind="email", evidence="zz@sjtu.edu.cn")
        assert (c.status, c.verified_by) == ("verified", "auto:email")
        assert s.get(Researcher, rid).trust_level == "L3"


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) to accept messages: the mailer talks to a real socket."""

    def handle(self):
        srv = self.server
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            cmd = line.decode().strip().upper()
            if cmd.startswith("EHLO"):
                self.wfile.write(b"250-test\r\n250 8BITMIME\r\n")
            elif cmd.startswith("RCPT") and srv.refuse and srv.refuse.upper() in cmd:
                self.wfile.write(b"550 no such user\r\n")
            elif cmd == "DATA":
                self.wfile.write(b"354 go on\r\n")
                body = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(chunk.decode())
                srv.received.append("".join(body))
                self.wfile.write(b"250 queued\r\n")
            elif cmd == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    srv.received, srv.refuse = [], None
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_the_mailer_sends_queued_mail_and_keeps_failures_for_the_next_run(empty_store, smtp_server):
    with session_scope(empty_store) as s:
        mail.queue(session=s, to_address="a@example.org", subject="Hello", body="First body", kind="test")
        mail.queue(session=s, to_address="bounce@example.org", subject="Hi", body="Second body", kind="test")
    smtp_server.refuse = "bounce@example.org"
    url = f"smtp://127.0.0.1:{smtp_server.server_address[1]}"
    with session_scope(empty_store) as s:
        assert mail.send_pending(session=s, smtp_url=url, sender="Peerscope <no-reply@example.org>") == {
            "sent": 1, "failed": 1,
        }  # fmt: skip
    assert len(smtp_server.received) == 1 and "First body" in smtp_server.received[0]
    assert "Subject: Hello" in smtp_server.received[0] and "To: a@example.org" in smtp_server.received[0]
    with session_scope(empty_store) as s:
        left = mail.outbox(session=s)
        assert [(m.to_address, m.attempts) for m in left] == [("bounce@example.org", 1)]
        assert "no such user" in left[0].last_error
        assert len(mail.outbox(session=s, unsent_only=False)) == 2
    with pytest.raises(ValueError, match="PEERSCOPE_SMTP_URL must look like"):
        with session_scope(empty_store) as s:
            mail.send_pending(session=s, smtp_url="http://example.org", sender="x@example.org")


def test_cli_creates_the_first_admin_lists_accounts_sets_roles_and_reads_the_outbox(db_url, monkeypatch):
    monkeypatch.setenv("PEERSCOPE_ADMIN_PASSWORD", PW)
    res = run("admin", "create", "--email", "Root@Example.org", "--name", "Root", db=db_url)
    assert (res.returncode, res.stdout) == (0, "admin account created: root@example.org (user id 1)\n")
    again = run("admin", "create", "--email", "root@example.org", "--name", "Root", db=db_url)
    assert (again.returncode, again.stderr) == (
        2,
        "error: An account with this email already exists: sign in instead.\n",
    )
    from core.db import make_engine

    eng = make_engine(db_url)
    me = _sign_up(eng, "mod@example.org", "Mod")
    with session_scope(eng) as s:
        email_confirm.send_code(session=s, actor=me)
    eng.dispose()
    assert (
        run("admin", "role", "mod@example.org", "moderator", db=db_url).stdout == "mod@example.org is now moderator\n"
    )
    assert run("admin", "role", "nobody@example.org", "moderator", db=db_url).returncode == 2
    listing = run("admin", "list", db=db_url).stdout.splitlines()
    assert [line.split()[1:3] for line in listing] == [["admin", "root@example.org"], ["moderator", "mod@example.org"]]
    outbox = run("mail", "outbox", "--to", "mod@example.org", db=db_url).stdout
    assert re.search(
        r"to mod@example.org · Your Peerscope confirmation code · queued\nYour confirmation code is \d{6}\.", outbox
    )
    monkeypatch.delenv("PEERSCOPE_SMTP_URL", raising=False)
    from core.config import get_settings

    get_settings.cache_clear()
    assert run("mail", "send", db=db_url).returncode == 2
