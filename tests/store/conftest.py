"""The store's tests run against each backend, real databases both: SQLite in a temp dir, and
PostgreSQL (issue 15) in a schema of its own per test, dropped after it.

PostgreSQL is looked for at TEMAN_IKD_TEST_POSTGRES_URL (default: loopback, database ``test``).
When no server answers, its tests are skipped with the reason, unless TEMAN_IKD_TEST_POSTGRES
is ``required`` (as .ci/run sets it): then a missing server is an error, not a skip.

``reopen()`` opens another Store on the test's database (a restart of the bot); ``clock`` sets
the time the store writes."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.store import Store

Opener = Callable[..., Store]
POSTGRES_URL = os.environ.get("TEMAN_IKD_TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")


def _postgres_missing() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test]')"
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"no PostgreSQL answers at {POSTGRES_URL} ({str(exc).strip().splitlines()[0]})"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> str:
    missing = _postgres_missing()
    if missing is not None:
        if os.environ.get("TEMAN_IKD_TEST_POSTGRES") == "required":
            pytest.fail(f"TEMAN_IKD_TEST_POSTGRES=required, but {missing}", pytrace=False)
        pytest.skip(f"PostgreSQL tests need a server: {missing}")
    return POSTGRES_URL


def postgres_schema_url(base: str, schema: str) -> str:
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh schema on the server for one test; dropped after it."""
    import psycopg

    schema = f"teman_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield postgres_schema_url(postgres_server, schema)
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'teman.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def reopen(url: str) -> Iterator[Opener]:
    """Open a Store on the test's database (each call another one, as after a restart)."""
    opened: list[Store] = []

    def open_store(clock: Callable[[], float] | None = None) -> Store:
        store = Store(url) if clock is None else Store(url, clock=clock)
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        store.close()


@pytest.fixture
def store(reopen: Opener) -> Store:
    return reopen()
