"""Hostile input: schemathesis over the whole OpenAPI document, every check on, as staff and as a resident.

Each operation gets generated requests (examples, boundary values and negative cases from the coverage phase,
random fuzzing) through the WSGI app; every response must be one the document declares (status, content type,
body shape, headers), no 5xx, data the document refuses refused, out-of-range ids and numbers refused cleanly.
Only logout is left out: it would revoke the token the rest of the run signs in with.

The budget is small in ``make test`` (about 8,000 requests, a few dozen seconds): staff get the deterministic
coverage phase (every boundary and negative case of every parameter; one unexpected method per path), a resident
3 random requests per operation. ``make fuzz`` (``FUZZ_EXAMPLES``, default 50) runs every phase for both, with
every unexpected method, on PostgreSQL too.

One check is refined, not dropped: data the document calls valid may still break a rule no schema can state
(closing after opening, a building this compound has): that 422 names the rule in Chinese and passes, while
marshmallow's own English messages ("Unknown field.", "Not a valid integer.") mean the document and the schema
disagree, and fail.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.test_votes_kit import item

LONG = "FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
SKIPPED_IN_SUITE = {"staff": "fuzzing", "resident": "coverage"}  # the phase each role leaves to `make fuzz`


@pytest.fixture
def seeded(kit, make):
    """Something behind the small ids the fuzzer tries: units, a bound resident, a published vote."""
    units = make.units(kit.compound, 4)
    resident = make.resident(units[0])
    kit.vote([item("rebuild", "加装电梯")])
    return {"staff": kit.h, "resident": make.headers(resident)}


@pytest.fixture
def api_schema(app, seeded, request):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Undeclared query parameters are ignored, as HTTP clients, caches and proxies add their own (webargs'
    # EXCLUDE for the query string); OpenAPI 3.0 cannot say so, so the fuzzer is told not to send them as errors.
    schema.config.generation.update(allow_extra_parameters=False)
    if not LONG:
        phases = schema.config.phases
        role = "resident" if "resident" in request.node.name else "staff"
        getattr(phases, SKIPPED_IN_SUITE[role]).enabled = False
        phases.coverage.unexpected_methods = {"trace"}
    return schema


schema = schemathesis.pytest.from_fixture("api_schema").exclude(path="/api/v1/auth/logout")


def _messages(errors):
    if isinstance(errors, dict):
        for value in errors.values():
            yield from _messages(value)
    elif isinstance(errors, list):
        for value in errors:
            yield from _messages(value) if not isinstance(value, str) else [value]
    elif isinstance(errors, str):
        yield errors


def positive_data_refused_only_by_rules(ctx, response, case):
    """``positive_data_acceptance``, with a 422 that names a rule of the domain (in Chinese) accepted."""
    if response.status_code == 422 and case.meta is not None and case.meta.generation.mode.is_positive:
        body = response.json()
        english = [m for m in _messages(body.get("errors")) if m.isascii()]
        assert not english, f"valid by the document, refused by the schema: {body}"
        return None
    return positive_data_acceptance(ctx, response, case)


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
# One half is enough for the suite's budget; `make fuzz` runs on both databases.
IN_SUITE = (lambda test: test) if LONG else pytest.mark.sqlite_only
CHECKS = {"excluded_checks": [positive_data_acceptance], "additional_checks": [positive_data_refused_only_by_rules]}


@IN_SUITE
@schema.parametrize()
@FUZZ
def test_staff_requests_keep_the_document(case, seeded):
    case.call_and_validate(headers=seeded["staff"], **CHECKS)


@IN_SUITE
@schema.parametrize()
@FUZZ
def test_resident_requests_keep_the_document(case, seeded):
    case.call_and_validate(headers=seeded["resident"], **CHECKS)
