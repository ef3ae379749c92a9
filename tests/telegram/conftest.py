"""The PostgreSQL fixtures of the store's tests, for the tests of several workers on one database."""

from tests.store.conftest import postgres_server, postgres_url

__all__ = ["postgres_server", "postgres_url"]
