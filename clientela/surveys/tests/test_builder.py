"""Building surveys: questions, headline, skip logic, publishing, versions and what freezes when."""

import pytest
from django.core.exceptions import ValidationError

from clientela.core.audit import history_for
from clientela.core.errors import DomainError, IllegalTransition
from clientela.customers.tests.factories import CustomerFactory
from clientela.surveys import services
from clientela.surveys.models import Question, Survey
from clientela.surveys.tests.factories import COMMENT, NPS, RATING, answer, make_survey, question

pytestmark = pytest.mark.django_db


def test_questions_take_their_scale_and_satisfied_min_from_their_kind(users):
    survey = make_survey(
        users["quality"],
        questions=[RATING, NPS, {"kind": "ces", "text": "Facilidad"}, {"kind": "yes_no", "text": "¿Volvería?"}],
    )
    rows = list(survey.current_version.questions.values_list("kind", "scale_min", "scale_max", "satisfied_min"))
    assert rows == [("rating", 1, 5, 4), ("nps", 0, 10, 7), ("ces", 1, 7, 6), ("yes_no", None, None, None)]


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"kind": "rating", "text": ""}, "text"),
        ({"kind": "stars", "text": "¿Qué tal?"}, "kind"),
        ({"kind": "rating", "text": "¿Qué tal?", "scale_max": 10}, "scale_max"),
        ({"kind": "rating", "text": "¿Qué tal?", "satisfied_min": 6}, "satisfied_min"),
        ({"kind": "single_choice", "text": "¿Cuál?", "choices": ["Solo una"]}, "choices"),
        ({"kind": "text", "text": "Comentario", "is_headline": True}, "is_headline"),
        ({"kind": "yes_no", "text": "¿Sí?", "satisfied_min": 1}, "satisfied_min"),
    ],
)
def test_bad_questions_are_refused_with_the_reason(users, spec, field):
    survey = make_survey(users["quality"], questions=[], publish=False)
    with pytest.raises(ValidationError) as caught:
        services.question_add(actor=users["quality"], survey=survey, data=spec)
    assert field in caught.value.message_dict
    assert not Question.objects.exists()


def test_choices_are_trimmed_and_deduplicated(users):
    survey = make_survey(users["quality"], questions=[], publish=False)
    question_ = services.question_add(
        actor=users["quality"],
        survey=survey,
        data={"kind": "multiple_choice", "text": "¿Qué valora?", "choices": [" Precio ", "precio", "Plazo", ""]},
    )
    assert question_.choices == ["Precio", "Plazo"]


def test_marking_a_new_headline_unmarks_the_previous_one(users):
    survey = make_survey(users["quality"], questions=[RATING], publish=False)
    services.question_add(actor=users["quality"], survey=survey, data={**NPS, "is_headline": True})
    headlines = Question.objects.filter(is_headline=True)
    assert [q.kind for q in headlines] == ["nps"]


def test_publishing_needs_one_headline_when_the_survey_counts_toward_sc(users):
    survey = make_survey(users["quality"], questions=[NPS, COMMENT], publish=False)
    with pytest.raises(ValidationError, match="exactamente una pregunta principal"):
        services.survey_publish(actor=users["quality"], survey=survey)
    services.survey_update(actor=users["quality"], survey=survey, data={"counts_toward_sc": False})
    assert services.survey_publish(actor=users["quality"], survey=survey).status == Survey.Status.PUBLISHED


def test_publishing_needs_questions_and_a_threshold_on_the_scale(users):
    empty = make_survey(users["quality"], questions=[], publish=False)
    with pytest.raises(ValidationError, match="al menos una pregunta"):
        services.survey_publish(actor=users["quality"], survey=empty)
    survey = make_survey(users["quality"], publish=False, followup_threshold=9)
    with pytest.raises(ValidationError, match="escala"):
        services.survey_publish(actor=users["quality"], survey=survey)


def test_publishing_freezes_the_questions(users):
    survey = make_survey(users["quality"])
    version = survey.current_version
    assert version.published_at and version.number == 1
    history = list(history_for(survey).values_list("action", flat=True))
    assert "transition" in history and "created" in history


def test_editing_a_published_survey_creates_a_new_version(users):
    survey = make_survey(users["quality"])
    first = survey.current_version
    edited = services.question_update(
        actor=users["quality"], question=question(survey, 1), data={**RATING, "text": "¿Cómo valora la entrega?"}
    )
    assert edited.version.number == 2 and edited.version.is_draft
    assert question(survey, 1).text == RATING["text"]  # customers still see version 1
    survey = services.survey_publish(actor=users["quality"], survey=Survey.objects.get(pk=survey.pk))
    first.refresh_from_db()
    assert survey.current_version.number == 2 and first.retired_at is not None
    assert question(survey, 1).text == "¿Cómo valora la entrega?"
    assert [q.kind for q in first.questions.order_by("position")] == ["rating", "nps", "text"]


def test_each_response_keeps_the_version_it_answered(users):
    survey = make_survey(users["quality"])
    old = answer(survey, score=4, customer=CustomerFactory())
    services.question_add(actor=users["quality"], survey=survey, data={"kind": "yes_no", "text": "¿Repetiría?"})
    survey = services.survey_publish(actor=users["quality"], survey=Survey.objects.get(pk=survey.pk))
    new = answer(survey, score=5, customer=CustomerFactory(), extra={4: "sí"})
    old.refresh_from_db()
    assert (old.version.number, new.version.number) == (1, 2)
    assert old.answers.count() == 1 and new.answers.get(question__position=4).value is True


def test_a_published_version_cannot_be_changed_in_place(users):
    survey = make_survey(users["quality"])
    answer(survey, score=5, customer=CustomerFactory())
    version = survey.current_version
    with pytest.raises(DomainError, match="congeladas"):
        services._check_editable(version)


def test_questions_lock_at_the_first_response(users):
    survey = make_survey(users["quality"])
    draft = services.survey_new_version(actor=users["quality"], survey=survey)
    # A draft that somehow has answers (e.g. a restored backup) is locked as well.
    answer(survey, score=5, customer=CustomerFactory()).__class__.objects.update(version=draft)
    with pytest.raises(DomainError, match="ya tiene respuestas"):
        services.question_add(actor=users["quality"], survey=survey, data=COMMENT)


def test_discarding_a_new_version_keeps_the_published_one(users):
    survey = make_survey(users["quality"])
    services.survey_new_version(actor=users["quality"], survey=survey)
    services.survey_discard_draft(actor=users["quality"], survey=survey)
    survey.refresh_from_db()
    assert survey.versions.count() == 1 and services.working_version(survey).number == 1
    with pytest.raises(DomainError):
        services.survey_discard_draft(actor=users["quality"], survey=survey)


def test_nothing_to_publish_on_a_published_survey_without_changes(users):
    survey = make_survey(users["quality"])
    with pytest.raises(DomainError, match="ninguna versión nueva"):
        services.survey_publish(actor=users["quality"], survey=survey)


def test_skip_logic_depends_on_an_earlier_answer(users):
    survey = make_survey(users["quality"], questions=[RATING], publish=False)
    first = question_of_draft(survey, 1)
    follow = services.question_add(
        actor=users["quality"],
        survey=survey,
        data={**COMMENT, "text": "¿Qué falló?", "show_if_question": first, "show_if_values": ["1", "2"]},
    )
    assert follow.show_if_values == [1, 2]
    with pytest.raises(ValidationError, match="entre 1 y 5"):
        services.question_add(
            actor=users["quality"],
            survey=survey,
            data={**COMMENT, "show_if_question": first, "show_if_values": ["9"]},
        )
    with pytest.raises(ValidationError):
        services.question_update(
            actor=users["quality"], question=first, data={**RATING, "show_if_question": follow, "show_if_values": ["x"]}
        )


def test_moving_questions_and_deleting_keeps_positions_consecutive(users):
    survey = make_survey(users["quality"], questions=[RATING, NPS, COMMENT], publish=False)
    comment = question_of_draft(survey, 3)
    services.question_move(actor=users["quality"], question=comment, offset=-1)
    assert list(draft_kinds(survey)) == ["rating", "text", "nps"]
    services.question_delete(actor=users["quality"], question=question_of_draft(survey, 1))
    assert list(services.working_version(survey).questions.order_by("position").values_list("position", "kind")) == [
        (1, "text"),
        (2, "nps"),
    ]


def test_a_dependent_question_cannot_move_above_the_one_it_depends_on(users):
    survey = make_survey(users["quality"], questions=[RATING], publish=False)
    services.question_add(
        actor=users["quality"],
        survey=survey,
        data={**COMMENT, "show_if_question": question_of_draft(survey, 1), "show_if_values": [1]},
    )
    with pytest.raises(DomainError):
        services.question_move(actor=users["quality"], question=question_of_draft(survey, 2), offset=-1)


def test_deleting_a_question_others_depend_on_shows_them_always(users):
    survey = make_survey(users["quality"], questions=[RATING], publish=False)
    services.question_add(
        actor=users["quality"],
        survey=survey,
        data={**COMMENT, "show_if_question": question_of_draft(survey, 1), "show_if_values": [1]},
    )
    services.question_delete(actor=users["quality"], question=question_of_draft(survey, 1))
    remaining = question_of_draft(survey, 1)
    assert remaining.kind == "text" and remaining.show_if_question is None


def test_survey_status_moves(users):
    survey = make_survey(users["quality"])
    survey = services.survey_close(actor=users["quality"], survey=survey)
    assert survey.status == "closed" and not survey.accepts_responses
    survey = services.survey_reopen(actor=users["quality"], survey=survey)
    assert survey.status == "published"
    with pytest.raises(IllegalTransition):
        services.survey_reopen(actor=users["quality"], survey=survey)
    with pytest.raises(DomainError, match="Cierre la encuesta"):
        services.survey_archive(actor=users["quality"], survey=survey)


def test_settings_must_fit_the_published_questions(users):
    survey = make_survey(users["quality"], counts_toward_sc=False, questions=[NPS])
    with pytest.raises(ValidationError, match="exactamente una pregunta principal"):
        services.survey_update(actor=users["quality"], survey=survey, data={"counts_toward_sc": True})
    survey.refresh_from_db()
    assert not survey.counts_toward_sc
    rated = make_survey(users["quality"], title="Con titular")
    with pytest.raises(ValidationError, match="escala"):
        services.survey_update(actor=users["quality"], survey=rated, data={"followup_threshold": 8})


def test_a_published_survey_keeps_its_language(users):
    survey = make_survey(users["quality"])
    with pytest.raises(ValidationError) as caught:
        services.survey_update(actor=users["quality"], survey=survey, data={"language": "en"})
    assert "language" in caught.value.message_dict


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"invitation_days": 0}, "invitation_days"),
        ({"reminder_days": 40}, "reminder_days"),
        ({"frequency_cap_days": 1000}, "frequency_cap_days"),
        ({"trigger": "activation", "trigger_days": 0}, "trigger_days"),
    ],
)
def test_survey_settings_are_checked(users, data, field):
    with pytest.raises(ValidationError) as caught:
        services.survey_create(actor=users["quality"], data={"title": "Encuesta", **data})
    assert field in caught.value.message_dict


def test_the_open_link_can_be_turned_on_renewed_and_off(users):
    survey = make_survey(users["quality"])
    survey = services.survey_open_link(actor=users["quality"], survey=survey, enabled=True)
    key = survey.open_link_key
    assert len(key) == 24
    survey = services.survey_open_link(actor=users["quality"], survey=survey, enabled=True, renew=True)
    assert survey.open_link_key != key
    survey = services.survey_open_link(actor=users["quality"], survey=survey, enabled=False)
    assert survey.open_link_key is None


def question_of_draft(survey, position):
    return services.working_version(Survey.objects.get(pk=survey.pk)).questions.get(position=position)


def draft_kinds(survey):
    return (
        services.working_version(Survey.objects.get(pk=survey.pk))
        .questions.order_by("position")
        .values_list("kind", flat=True)
    )


def test_the_history_shows_question_changes_readably(users):
    survey = make_survey(users["quality"], questions=[RATING], publish=False)
    services.question_add(actor=users["quality"], survey=survey, data={**COMMENT, "text": "¿Algo más?"})
    entry = history_for(survey).filter(changes__has_key="questions").order_by("-seq").first()
    before, after = entry.changes["questions"]
    assert len(before) == 1 and len(after) == 2
    assert after[0].startswith(
        "1. ¿Qué tan satisfecho está con nuestro servicio? [Satisfacción 1–5 (CSAT); obligatoria;"
    )
    assert after[1] == "2. ¿Algo más? [Texto libre; opcional]"
