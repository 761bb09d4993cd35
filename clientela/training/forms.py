"""Training forms (the rules live in the models' clean() and in the services)."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.forms import DateInput, DateTimeInput, VersionedFormMixin

from . import selectors
from .models import (
    Attendance,
    Competence,
    CompetenceEvaluation,
    Course,
    Level,
    TrainingNeed,
    TrainingSession,
)


def _person_label(user: Any) -> str:
    return user.get_full_name() or user.get_username()


class CompetenceForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Competence
        fields = ["code", "name", "validity_months", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class RequirementsForm(forms.Form):
    """The whole role × competence grid: for each pair, the level required (or none)."""

    def __init__(
        self, *args: Any, roles: list[tuple[str, str]], competences: list[Competence], current: dict, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.grid = []
        choices = [("", _("Not required")), *[(str(v), label) for v, label in Level.choices]]
        for role, role_label in roles:
            row = []
            for competence in competences:
                name = f"req_{role}_{competence.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=_("%(role)s · %(competence)s") % {"role": role_label, "competence": competence.name},
                    choices=choices,
                    required=False,
                    coerce=int,
                    empty_value=None,
                    initial=current.get((role, competence.pk)),
                )
                row.append(self[name])
            self.grid.append((role_label, row))

    def levels(self) -> dict[tuple[str, int], int | None]:
        result = {}
        for name, value in self.cleaned_data.items():
            _prefix, rest = name.split("_", 1)
            role, competence_id = rest.rsplit("_", 1)
            result[(role, int(competence_id))] = value
        return result


class CourseForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Course
        fields = [
            "code",
            "title",
            "duration_hours",
            "modality",
            "provider",
            "provider_name",
            "is_active",
            "competences",
            "objectives",
        ]
        widgets = {"competences": forms.CheckboxSelectMultiple, "objectives": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competences"].queryset = Competence.objects.filter(archived_at__isnull=True).order_by("code")


class SessionForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = TrainingSession
        fields = ["course", "starts_at", "duration_hours", "trainer", "trainer_name", "modality", "location", "notes"]
        widgets = {"starts_at": DateTimeInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(archived_at__isnull=True, is_active=True).order_by(
            "title"
        )
        self.fields["trainer"].queryset = selectors.staff()
        self.fields["trainer"].label_from_instance = _person_label
        self.fields["duration_hours"].required = False
        self.fields["duration_hours"].help_text = _("Leave blank to use the course's duration.")
        if self.instance.pk:
            self.fields["course"].disabled = True
        elif not self.initial.get("starts_at"):
            self.initial["starts_at"] = timezone.localtime().replace(minute=0, second=0, microsecond=0)


class AttendanceSheetForm(forms.Form):
    """One line per staff member: attendance and hours."""

    def __init__(self, *args: Any, sheet: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = []
        choices = [("", _("Not on the list")), *Attendance.Status.choices]
        for line in sheet:
            person, attendance = line["person"], line["attendance"]
            status = forms.ChoiceField(
                label=_("Attendance of %(person)s") % {"person": _person_label(person)},
                choices=choices,
                required=False,
                initial=attendance.status if attendance else "",
            )
            hours = forms.DecimalField(
                label=_("Hours of %(person)s") % {"person": _person_label(person)},
                required=False,
                min_value=0,
                max_digits=5,
                decimal_places=1,
                initial=attendance.hours if attendance else None,
            )
            self.fields[f"status_{person.pk}"] = status
            self.fields[f"hours_{person.pk}"] = hours
            self.lines.append(
                {"person": person, "status": self[f"status_{person.pk}"], "hours": self[f"hours_{person.pk}"]}
            )

    def rows(self) -> list[tuple[Any, str, Any]]:
        return [
            (
                line["person"],
                self.cleaned_data[f"status_{line['person'].pk}"],
                self.cleaned_data[f"hours_{line['person'].pk}"],
            )
            for line in self.lines
            if self.cleaned_data.get(f"status_{line['person'].pk}")
        ]


class EvaluationForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = CompetenceEvaluation
        fields = [
            "person",
            "competence",
            "session",
            "evaluated_on",
            "evaluator",
            "method",
            "level_before",
            "level_after",
            "result",
            "notes",
        ]
        widgets = {"evaluated_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = selectors.staff()
        for name in ("person", "evaluator"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = _person_label
        self.fields["competence"].queryset = Competence.objects.filter(archived_at__isnull=True).order_by("code")
        self.fields["session"].queryset = (
            TrainingSession.objects.filter(status=TrainingSession.Status.HELD)
            .select_related("course")
            .order_by("-starts_at")
        )
        if not self.instance.pk and not self.initial.get("evaluated_on"):
            self.initial["evaluated_on"] = timezone.localdate()


class NeedForm(forms.ModelForm):
    class Meta:
        model = TrainingNeed
        fields = ["person", "competence", "source", "due_date", "reason"]
        widgets = {"due_date": DateInput(), "reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = selectors.staff()
        self.fields["person"].label_from_instance = _person_label
        self.fields["competence"].queryset = Competence.objects.filter(archived_at__isnull=True).order_by("code")


class PlanNeedForm(forms.Form):
    session = forms.ModelChoiceField(label=_("Session"), queryset=TrainingSession.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = (
            TrainingSession.objects.filter(status=TrainingSession.Status.PLANNED, archived_at__isnull=True)
            .select_related("course")
            .order_by("starts_at")
        )
