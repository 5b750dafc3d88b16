"""Signed identities and e-mail codes: expiry, attempts, send limits, stored hashed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.access.identity import CodeVerifier, sign_identity, verify_signature
from bot.errors import RateLimited, VerificationFailed
from bot.store.db import Database
from bot.store.models import VerificationCode

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
EMAIL = "carol@example.com"


def test_signature_is_hmac_of_lowercased_email() -> None:
    signature = sign_identity("Carol@Example.com", "s3cret")
    assert verify_signature("carol@example.com", signature, "s3cret")
    assert verify_signature("carol@example.com", signature.upper(), "s3cret")
    assert not verify_signature("carol@example.com", signature, "other")
    assert not verify_signature("mallory@example.com", signature, "s3cret")
    assert not verify_signature("carol@example.com", signature, None)
    assert not verify_signature("carol@example.com", "", "s3cret")


def test_code_is_stored_hashed_and_accepted_once(db: Database) -> None:
    codes = CodeVerifier("k" * 32)
    with db.write() as session:
        issued = codes.issue(session, session_id="s1", email=EMAIL, now=NOW)
    with db.read() as session:
        stored = session.exec(select(VerificationCode)).one()
        assert issued.code not in stored.code_hash and len(stored.code_hash) == 64
        assert stored.expires_at == NOW + timedelta(minutes=10)
    with db.write() as session:
        codes.check(session, session_id="s1", email=EMAIL, code=issued.code, now=NOW + timedelta(minutes=9))
    with pytest.raises(VerificationFailed), db.write() as session:
        codes.check(session, session_id="s1", email=EMAIL, code=issued.code, now=NOW + timedelta(minutes=9))


def test_code_bound_to_its_session(db: Database) -> None:
    codes = CodeVerifier("k" * 32)
    with db.write() as session:
        issued = codes.issue(session, session_id="s1", email=EMAIL, now=NOW)
    with pytest.raises(VerificationFailed) as failure, db.write() as session:
        codes.check(session, session_id="other", email=EMAIL, code=issued.code, now=NOW)
    assert failure.value.code == "no_code"


def test_code_expires_after_ten_minutes(db: Database) -> None:
    codes = CodeVerifier("k" * 32)
    with db.write() as session:
        issued = codes.issue(session, session_id="s1", email=EMAIL, now=NOW)
    with pytest.raises(VerificationFailed) as failure, db.write() as session:
        codes.check(session, session_id="s1", email=EMAIL, code=issued.code, now=NOW + timedelta(minutes=10, seconds=1))
    assert failure.value.code == "expired"


def test_three_wrong_attempts_exhaust_the_code(db: Database) -> None:
    codes = CodeVerifier("k" * 32)
    with db.write() as session:
        issued = codes.issue(session, session_id="s1", email=EMAIL, now=NOW)
    wrong = "000000" if issued.code != "000000" else "111111"
    outcomes = []
    for _ in range(3):
        # Each attempt is committed even though it fails: the counter must survive.
        with db.write() as session:
            try:
                codes.check(session, session_id="s1", email=EMAIL, code=wrong, now=NOW)
            except VerificationFailed as exc:
                outcomes.append(exc.code)
    assert outcomes == ["wrong", "wrong", "exhausted"]
    with pytest.raises(VerificationFailed) as failure, db.write() as session:
        codes.check(session, session_id="s1", email=EMAIL, code=issued.code, now=NOW)
    assert failure.value.code == "exhausted"


def test_at_most_three_sends_per_session_and_address_per_fifteen_minutes(db: Database) -> None:
    codes = CodeVerifier("k" * 32)
    for minute in range(3):
        with db.write() as session:
            codes.issue(session, session_id="s1", email=EMAIL, now=NOW + timedelta(minutes=minute))
    with pytest.raises(RateLimited) as limited, db.write() as session:
        codes.issue(session, session_id="s1", email=EMAIL, now=NOW + timedelta(minutes=5))
    assert 0 < limited.value.retry_after <= 15 * 60
    with db.write() as session:  # someone else's requests never lock this address's owner out
        codes.issue(session, session_id="s9", email=EMAIL, now=NOW + timedelta(minutes=5))
    with db.write() as session:  # the window slides: the first send is now older than 15 minutes
        codes.issue(session, session_id="s1", email=EMAIL, now=NOW + timedelta(minutes=15, seconds=1))


def test_per_address_the_spacing_grows_after_five_sends_and_ten_a_day_is_the_cap(db: Database) -> None:
    codes = CodeVerifier("k" * 32)
    now = NOW
    for n in range(5):  # five sessions (strangers, say): no spacing yet
        with db.write() as session:
            codes.issue(session, session_id=f"a{n}", email=EMAIL, now=now)
    waits = []
    for n in range(5, 10):
        with pytest.raises(RateLimited) as spaced, db.write() as session:
            codes.issue(session, session_id=f"a{n}", email=EMAIL, now=now)
        waits.append(spaced.value.retry_after)
        now += timedelta(seconds=spaced.value.retry_after)
        with db.write() as session:
            codes.issue(session, session_id=f"a{n}", email=EMAIL, now=now)
    assert waits == [60, 120, 240, 480, 960]  # 1, 2, 4, 8, 16 minutes
    now += timedelta(hours=2)
    with pytest.raises(RateLimited, match="as many codes as we send in a day") as capped, db.write() as session:
        codes.issue(session, session_id="b1", email=EMAIL, now=now)
    assert capped.value.retry_after > 3600
    with db.write() as session:  # a day after the first, the count starts again
        codes.issue(session, session_id="b1", email=EMAIL, now=NOW + timedelta(days=1, seconds=1))
    with db.write() as session:  # and other addresses were never affected
        codes.issue(session, session_id="b2", email="other@example.com", now=now)
