"""The benchmark's own checks: generated data is valid and repeatable, the registries order and
skip correctly, and the query-count header counts what it says. Run with `pytest bench`."""

import hashlib
import random
import sqlite3
import subprocess
import sys

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from bench import common
from bench.generators import Generator, customers, ordered
from bench.generators.accounts import FIRST_NAMES, LAST_NAMES
from bench.wsgi import HEADER, with_query_count
from clientela.core.importing import normalise
from clientela.customers.validation import normalise_phone, normalise_tax_id

COUNTRIES = ["ES", "MX", "AR", "CO", "CL", "PE"]


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("kind", ["organization", "person"])
def test_generated_tax_ids_and_phones_are_what_the_services_would_store(country, kind):
    rng = random.Random(country + kind)
    for _ in range(300):
        number = customers.tax_id(rng, country, kind)
        assert normalise_tax_id(number, country) == number
        phone = customers.phone(rng, country)
        assert normalise_phone(phone, country) == phone


def test_the_search_fragment_names_about_one_organisation_in_two_hundred():
    assert customers.SEARCH_FRAGMENT in customers.NAMES and len(customers.NAMES) == 200
    fragment = normalise(customers.SEARCH_FRAGMENT)
    names = [*customers.NAMES, *customers.ACTIVITIES, *customers.ACTIVITIES.values(), *LAST_NAMES, *FIRST_NAMES]
    assert [name for name in names if fragment in normalise(name)] == [customers.SEARCH_FRAGMENT]


def test_generators_run_after_what_they_require():
    def noop(ctx):
        return {}

    gens = {
        "surveys": Generator("surveys", noop, ("customers",)),
        "customers": Generator("customers", noop, ("accounts",)),
        "accounts": Generator("accounts", noop),
        "complaints": Generator("complaints", noop, ("customers", "accounts")),
    }
    assert [g.name for g in ordered(gens)] == ["accounts", "customers", "complaints", "surveys"]
    with pytest.raises(ValueError, match="does not exist"):
        ordered({"x": Generator("x", noop, ("missing",))})
    with pytest.raises(ValueError, match="cycle"):
        ordered({"a": Generator("a", noop, ("b",)), "b": Generator("b", noop, ("a",))})


# What the generators write (the late ones work through the services, at the moment of the run).
TABLES = (
    "accounts_user",
    "customers_customer",
    "customers_contact",
    "customers_interaction",
    "feedback_feedback",
    "contracts_contract",
    "contracts_contractreview",
    "contracts_deliverable",
    "contracts_delivery",
    "surveys_survey",
    "surveys_question",
    "surveys_surveyinvitation",
    "surveys_surveyresponse",
    "surveys_answer",
    "surveys_followup",
)


def fingerprint(path) -> str:
    """A digest of every generated row (but `updated_at`, the moment of loading)."""
    digest = hashlib.sha256()
    with sqlite3.connect(path) as db:
        for table in TABLES:
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})") if row[1] not in ("updated_at",)]
            columns = [c for c in columns if c not in ("password", "last_login")]
            for row in db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id"):
                digest.update(repr(row).encode())
    return digest.hexdigest()


def test_generation_is_deterministic_for_a_seed_and_a_day(tmp_path):
    prints = []
    for run in range(2):
        env = dict(common.environment("XS", "sqlite"), CLIENTELA_BENCH_DIR=str(tmp_path / str(run)))
        command = [sys.executable, str(common.ROOT / "bench" / "generate.py"), "--scale", "XS", "--today", "2026-03-10"]
        subprocess.run([*command, "--quiet"], env=env, check=True, cwd=common.ROOT)
        prints.append(fingerprint(tmp_path / str(run) / "clientela-xs.sqlite3"))
    assert prints[0] == prints[1]


@pytest.fixture
def keep_the_test_connection():
    """Calling the WSGI application sends Django's request signals, whose handler closes a connection
    that is inside a transaction (the test's); on PostgreSQL that ends the test's connection, so the
    handler is detached here, exactly as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_the_test_connection")
def test_the_query_count_header_counts_queries_but_not_transaction_control():
    from django.core.wsgi import get_wsgi_application

    app = with_query_count(get_wsgi_application())
    environ = RequestFactory().get("/health/", HTTP_HOST="127.0.0.1").environ
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen.update(headers)

    app(environ, start_response)
    assert int(seen[HEADER]) >= 1  # the health check's SELECT 1
