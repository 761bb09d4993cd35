"""Shared fixtures: one user per role (SPEC §2), clients signed in as them, API clients with tokens."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.test import APIClient

from clientela.accounts.models import ApiToken, User
from clientela.core.permissions import Role

ROLE_USERS = {
    Role.ADMIN: ("ada", "Ada", "Admin"),
    Role.MANAGEMENT: ("mario", "Mario", "Dirección"),
    Role.QUALITY: ("quique", "Enrique", "Calidad"),
    Role.SALES_MANAGER: ("sara", "Sara", "Comercial"),
    Role.ACCOUNT_MANAGER: ("alice", "Alicia", "Cuentas"),
    Role.CUSTOMER_SERVICE: ("carlos", "Carlos", "Atención"),
    Role.OPERATIONS: ("oscar", "Óscar", "Operaciones"),
}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    def make(username: str, *roles: str, **fields) -> User:
        user = User.objects.create_user(
            username=username,
            password="correct horse battery",
            email=fields.pop("email", f"{username}@example.com"),
            **fields,
        )
        if roles:
            # Transactional tests flush the groups the data migration made; recreate them.
            user.groups.set([Group.objects.get_or_create(name=role)[0] for role in roles])
        return user

    return make


@pytest.fixture
def users(make_user) -> dict[str, User]:
    """One user per role, keyed by role code; `alice` is an account manager, `bob` another one."""
    made = {
        role.value: make_user(username, role.value, first_name=first, last_name=last)
        for role, (username, first, last) in ROLE_USERS.items()
    }
    made["bob"] = make_user("bob", Role.ACCOUNT_MANAGER, first_name="Roberto", last_name="Cuentas")
    made["nobody"] = make_user("nadie")
    return made


@pytest.fixture
def client_as(client, users) -> Callable:
    def login(role: str):
        client.force_login(users[role])
        return client

    return login


@pytest.fixture
def api_as(users) -> Callable[[str], APIClient]:
    def make(role: str) -> APIClient:
        api = APIClient()
        _, raw = ApiToken.issue(user=users[role], name="tests")
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return api

    return make
