"""Shared fixtures: real PostgreSQL and Mosquitto servers on loopback, started by the tests."""

pytest_plugins = ["tests.fixtures.postgres", "tests.fixtures.mosquitto", "tests.fixtures.data"]
