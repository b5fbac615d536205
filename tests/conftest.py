"""Shared fixtures: real PostgreSQL and Mosquitto servers on loopback, started by the tests."""

from hypothesis import HealthCheck, settings

# Hypothesis' default 200 ms deadline per example and its too-slow health check are wall-clock
# bounds: on a busy 2-core machine an example that builds a whole hub takes longer, and the
# test fails for the machine, not for the code. Each test is bounded by pytest-timeout instead.
# A test that lists its own suppressed health checks names too_slow there as well.
settings.register_profile(
    "hearthmind", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("hearthmind")

pytest_plugins = ["tests.fixtures.postgres", "tests.fixtures.mosquitto", "tests.fixtures.data"]
