"""``teman-ikd run`` on a database it cannot use: one line naming it (never its password) and
what is wrong, a non-zero exit; the same for SQLite and PostgreSQL (an unreachable server, a role
it does not know, a wrong password, a schema newer than this teman-ikd's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.store import Store
from bot.store.database import SchemaMismatch
from bot.store.health import database_problem
from tests.store.password_server import PasswordCheckingServer
from tests.telegram.test_startup_errors import one_line, run_bot

TOKEN = "123456:AAE-fake-token-for-startup-tests"


def test_a_database_of_a_newer_schema_is_refused_at_start(url: str, tmp_path: Path) -> None:
    store = Store(url)
    store.db.execute("UPDATE schema_version SET version = version + 1")
    newer = store.schema_version
    store.close()
    with pytest.raises(SchemaMismatch, match=f"version {newer}, newer than"):
        Store(url)
    line = one_line(run_bot("http://127.0.0.1:9", TOKEN, url, cwd=tmp_path), TOKEN)
    assert f"schema is version {newer}, newer than this teman-ikd's {newer - 1}" in line


def test_an_unreachable_postgresql_server_is_one_line_without_its_password(tmp_path: Path) -> None:
    url = "postgresql://teman:s3cret-pw@127.0.0.1:1/teman"  # nothing listens on port 1
    problem = database_problem(url)
    assert problem is not None and "127.0.0.1" in problem and "s3cret-pw" not in problem
    line = one_line(run_bot("http://127.0.0.1:9", TOKEN, url, cwd=tmp_path), TOKEN)
    assert line.startswith("teman-ikd: database postgresql://teman:***@127.0.0.1:1/teman cannot be used")
    assert "s3cret-pw" not in line


def test_a_role_the_server_does_not_know_is_one_line(postgres_server: str, tmp_path: Path) -> None:
    url = postgres_server.replace("postgresql://", "postgresql://no_such_teman_role:pw@", 1)
    line = one_line(run_bot("http://127.0.0.1:9", TOKEN, url, cwd=tmp_path), TOKEN)
    assert "no_such_teman_role" in line and "cannot be used" in line and ":pw@" not in line


def test_a_wrong_password_is_one_line_without_the_password(tmp_path: Path) -> None:
    # This machine's server trusts loopback and never asks for one: the listener asks and checks
    # as a server that does (tests/store/password_server.py), and libpq reports the refusal.
    with PasswordCheckingServer("the-right-pw") as server:
        url = f"postgresql://teman:wr0ng-pw-9@127.0.0.1:{server.port}/teman"
        line = one_line(run_bot("http://127.0.0.1:9", TOKEN, url, cwd=tmp_path), TOKEN)
    assert line.startswith(f"teman-ikd: database postgresql://teman:***@127.0.0.1:{server.port}/teman cannot be used")
    assert 'password authentication failed for user "teman"' in line
    assert line.endswith("check the user and password in TEMAN_IKD_DATABASE")
    assert "wr0ng-pw-9" not in line
    assert server.proofs and not any(server.proofs)  # the password was checked, and it was wrong
