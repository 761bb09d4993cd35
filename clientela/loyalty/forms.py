"""Loyalty forms (the rules themselves live in the models' clean() and in the services)."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.forms import DateTimeInput, VersionedFormMixin
from clientela.customers.models import Contact, Customer
from clientela.customers.selectors import segment_choices

from . import selectors
from .models import EarningRule, LoyaltyProgramme, Membership, ProgrammeMessage, Referral, Reward, Tier


class ProgrammeForm(VersionedFormMixin, forms.ModelForm):
    enrol_segments = forms.MultipleChoiceField(
        label=_("Enrol customers of these segments"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Active customers of the chosen segments are enrolled automatically every day."),
    )

    class Meta:
        model = LoyaltyProgramme
        fields = ["name", "owner", "points_validity_months", "max_adjustment", "description", "terms", "enrol_segments"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "terms": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = list(self.instance.enrol_segments or []) if self.instance.pk else []
        self.fields["enrol_segments"].choices = [(s, s) for s in sorted(set(segment_choices()) | set(current))]
        self.fields["owner"].queryset = get_user_model().objects.filter(is_active=True, groups__isnull=False).distinct()


class TierForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Tier
        fields = ["name", "min_points", "benefits"]
        widgets = {"benefits": forms.Textarea(attrs={"rows": 3})}


class RuleForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = EarningRule
        fields = ["event", "fixed_points", "points_per_unit", "currency", "max_points", "is_active", "description"]


class RewardForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Reward
        fields = ["name", "points_cost", "min_tier", "stock", "is_active", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["min_tier"].queryset = Tier.objects.filter(
            programme_id=self.instance.programme_id, archived_at__isnull=True
        ).order_by("min_points")


class EnrolForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=LoyaltyProgramme.objects.none())
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.none(),
        help_text=_("Only active customers can join."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = selectors.open_programmes().order_by("name")
        self.fields["customer"].queryset = Customer.objects.filter(
            status=Customer.Status.ACTIVE, archived_at__isnull=True
        ).order_by("name")


class AdjustForm(forms.Form):
    points = forms.IntegerField(
        label=_("Points"),
        help_text=_("A positive number adds points; a negative one takes them back (a correction)."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=255, widget=forms.TextInput)


class RedeemForm(forms.Form):
    reward = forms.ModelChoiceField(label=_("Reward"), queryset=Reward.objects.none(), empty_label=None)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rewards = selectors.rewards_for(membership)
        self.fields["reward"].queryset = Reward.objects.filter(pk__in=[r.pk for r in rewards]).order_by("points_cost")
        self.fields["reward"].label_from_instance = lambda r: (
            _("%(name)s · %(points)s points")
            % {
                "name": r.name,
                "points": r.points_cost,
            }
        )


class MessageForm(forms.ModelForm):
    class Meta:
        model = ProgrammeMessage
        fields = ["kind", "channel", "contact", "recipient", "sent_at", "subject", "body"]
        widgets = {"sent_at": DateTimeInput(), "body": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"recipient": _("Leave blank to use the contact's e-mail.")}

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(
            customer_id=membership.customer_id, archived_at__isnull=True
        )
        self.fields["recipient"].required = False
        if not self.initial.get("sent_at"):
            self.initial["sent_at"] = timezone.localtime().replace(second=0, microsecond=0)


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["referred_customer", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referred_customer"].queryset = (
            Customer.objects.filter(
                archived_at__isnull=True, status__in=[Customer.Status.PROSPECT, Customer.Status.ACTIVE]
            )
            .exclude(referred_by__isnull=False)
            .order_by("name")
        )


class CampaignForm(forms.Form):
    tier = forms.ModelChoiceField(
        label=_("Only members of tier"), queryset=Tier.objects.none(), required=False, empty_label=_("All members")
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, programme: LoyaltyProgramme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.filter(programme=programme, archived_at__isnull=True).order_by(
            "min_points"
        )
