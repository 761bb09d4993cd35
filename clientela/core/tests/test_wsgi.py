"""The production WSGI entry point reads the content types once, before its first request."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

import clientela.wsgi
from clientela.customers.models import Customer


@pytest.fixture
def connection_kept():
    """Called directly, the WSGI handler sends Django's request signals, whose handler would close
    the test's connection inside its transaction; detached here, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_the_first_request_of_a_process_reads_every_content_type_first(
    monkeypatch, connection_kept, django_assert_num_queries
):
    monkeypatch.setattr(clientela.wsgi, "_warmed", False)
    ContentType.objects.clear_cache()
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/health/",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
    }
    statuses = []
    body = clientela.wsgi.application(environ, lambda status, headers: statuses.append(status))
    b"".join(body)
    assert statuses and statuses[0].startswith("200")
    with django_assert_num_queries(0):  # read ahead: no query on first use
        ContentType.objects.get_for_model(Customer)
