"""API fuzzing: schemathesis generates requests for every operation of the
OpenAPI schema, with a bounded number of examples, and checks that no
response is a server error and every response matches the schema.

Bounded and repeatable: MAX_EXAMPLES cases per operation, derandomized (the
same cases on every run, so a failure reproduces), a few minutes at most on
a small machine. A 500 or a response that breaks its schema fails the
operation's subtest and so the test run (checked by making an endpoint
raise: pytest reports SUBFAILED and exits non-zero). The number of cases run
is written at the end of the module when it runs in one process
(`pytest tests/test_api_fuzz.py`); docs/RELIABILITY.md keeps the figures.
"""

import os
import zlib

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from xiezuo.accounts.models import APIToken, User

schema = schemathesis.pytest.from_fixture("api_schema")

# A deeper run for a release: XIEZUO_FUZZ_EXAMPLES=200 make test.
MAX_EXAMPLES = int(os.environ.get("XIEZUO_FUZZ_EXAMPLES", 25))
CASES = {"run": 0, "operations": set()}


@pytest.fixture(scope="module", autouse=True)
def report_cases(request):
    yield
    if CASES["run"]:
        # Past pytest's capture, so the figure shows in every run's output.
        capture = request.config.pluginmanager.getplugin("capturemanager")
        with capture.global_and_fixture_disabled():
            request.config.get_terminal_writer().line(
                f"\nschemathesis: {CASES['run']} cases over {len(CASES['operations'])} operations, "
                f"max_examples={MAX_EXAMPLES}, derandomized")


@pytest.fixture
def api_schema(db):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from xiezuo.wsgi import application

    # Like Django's test client: the real WSGI handler would close the
    # connection that holds the test's transaction after every request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    # The west office may write: the fuzzer reaches the write paths too.
    return APIToken.issue(User.objects.get(username="huangyuan"))


# The operations are cut into shards, each a test of its own, so that the
# suite's workers (`make test` runs pytest on both cores) share them; an
# operation's shard follows from its label, the same on every run.
SHARDS = 4
FUZZ = settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def shard(index):
    return schema.include(lambda ctx: zlib.crc32(ctx.operation.label.encode()) % SHARDS == index).parametrize()


def call_and_validate(case, token):
    CASES["run"] += 1
    CASES["operations"].add(case.operation.label)
    # Business rules (a duplicate year, a region outside the user's pairings)
    # rightly refuse some schema-valid bodies, so "positive data accepted" is
    # not a check here; every answer must still be documented and well-formed.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )


def fuzz_test(index):
    """The test of one shard: a function of its own, so each carries its own
    operations and settings."""
    @shard(index)
    @FUZZ
    def test(case, token):
        call_and_validate(case, token)

    return test


test_api_never_fails_and_matches_its_schema_0 = fuzz_test(0)
test_api_never_fails_and_matches_its_schema_1 = fuzz_test(1)
test_api_never_fails_and_matches_its_schema_2 = fuzz_test(2)
test_api_never_fails_and_matches_its_schema_3 = fuzz_test(3)
