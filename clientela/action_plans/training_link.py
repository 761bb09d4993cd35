"""Training as part of an action plan (ISO 9001 7.2 and 10.2): a plan's actions may be a training
session, or a training need for a person; both keep the plan as their origin."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.forms import DateInput
from clientela.training import selectors as training
from clientela.training.models import Competence, TrainingNeed, TrainingSession


class LinkSessionForm(forms.Form):
    session = forms.ModelChoiceField(label=_("Training session"), queryset=TrainingSession.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = (
            training.session_list(user=None)
            .filter(status=TrainingSession.Status.PLANNED, starts_at__gte=timezone.now())
            .order_by("starts_at")
        )


class TrainingNeedForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=training.staff())
    competence = forms.ModelChoiceField(label=_("Competence"), queryset=Competence.objects.none())
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("Due date"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = training.staff()
        self.fields["competence"].queryset = training.competence_list(user=None)


def panel(plan: Any) -> dict[str, Any]:
    return {
        "sessions": list(training.sessions_for_origin(plan).select_related("course")),
        "needs": list(training.needs_for_origin(plan).select_related("person", "competence")),
        "link_form": LinkSessionForm(),
        "need_form": TrainingNeedForm(),
        "need_source": TrainingNeed.Source.ACTION_PLAN,
    }
