"""Issue 20: schemathesis over every operation of the hub's OpenAPI document, against a real
hub (with its recorder) served on 127.0.0.1: positive and negative data with a valid token,
and requests without one. Every answer must be no 5xx and conform to the document (status
code documented, content type, body schema). All failures are gathered and reported together,
one line per operation.

Bounded: MAX_EXAMPLES cases per operation with the token (half positive, half negative data)
and NO_TOKEN_EXAMPLES without; about 50 operations make ~700 requests, well under 2 minutes on
a loaded 2-core machine. Generation is randomised (no example database), so a run explores
new inputs each time; a failure prints the operation, the check and a curl command."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import ApiEnv, start_env

pytestmark = pytest.mark.timeout(600)

# per operation with the token (positive and negative data); more for a deeper run by hand:
# HEARTHMIND_SCHEMATHESIS_EXAMPLES=100 .venv/bin/pytest tests/api/test_schemathesis.py
MAX_EXAMPLES = int(os.environ.get("HEARTHMIND_SCHEMATHESIS_EXAMPLES", "8"))
NO_TOKEN_EXAMPLES = 2  # per operation without a token: all 401
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# operations of modules other engineers are writing this session (api/spaces.py, the
# conversation and agent routes): a failure there is reported, not fixed here; listed with
# the reason when one is known to fail (none at the time of writing)
KNOWN_FAILING: dict[str, str] = {}


class ThreadedHub:
    """The API test hub (tests/api/conftest.py) in its own event loop on a thread: schemathesis
    calls it synchronously (requests), as any outside client would."""

    def __init__(self, tmp_path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.env: ApiEnv = self._run(start_env(tmp_path, record=True))

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=120)

    def stop(self) -> None:
        try:
            self._run(self.env.hub.async_stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=30)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[ThreadedHub]:
    threaded = ThreadedHub(tmp_path)
    yield threaded
    threaded.stop()


def _first_line(err: BaseException) -> str:
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return " | ".join(lines[:6])[:600]


def run_schemathesis(
    env: ApiEnv, spec: dict[str, Any], only: set[str] | None = None
) -> tuple[int, dict[str, str], dict[str, int]]:
    """(operations exercised, first failure per operation, request counts)."""
    schema = schemathesis.openapi.from_dict(spec)
    operations = [result.ok() for result in schema.get_all_operations()]
    if only is not None:
        operations = [op for op in operations if op.label in only]
    failures: dict[str, str] = {}
    counts = {"requests": 0, "5xx": 0}
    session = requests.Session()
    quiet = settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # failures are gathered, not raised: nothing to shrink
        suppress_health_check=list(HealthCheck),
    )

    def call(operation: Any, case: Any, headers: dict[str, str]) -> None:
        # sent with requests directly: schemathesis' own sender counts the connections of the
        # pool by a urllib3 internal that urllib3-future (installed beside it) lacks
        kwargs = case.as_transport_kwargs(base_url=env.url, headers=headers)
        response = session.request(**{**kwargs, "timeout": 60})
        counts["requests"] += 1
        counts["5xx"] += response.status_code >= 500
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as err:  # schemathesis' FailureGroup: checks failed
            failures.setdefault(operation.label, _first_line(err))

    def exercise(operation: Any) -> None:
        modes = st.sampled_from([GenerationMode.POSITIVE, GenerationMode.NEGATIVE])

        @quiet
        @given(data=st.data(), mode=modes)
        def with_token(data: st.DataObject, mode: GenerationMode) -> None:
            call(operation, data.draw(operation.as_strategy(generation_mode=mode)), env.headers)

        @settings(parent=quiet, max_examples=NO_TOKEN_EXAMPLES)
        @given(case=operation.as_strategy())
        def without_token(case: Any) -> None:
            call(operation, case, {})

        with_token()
        without_token()

    for operation in operations:
        exercise(operation)
    return len(operations), failures, counts


def test_schemathesis_every_operation(hub: ThreadedHub) -> None:
    env = hub.env
    spec = requests.get(f"{env.url}/openapi.json", timeout=60).json()
    operations, failures, counts = run_schemathesis(env, spec)
    assert operations >= 40, operations
    assert counts["requests"] >= operations * NO_TOKEN_EXAMPLES
    print(f"schemathesis: {operations} operations, {counts}, {len(failures)} failing")
    unexpected = {k: v for k, v in failures.items() if k not in KNOWN_FAILING}
    report = "\n".join(f"{label}: {why}" for label, why in sorted(unexpected.items()))
    assert not unexpected, f"{len(unexpected)} operations fail ({counts}):\n{report}"
    assert counts["5xx"] == 0 or set(failures) <= set(KNOWN_FAILING), counts
    # the hub served throughout and counted every bad request without failing
    assert "api_errors" not in env.hub.health.counts, env.hub.health.as_dict()


def test_schemathesis_sees_an_undocumented_answer(hub: ThreadedHub) -> None:
    """The harness can fail: a document that lies (GET /api/config answering a string, and
    no 401) is caught on both counts."""
    env = hub.env
    spec = requests.get(f"{env.url}/openapi.json", timeout=60).json()
    responses = spec["paths"]["/api/config"]["get"]["responses"]
    responses["200"]["content"]["application/json"]["schema"] = {"type": "string"}
    del responses["401"]
    _, failures, _ = run_schemathesis(env, spec, only={"GET /api/config"})
    why = failures["GET /api/config"]
    assert "schema" in why.lower() or "undocumented" in why.lower(), why
