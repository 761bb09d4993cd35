"""Who may do what: the roles of SPEC §2 and every permission rule of the application.

Views declare the permission they need (`permission = "customers.change"`), the API maps actions
to permissions, templates ask `{% can "customers.change" customer as ok %}`; all of them end in
`has_perm(user, perm, obj)`. A rule without an object answers "may this user do it to some
record?"; with an object it answers for that record.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGEMENT = "management", _("Top management")
    QUALITY = "quality", _("Quality representative")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    OPERATIONS = "operations", _("Operations team")


ADMIN = Role.ADMIN.value
MANAGEMENT = Role.MANAGEMENT.value
QUALITY = Role.QUALITY.value
SALES_MANAGER = Role.SALES_MANAGER.value
ACCOUNT_MANAGER = Role.ACCOUNT_MANAGER.value
CUSTOMER_SERVICE = Role.CUSTOMER_SERVICE.value
OPERATIONS = Role.OPERATIONS.value
ALL_ROLES = frozenset(Role.values)


def roles_of(user: Any) -> frozenset[str]:
    """The user's role codes, read once per user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_clientela_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) & ALL_ROLES
        if user.is_superuser:
            cached |= {ADMIN}
        user._clientela_roles = cached
    return cached


class Rule:
    """A predicate over (user, obj) that composes with | and &."""

    def __init__(self, test: Callable[[Any, Any], bool], name: str) -> None:
        self.test = test
        self.name = name

    def __call__(self, user: Any, obj: Any = None) -> bool:
        return bool(self.test(user, obj))

    def __or__(self, other: "Rule") -> "Rule":
        return Rule(lambda u, o: self(u, o) or other(u, o), f"({self.name} | {other.name})")

    def __and__(self, other: "Rule") -> "Rule":
        return Rule(lambda u, o: self(u, o) and other(u, o), f"({self.name} & {other.name})")

    def __repr__(self) -> str:
        return f"<Rule {self.name}>"


def role(*codes: str) -> Rule:
    wanted = frozenset(codes)
    return Rule(lambda user, obj: bool(roles_of(user) & wanted), "role(" + ",".join(sorted(wanted)) + ")")


def object_rule(test: Callable[[Any, Any], bool]) -> Rule:
    """A rule about a particular record; without a record it does not restrict."""
    return Rule(lambda user, obj: obj is None or test(user, obj), test.__name__)


def customer_of(obj: Any) -> Any:
    """The customer a record belongs to (itself for a customer), or None."""
    if obj is None:
        return None
    if hasattr(obj, "account_manager_id"):
        return obj
    for path in ("customer", "contract", "deliverable", "feedback", "plan"):
        parent = getattr(obj, path, None)
        if parent is not None and parent is not obj:
            return customer_of(parent)
    return None


@object_rule
def manages_customer(user: Any, obj: Any) -> bool:
    customer = customer_of(obj)
    return customer is not None and customer.account_manager_id == user.pk


@object_rule
def is_assignee(user: Any, obj: Any) -> bool:
    return getattr(obj, "assigned_to_id", None) == user.pk


@object_rule
def is_unassigned(user: Any, obj: Any) -> bool:
    return getattr(obj, "assigned_to_id", None) is None


@object_rule
def is_owner(user: Any, obj: Any) -> bool:
    return getattr(obj, "owner_id", None) == user.pk


@object_rule
def owns_plan(user: Any, obj: Any) -> bool:
    plan = getattr(obj, "plan", None)
    return plan is not None and plan.owner_id == user.pk


@object_rule
def is_author(user: Any, obj: Any) -> bool:
    return user.pk in {getattr(obj, "user_id", None), getattr(obj, "created_by_id", None)}


@object_rule
def is_recorder(user: Any, obj: Any) -> bool:
    return getattr(obj, "recorded_by_id", None) == user.pk


@object_rule
def is_self(user: Any, obj: Any) -> bool:
    return getattr(obj, "pk", None) == user.pk or getattr(obj, "user_id", None) == user.pk


@object_rule
def is_draft(user: Any, obj: Any) -> bool:
    return getattr(obj, "status", None) == "draft"


NOBODY = Rule(lambda user, obj: False, "nobody")
EVERYONE = role(*ALL_ROLES)
READ_ALL = role(MANAGEMENT, QUALITY, SALES_MANAGER)

# Administrators may do everything; each rule below says who else may.
PERMISSIONS: dict[str, Rule] = {
    # core
    "audit.view": role(MANAGEMENT, QUALITY),
    "users.manage": NOBODY,
    "settings.manage": NOBODY,
    "privacy.manage": role(QUALITY),
    # customers (SPEC §3.1)
    "customers.view": EVERYONE,
    "customers.add": role(SALES_MANAGER, ACCOUNT_MANAGER),
    "customers.change": role(SALES_MANAGER) | (role(ACCOUNT_MANAGER) & manages_customer),
    "customers.assign": role(SALES_MANAGER),
    "customers.archive": role(SALES_MANAGER),
    "customers.delete": NOBODY,
    "customers.import": role(SALES_MANAGER),
    "customers.export": role(MANAGEMENT, QUALITY, SALES_MANAGER, ACCOUNT_MANAGER),
    "contacts.view": EVERYONE,
    "contacts.change": role(SALES_MANAGER) | (role(ACCOUNT_MANAGER) & manages_customer),
    "interactions.view": EVERYONE,
    "interactions.add": role(SALES_MANAGER, CUSTOMER_SERVICE) | (role(ACCOUNT_MANAGER) & manages_customer),
    "interactions.change": role(SALES_MANAGER) | (role(ACCOUNT_MANAGER, CUSTOMER_SERVICE) & is_author),
    # requirements (SPEC §3.2)
    "requirements.view": EVERYONE,
    "requirements.change": role(SALES_MANAGER) | (role(ACCOUNT_MANAGER) & manages_customer),
    "requirements.approve": role(SALES_MANAGER),
    "requirements.import": role(SALES_MANAGER, ACCOUNT_MANAGER),
    "requirements.export": role(MANAGEMENT, QUALITY, SALES_MANAGER, ACCOUNT_MANAGER),
    # feedback: complaints, suggestions, compliments (SPEC §3.3)
    "feedback.view": role(MANAGEMENT, QUALITY, SALES_MANAGER, ACCOUNT_MANAGER, CUSTOMER_SERVICE),
    "feedback.add": role(QUALITY, SALES_MANAGER, ACCOUNT_MANAGER, CUSTOMER_SERVICE),
    "feedback.work": role(QUALITY, SALES_MANAGER) | (role(CUSTOMER_SERVICE) & is_assignee),
    "feedback.assign": role(QUALITY, SALES_MANAGER),
    "feedback.take": role(QUALITY, SALES_MANAGER, CUSTOMER_SERVICE) & is_unassigned,
    "feedback.evaluate": role(QUALITY, SALES_MANAGER),
    # corrective and improvement action plans (SPEC §3.4)
    "action_plans.view": EVERYONE,
    "action_plans.add": role(QUALITY, SALES_MANAGER),
    "action_plans.change": role(QUALITY) | (EVERYONE & is_owner),
    "action_plans.verify": role(QUALITY),
    "actions.work": role(QUALITY) | (EVERYONE & (is_owner | owns_plan)),
    # surveys (SPEC §3.5)
    "surveys.view": role(MANAGEMENT, QUALITY, SALES_MANAGER, ACCOUNT_MANAGER, CUSTOMER_SERVICE),
    "surveys.change": role(QUALITY),
    "surveys.invite": role(QUALITY, SALES_MANAGER) | (role(ACCOUNT_MANAGER) & manages_customer),
    "surveys.respond": role(QUALITY, SALES_MANAGER, CUSTOMER_SERVICE) | (role(ACCOUNT_MANAGER) & manages_customer),
    "surveys.followup": role(QUALITY, SALES_MANAGER) | (role(ACCOUNT_MANAGER) & manages_customer),
    "surveys.report": role(MANAGEMENT, QUALITY, SALES_MANAGER),
    # contracts, deliverables, deliveries, regulations (SPEC §3.6)
    "contracts.view": role(MANAGEMENT, QUALITY, SALES_MANAGER, ACCOUNT_MANAGER, OPERATIONS),
    "contracts.add": role(SALES_MANAGER, ACCOUNT_MANAGER),
    "contracts.change": role(SALES_MANAGER) | (role(ACCOUNT_MANAGER) & manages_customer & is_draft),
    "contracts.submit": role(SALES_MANAGER) | (role(ACCOUNT_MANAGER) & manages_customer),
    "contracts.review": role(SALES_MANAGER),
    "contracts.transition": role(SALES_MANAGER),
    "deliverables.change": role(SALES_MANAGER) | (role(ACCOUNT_MANAGER) & manages_customer),
    "contracts.archive": role(SALES_MANAGER),
    "contracts.import": role(SALES_MANAGER),
    "deliveries.add": role(SALES_MANAGER, OPERATIONS),
    "deliveries.change": role(SALES_MANAGER) | (role(OPERATIONS) & is_recorder),
    "regulations.change": role(SALES_MANAGER, QUALITY),
    # indicators, management review, risks, controlled documents (SPEC §3.7)
    "indicators.view": READ_ALL,
    "indicators.set_targets": role(MANAGEMENT),
    "indicators.analyse": role(QUALITY),
    "reviews.view": READ_ALL,
    "reviews.change": role(MANAGEMENT, QUALITY),
    "reviews.approve": role(MANAGEMENT),
    "risks.view": READ_ALL,
    "risks.change": role(QUALITY),
    "documents.view": EVERYONE,
    "documents.change": role(QUALITY),
    "documents.approve": role(MANAGEMENT),
    # loyalty (SPEC §3.8)
    "loyalty.view": role(MANAGEMENT, QUALITY, SALES_MANAGER, ACCOUNT_MANAGER, CUSTOMER_SERVICE),
    "loyalty.manage": role(SALES_MANAGER),
    "loyalty.operate": role(SALES_MANAGER) | (role(ACCOUNT_MANAGER) & manages_customer),
    # training (SPEC §3.9): everyone sees their own record; quality and management see everyone's
    "training.view": role(MANAGEMENT, QUALITY),
    "training.view_own": EVERYONE & is_self,
    "training.manage": role(QUALITY),
}


def has_perm(user: Any, perm: str, obj: Any = None) -> bool:
    """May `user` do `perm` (to `obj`, when given)?"""
    rule = PERMISSIONS[perm]
    user_roles = roles_of(user)
    if not user_roles:
        return False
    if ADMIN in user_roles:
        return True
    return rule(user, obj)


def require(user: Any, perm: str, obj: Any = None) -> None:
    if not has_perm(user, perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


class PermissionMixin(AccessMixin):
    """For class-based views: `permission` is checked on dispatch (without an object); views that
    act on one record call `self.check_object(obj)` once they have it."""

    permission: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.permission:
            raise PermissionDenied
        require(request.user, self.permission)
        return super().dispatch(request, *args, **kwargs)

    def check_object(self, obj: Any, perm: str | None = None) -> None:
        require(self.request.user, perm or self.permission, obj)


def permission_required(perm: str) -> Callable:
    """For function views: login first, then the role rule without an object."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            require(request.user, perm)
            return view(request, *args, **kwargs)

        wrapped.permission = perm  # type: ignore[attr-defined]
        return wrapped

    return decorator
