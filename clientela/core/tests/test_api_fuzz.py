"""Every API operation, fuzzed from the OpenAPI schema: no 5xx and responses that match the schema,
as an administrator and as a low-privilege role."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import DatabaseError, close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from clientela.accounts.models import ApiToken
from clientela.customers.tests.factories import ContactFactory, CustomerFactory, InteractionFactory

# Examples per operation: a quick pass by default, deeper in CI (CLIENTELA_FUZZ_EXAMPLES=25).
EXAMPLES = int(os.environ.get("CLIENTELA_FUZZ_EXAMPLES", "5"))

# The schema view is public and needs no database, so it can be loaded while tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The schema's WSGI client sends Django's request signals, whose handler closes a connection
    that is inside a transaction (the test's); on PostgreSQL that ends the test's connection, so the
    handler is detached for these tests, exactly as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(users):
    customer = CustomerFactory(account_manager=users["account_manager"])
    InteractionFactory(customer=customer, contact=ContactFactory(customer=customer))
    return customer


def _check(case, user) -> None:
    headers = {}
    if case.path != "/api/v1/auth/token/":
        _, raw = ApiToken.issue(user=user, name="fuzz")
        headers = {"Authorization": f"Bearer {raw}"}
    response = None
    try:
        # Each request in its own savepoint, as each has its own transaction on a server: a
        # statement the database refused (and the app answered with a 400) must not leave the
        # test's transaction aborted for the next example.
        with transaction.atomic():
            response = case.call(headers=headers)
    except DatabaseError:
        if response is None:
            raise
    case.validate_response(response, checks=(not_a_server_error, response_schema_conformance, content_type_conformance))


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_never_fails_for_an_administrator(case, users, seeded):
    _check(case, users["admin"])


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_never_fails_for_a_low_privilege_role(case, users, seeded):
    _check(case, users["operations"])
