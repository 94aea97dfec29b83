"""Schemathesis fuzzes every operation of /api/openapi.json through the WSGI app with an
admin's token: no 5xx, only documented status codes and content types, and responses that
match their documented schema. A few examples per operation keep the run to about a minute
on two cores; raise PARLEY_FUZZ_EXAMPLES for a deeper run."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from oauth2_provider.models import get_access_token_model
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from parley.accounts.models import Role

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("PARLEY_FUZZ_EXAMPLES", "6"))
# The coverage phase (boundary values, every undeclared method) multiplies the run time;
# examples and fuzzing (positive and negative data) stay.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_wsgi(
    "/api/openapi.json", get_wsgi_application(), config=CONFIG
)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Django's test client stops requests from closing the database connection; a bare
    WSGI call does not, and on PostgreSQL that would end the test's transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(make_member, oauth_app, other_member) -> str:
    admin = make_member("fuzzadmin", role=Role.ADMIN)
    token = get_access_token_model().objects.create(
        user=admin,
        application=oauth_app,
        token="fuzz-admin-token",
        expires=timezone.now() + timedelta(days=1),
        scope="read write follow push admin:read admin:write",
    )
    from parley.posts.services import create_post

    create_post(other_member, "something to find #fuzz")
    return token.token


def test_the_document_is_json_and_describes_errors():
    document = schema.raw_schema
    assert document["paths"]["/api/v1/statuses"]["post"]["responses"]["422"]
    assert "/oauth/token" in document["paths"]
    assert not any(path.endswith("/") for path in document["paths"])


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_operations_behave_as_documented(case, admin_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"}, checks=CHECKS)
