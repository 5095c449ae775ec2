"""Bad input at volume on the staff console's forms: login, the ticket actions (claim, reply,
transfer, close), new staff accounts and the review filters. Whatever is posted, the answer is
below 500 and nothing is logged as an error. The real console on a migrated SQLite database."""

from __future__ import annotations

import re
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.db import get_engine
from core.migrate import upgrade
from handoff.auth import add_staff
from handoff.console import create_app
from handoff.models import STATUSES
from handoff.review import MAX_KEYWORD_CHARS
from handoff.settings import get_handoff_settings
from handoff.tickets import Line, open_ticket
from tests.channels.channels_harness import serve_aiohttp
from tests.fuzz.background import BackgroundLoop
from tests.fuzz.conftest import ErrorRecords

pytestmark = pytest.mark.fuzz

PASSWORD = "fuzzing horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@dataclass
class Console:
    base: str
    url: str  # its database
    ticket_id: int
    admin: requests.Session | None = None  # logged in before the login form is fuzzed

    def session(self, username: str = "fuzzadmin") -> requests.Session:
        http = requests.Session()
        page = http.get(f"{self.base}/login", timeout=30)
        token = CSRF.search(page.text).group(1)
        response = http.post(
            f"{self.base}/login",
            data={"csrf_token": token, "username": username, "password": PASSWORD},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text
        return http

    def csrf(self, http: requests.Session, path: str = "/queue") -> str:
        return CSRF.search(http.get(f"{self.base}{path}", timeout=30).text).group(1)


@pytest.fixture(scope="module")
def console(background: BackgroundLoop) -> Iterator[Console]:
    with (
        tempfile.TemporaryDirectory(prefix="ippc-fuzz-console-") as folder,
        pytest.MonkeyPatch.context() as environment,
    ):
        url = f"sqlite:///{Path(folder) / 'handoff.db'}"
        # The console process and the push outbox share one database, as in production.
        environment.setenv("IPPC_DATABASE_URL", url)
        upgrade(url)
        add_staff("fuzzadmin", PASSWORD, role="admin", url=url)
        now = datetime.now(timezone.utc)
        ticket_id = open_ticket(
            f"fuzz-{uuid.uuid4().hex[:8]}", "rest", "user_request",
            [Line("user", "转人工", now, "human_handoff", "human_handoff", 0.97)], url=url,
        )  # fmt: skip

        async def make_app():  # the aiohttp application
            return create_app(url=url, settings=get_handoff_settings())

        base = background.enter(serve_aiohttp(background.run(make_app())))
        console = Console(base, url, ticket_id)
        console.admin = console.session()
        try:
            yield console
        finally:
            get_engine(url).dispose()


@pytest.fixture(scope="module")
def admin(console: Console) -> requests.Session:
    return console.admin


field_text = st.text(max_size=200)
form_values = st.one_of(field_text, st.integers().map(str), st.just(""), st.text(max_size=3000))


@FUZZ
@given(
    username=field_text, password=field_text, with_token=st.booleans(),
    extra=st.dictionaries(st.text(max_size=10), field_text, max_size=3),
)  # fmt: skip
def test_login_form(
    console: Console,
    logged_errors: ErrorRecords,
    username,
    password,
    with_token,
    extra,
) -> None:
    http = requests.Session()
    page = http.get(f"{console.base}/login", timeout=30)
    data = {**extra, "username": username, "password": password}
    if with_token:
        data["csrf_token"] = CSRF.search(page.text).group(1)
    response = http.post(f"{console.base}/login", data=data, allow_redirects=False, timeout=30)
    assert response.status_code < 500, response.text[:300]
    assert not logged_errors.messages()


@FUZZ
@given(
    action=st.sampled_from(["claim", "reply", "transfer", "close"]) | st.text(max_size=12),
    ticket=st.one_of(st.just(None), st.integers(-5, 10**12).map(str), st.text(max_size=12)),
    form=st.dictionaries(
        st.sampled_from(["text", "to", "assignee", "note", "reason", "outcome", "x"]),
        form_values, max_size=4,
    ),
)  # fmt: skip
def test_ticket_action_forms(
    console: Console,
    admin: requests.Session,
    logged_errors: ErrorRecords,
    action,
    ticket,
    form,
) -> None:
    ticket_id = str(console.ticket_id) if ticket is None else ticket
    path = f"/tickets/{requests.utils.quote(ticket_id, safe='')}/{requests.utils.quote(action, safe='')}"
    data = {**form, "csrf_token": console.csrf(admin)}
    response = admin.post(f"{console.base}{path}", data=data, allow_redirects=False, timeout=30)
    assert response.status_code < 500, response.text[:300]
    assert not logged_errors.messages()


@FUZZ
@given(
    form=st.fixed_dictionaries(
        {"username": field_text, "password": field_text},
        optional={"role": st.sampled_from(["agent", "admin", "supervisor"]) | field_text,
                  "display_name": field_text, "center": field_text},
    )
)  # fmt: skip
def test_new_staff_form(
    console: Console,
    admin: requests.Session,
    logged_errors: ErrorRecords,
    form,
) -> None:
    data = {**form, "csrf_token": console.csrf(admin, "/staff")}
    response = admin.post(f"{console.base}/staff", data=data, allow_redirects=False, timeout=30)
    assert response.status_code < 500, response.text[:300]
    assert not logged_errors.messages()


def iso_or_none(value: str) -> date | None | bool:
    """A review date as staff type it: blank is no filter, else exactly YYYY-MM-DD (False:
    refused)."""
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return False


def filter_is_valid(query: dict[str, str]) -> bool:
    """Independently of the console: which review filters must be accepted."""
    days = [iso_or_none(query.get(name, "")) for name in ("date_from", "date_to")]
    if False in days:
        return False
    if days[0] and days[1] and days[0] > days[1]:
        return False
    status = query.get("status", "").strip()
    if status and status not in STATUSES:
        return False
    return len(query.get("keyword", "").strip()) <= MAX_KEYWORD_CHARS


day_text = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)).map(str)
review_values = {
    "date_from": st.one_of(day_text, day_text.map(lambda d: f" {d} "), field_text),
    "date_to": st.one_of(day_text, field_text, st.just("")),
    "keyword": st.one_of(
        field_text,
        st.sampled_from(["转人工", "人工", "%", "_", "\\", "'", "%_\\'\""]),
        st.text(min_size=MAX_KEYWORD_CHARS - 2, max_size=MAX_KEYWORD_CHARS + 3),
    ),
    "status": st.sampled_from(STATUSES) | field_text,
    "topic": st.sampled_from(["human_handoff", ""]) | field_text,
    "channel": st.sampled_from(["rest", "webchat", "wechat"]) | field_text,
    "page": field_text,  # not a filter: ignored
}


@FUZZ
@given(
    query=st.fixed_dictionaries({}, optional=review_values),
    kind=st.sampled_from(["csv", "json"]) | st.text(max_size=6),
)
def test_review_filters(
    console: Console,
    admin: requests.Session,
    logged_errors: ErrorRecords,
    query,
    kind,
) -> None:
    """The real filter names (date_from, date_to, keyword ...): a valid filter is answered,
    an invalid one gets 400 with its reason, and the JSON export holds only what matches."""
    valid = filter_is_valid(query)
    page = admin.get(f"{console.base}/review", params=query, timeout=30)
    assert page.status_code == (200 if valid else 400), (query, page.text[:300])
    export = admin.get(
        f"{console.base}/review/export.{requests.utils.quote(kind, safe='')}",
        params=query,
        timeout=30,
    )
    if kind not in ("csv", "json"):
        assert export.status_code == 404
    else:
        assert export.status_code == (200 if valid else 400), (query, export.text[:300])
    if kind == "json" and valid:
        tickets = export.json()
        for ticket in tickets:
            if query.get("status", "").strip():
                assert ticket["status"] == query["status"].strip()
            if query.get("channel", "").strip():
                assert ticket["channel"] == query["channel"].strip()[:64]
        keyword = query.get("keyword", "").strip()
        only_keyword = not any(v.strip() for k, v in query.items() if k not in ("keyword", "page"))
        if only_keyword and keyword and keyword in "转人工":
            assert console.ticket_id in [t["id"] for t in tickets], query
    assert not logged_errors.messages()
