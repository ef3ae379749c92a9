"""Three worker processes (``python -m bot run``) on one PostgreSQL database, one of them killed
with SIGKILL again and again while residents walk their journeys (the leader, with long polling;
any, behind a load balancer with a webhook): no progress lost, no input handled twice
(benchmarks/failover.py at a test's size; the benchmark reports how long replies waited)."""

from __future__ import annotations

from benchmarks import failover


def test_killing_the_leading_worker_loses_nothing_and_handles_nothing_twice(postgres_server: str) -> None:
    result = failover.measure(residents=2, turns=None, kills=2, spread=(1.5, 2.5), linger=1.0, server=postgres_server)
    assert result["failover_kills"] == 2, result  # the leader was found and killed, twice
    assert result["failover_finished"], result
    assert result["failover_lost"] == 0 and result["failover_handled_twice"] == 0, result
    assert result["failover_log_errors"] == 0, result


def test_killing_workers_behind_a_load_balancer_loses_nothing(postgres_server: str) -> None:
    """Webhook: each worker answers Telegram only once the update is stored; a worker killed
    holding updates it stored leaves them to the leader's sweep, or to the chat's next update."""
    result = failover.measure(residents=2, turns=None, kills=3, spread=(1.0, 2.0), linger=1.0, server=postgres_server,
                              mode="webhook")
    assert result["failover_kills"] == 3 and result["failover_finished"], result
    assert result["failover_lost"] == 0 and result["failover_handled_twice"] == 0, result
    assert result["failover_log_errors"] == 0, result
