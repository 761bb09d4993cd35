"""saved(): a form goes through its service once it is posted and valid; a refusal stays on the form."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from clientela.core.errors import DomainError
from clientela.core.forms import saved


class NameForm(forms.Form):
    name = forms.CharField()
    lock_version = forms.IntegerField(required=False)


def _request(method, data=None):
    request = getattr(RequestFactory(), method)("/", data or {})
    request._messages = CookieStorage(request)
    return request


def _said(request):
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def test_it_saves_the_cleaned_data_without_the_edit_version_and_says_so():
    request = _request("post", {"name": "Ana", "lock_version": "3"})
    got = []

    def save(data):
        got.append(data)
        return "record"

    assert saved(request, NameForm(request.POST), save, message="Guardado.") == "record"
    assert got == [{"name": "Ana"}]
    assert _said(request) == [("success", "Guardado.")]


def test_it_builds_the_message_from_the_saved_record():
    request = _request("post", {"name": "Ana"})
    saved(request, NameForm(request.POST), lambda data: data["name"], message=lambda name: f"{name} guardada.")
    assert _said(request) == [("success", "Ana guardada.")]


@pytest.mark.parametrize(("method", "data"), [("get", None), ("post", {"name": ""})])
def test_it_saves_nothing_until_the_form_is_posted_and_valid(method, data):
    request = _request(method, data)
    form = NameForm(request.POST or None)
    assert saved(request, form, lambda data: pytest.fail("saved"), message="Guardado.") is None
    assert _said(request) == []


@pytest.mark.parametrize(
    ("refusal", "field"),
    [(ValidationError({"name": "Ya existe."}), "name"), (DomainError("No se puede."), None)],
)
def test_it_shows_a_refusal_on_the_form_and_says_nothing_else(refusal, field):
    request = _request("post", {"name": "Ana"})
    form = NameForm(request.POST)

    def refuse(data):
        raise refusal

    assert saved(request, form, refuse, message="Guardado.") is None
    assert form.errors[field or "__all__"] and _said(request) == []
