"""No resident ID number in clear in API answers, DEBUG logs or the database.

``assert_no_clear_id`` is the reusable scan: give it any text (a response body, captured log
output, a dump of a table, a rendered page) and the number that must not appear in it.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from liveport.buyers.domain import synthetic_id_number
from liveport.buyers.models import Identity
from liveport.logging_setup import configure_logging
from liveport.schema import metadata

_SEPARATORS = re.compile(r"[\s\-_.,/]")


def assert_no_clear_id(text: str, id_number: str, where: str = "text") -> None:
    """Fail if ``text`` carries ``id_number`` in clear, in any case or split by separators.

    Besides the whole number it looks for its first 17 digits (the number without, or with a
    differently written, check character) and for the ten middle characters that the mask
    ``1101**********1234`` hides: any of them in clear is a leak.
    """
    number = id_number.strip().upper()
    assert len(number) == 18, "give the scan a full ID number"
    haystacks = (text.upper(), _SEPARATORS.sub("", text.upper()))
    for needle, what in (
        (number, "the whole number"),
        (number[:17], "its first 17 digits"),
        (number[4:14], "the ten digits the mask hides"),
    ):
        for haystack in haystacks:
            at = haystack.find(needle)
            if at >= 0:
                context = haystack[max(0, at - 40) : at + 58].replace(needle, "<HERE>")
                pytest.fail(
                    f"{where} carries {what} of {number[:4]}**********{number[-4:]} "
                    f"in clear: …{context}…"
                )


def test_the_scan_finds_clear_numbers_in_any_case_and_spacing():
    number = "11010519491231002X"
    assert_no_clear_id("masked 1101**********002X", number)
    for leaky in (
        "id 11010519491231002x",
        "110105 19491231 002X",
        "id=11010519491231002?",
        "born 0519491231 ok",
    ):
        with pytest.raises(pytest.fail.Exception):
            assert_no_clear_id(leaky, number)


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """Everything the root logger emits at DEBUG, as the configured handlers would see it.

    The capture handler goes first and has no masking filter, on purpose: the configured
    handlers' filter rewrites records in place, so a handler after it would only see masked
    text. The code must not hand an ID number to logging at all; the filter is a second line
    of defence, not the thing under test. SQLAlchemy keeps
    its own logger at WARNING; it is opened too, so every SQL statement and its parameters
    (what someone debugging in production would switch on) are scanned as well.
    """
    root, sql = logging.getLogger(), logging.getLogger("sqlalchemy.engine")
    level, sql_level = root.level, sql.level
    configure_logging("DEBUG")
    sql.setLevel(logging.INFO)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.handlers.insert(0, handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        sql.setLevel(sql_level)


def _person_with_x(registered):
    # The lower-case x must be normalised, encrypted and masked like any other number.
    n = next(
        n for n in range(100, 200) if synthetic_id_number(30_000_000 + n * 1000 + 7).endswith("X")
    )
    return registered(n, full_name="马丽")


def _dump_database(db) -> str:
    lines = []
    with db.reader() as session:
        for table in metadata().sorted_tables:
            for row in session.execute(text(f'SELECT * FROM "{table.name}"')):
                lines.append(f"{table.name}: {tuple(row)!r}")
    return "\n".join(lines)


def test_no_id_number_in_clear_in_answers_logs_or_database(
    client, login_as, registered, identity_sandbox, app_context, debug_log
):
    # given a person whose number ends in X, another person, and two buyers
    person, other = _person_with_x(registered), registered(101, full_name="郭涛")
    buyer, second = login_as("buyer"), login_as("buyer")
    body = {
        "full_name": person.full_name,
        "id_number": person.id_number.lower(),
        "phone": person.phone,
        "consent": True,
    }
    wrong = person.id_number[:17] + ("0" if person.id_number[17] != "0" else "1")
    answers = []

    # when every route that takes or shows an identity is used, including its failures
    answers.append(
        client.post("/api/v1/me/identity", headers=buyer, json={**body, "consent": False})
    )
    answers.append(
        client.post("/api/v1/me/identity", headers=buyer, json={**body, "id_number": wrong})
    )
    identity_sandbox.inject_fault(503)
    answers.append(client.post("/api/v1/me/identity", headers=buyer, json=body))
    answers.append(client.post("/api/v1/me/identity", headers=buyer, json=body))
    answers.append(client.post("/api/v1/me/identity", headers=buyer, json=body))
    answers.append(
        client.post(
            "/api/v1/me/identity", headers=buyer, json={**body, "id_number": other.id_number}
        )
    )
    answers.append(
        client.post("/api/v1/me/identity", headers=second, json={**body, "full_name": "马力"})
    )
    answers.append(client.get("/api/v1/me/identity", headers=buyer))
    answers.append(client.get("/api/v1/me", headers=buyer))
    answers.append(client.get("/api/v1/me/consents", headers=buyer))
    answers.append(client.get("/api/v1/me/export", headers=buyer))
    provisioned = client.post(
        "/api/v1/users/provision", headers=login_as("operator"), json={"role": "buyer", "count": 5}
    )
    answers.append(provisioned)

    # then the calls did what they should (so the scan is not of empty answers) ...
    assert [a.status_code for a in answers] == [
        422,
        422,
        503,
        201,
        201,
        409,
        422,
        200,
        200,
        200,
        200,
        201,
    ]
    assert (
        answers[7].json()["id_number"]
        == person.id_number[:4] + "**********" + person.id_number[-4:]
    )
    # ... and the pages the verified buyer sees, signed in by the session cookie
    session_token = buyer["Authorization"].removeprefix("Bearer ")
    client.cookies.set("lp_session", session_token)
    for page in ("/", "/?lang=en", "/signin"):
        shown = client.get(page)
        assert shown.status_code == 200
        assert "buyer" in shown.text  # the signed-in buyer's name is on the page
        answers.append(shown)
    with app_context.db.reader() as session:
        stored = session.scalar(select(Identity).where(Identity.full_name == "马丽"))
        assert app_context.identity.decrypt(stored.id_cipher) == person.id_number
    logs = debug_log.getvalue()
    assert "INSERT INTO identities" in logs  # SQL with its parameters was logged at DEBUG
    # ... and no number appears in clear anywhere
    provisioned_numbers = [synthetic_id_number(u["user_id"]) for u in provisioned.json()]
    database = _dump_database(app_context.db)
    for number in [person.id_number, other.id_number, wrong, *provisioned_numbers]:
        for i, answer in enumerate(answers):
            assert_no_clear_id(answer.text, number, where=f"answer {i} ({answer.request.url.path})")
            assert_no_clear_id(str(answer.headers), number, where=f"headers of answer {i}")
        assert_no_clear_id(logs, number, where="the DEBUG log")
        assert_no_clear_id(database, number, where="the database")
