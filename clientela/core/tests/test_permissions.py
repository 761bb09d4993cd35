"""The permission table and the rule that every URL declares who may use it."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from clientela.core.permissions import PERMISSIONS, Role, has_perm
from clientela.customers.tests.factories import CustomerFactory

# Pages anyone may open (sign-in, password reset, public forms, health, schema and docs).
PUBLIC = {
    "accounts:login",
    "accounts:login_verify",
    "accounts:logout",
    "accounts:set_language",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "core:health",
    "feedback:public",
    "feedback:public_thanks",
    "feedback:public_status",
    "api-token",
    "api-schema",
    "api-docs",
    # Survey pages: reached with a single-use invitation token or a survey's open (kiosk) link.
    "survey_public:answer",
    "survey_public:thanks",
    "survey_public:opt_out",
    "survey_public:open",
    "survey_public:open_thanks",
}
# Pages every signed-in user may open (their own data only).
SIGNED_IN = {
    "core:home",
    "api-token-rotate",
    "api-token-revoke",
    "core:attachment_upload",
    "core:search",
    "core:history",
    "core:notifications",
    "core:notification_bell",
    "core:notification_read",
    "core:notification_open",
    "core:attachment",
    "core:import_upload",
    "core:import_template",
    "core:import_detail",
    "core:import_confirm",
    "accounts:profile",
    "accounts:twofactor_setup",
    "accounts:twofactor_disable",
    "accounts:token_create",
    "accounts:token_revoke",
    "accounts:password_change",
    "accounts:password_change_done",
}


def _patterns(resolver: URLResolver, namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, ns)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", pattern


def test_every_url_declares_a_permission_or_is_known_public():
    missing = []
    for name, pattern in _patterns(get_resolver()):
        callback = pattern.callback
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        declared = getattr(callback, "permission", None) or getattr(view_class, "permission", None)
        viewset_perms = getattr(view_class, "permissions", None)
        if declared:
            assert declared in PERMISSIONS, f"{name} declares unknown permission {declared}"
            continue
        if viewset_perms:
            actions = getattr(callback, "actions", {}) or {}
            for action in actions.values():
                assert action in viewset_perms, f"{name}: action {action} has no permission"
                assert viewset_perms[action] in PERMISSIONS
            continue
        if name in PUBLIC or name in SIGNED_IN or name.endswith("-root") or name == "None":
            continue
        missing.append(name)
    assert not missing, f"URLs without a permission rule: {missing}"


@pytest.mark.django_db
def test_admins_may_do_everything(users):
    for perm in PERMISSIONS:
        assert has_perm(users["admin"], perm)


@pytest.mark.django_db
def test_a_user_without_roles_may_do_nothing(users):
    assert not any(has_perm(users["nobody"], perm) for perm in PERMISSIONS)


@pytest.mark.django_db
def test_account_managers_edit_only_their_own_customers(users):
    mine = CustomerFactory(account_manager=users["account_manager"])
    other = CustomerFactory(account_manager=users["bob"])
    assert has_perm(users["account_manager"], "customers.change", mine)
    assert not has_perm(users["account_manager"], "customers.change", other)
    assert has_perm(users["sales_manager"], "customers.change", other)
    assert not has_perm(users["customer_service"], "customers.change", mine)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "perm", "allowed"),
    [
        (Role.MANAGEMENT, "indicators.set_targets", True),
        (Role.QUALITY, "indicators.set_targets", False),
        (Role.MANAGEMENT, "reviews.approve", True),
        (Role.QUALITY, "action_plans.verify", True),
        (Role.SALES_MANAGER, "action_plans.verify", False),
        (Role.SALES_MANAGER, "contracts.review", True),
        (Role.ACCOUNT_MANAGER, "contracts.review", False),
        (Role.OPERATIONS, "deliveries.add", True),
        (Role.OPERATIONS, "contracts.transition", False),
        (Role.CUSTOMER_SERVICE, "feedback.add", True),
        (Role.CUSTOMER_SERVICE, "contracts.view", False),
        (Role.OPERATIONS, "feedback.view", False),
        (Role.CUSTOMER_SERVICE, "customers.view", True),
        (Role.MANAGEMENT, "customers.change", False),
    ],
)
def test_role_rules_of_the_spec(users, role, perm, allowed):
    assert has_perm(users[role], perm) is allowed
