"""Schemathesis against the API's own OpenAPI document, in-process (WSGI), with a token
of the office and of a liaison: 0 server errors and 0 responses outside the document
(status codes, content types, headers, bodies), every check schemathesis runs by default.
Bounded (EXAMPLES per operation and token) so it takes about a minute on SQLite or
PostgreSQL.

The operations are driven with Hypothesis directly (schemathesis' own pytest plugin does
not yet run under pytest 9)."""

import contextvars

import schemathesis
from hypothesis import HealthCheck, given, settings

EXAMPLES = 10


class Isolated:
    """Each request in its own context (own app context and session), as in production."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        return contextvars.Context().run(self.app, environ, start_response)


def _run(operation, headers, failures):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(headers=headers)

    try:
        check()
    except Exception as exc:  # noqa: BLE001 - every failure is reported at the end
        failures.append(f"{operation.label}: {exc}"[:3000])


def test_api_conforms_to_its_document(app, api_world, tokens):
    app.config["TRACKER_API_RATE_LIMIT"] = "100000/minute"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", Isolated(app))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures = []
    for role in ("office", "liaison"):
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        for operation in operations:
            _run(operation, headers, failures)
    assert not failures, "\n\n".join(failures)
