"""Word-level comparison of two versions of a text."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientela.requirements.diffing import ADDED, EQUAL, REMOVED, compare_fields, word_diff


def marked(segments) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in segments]


@pytest.mark.parametrize(
    ("old", "new", "left", "right"),
    [
        ("entrega en 72 horas", "entrega en 48 horas", [(EQUAL, "entrega en "), (REMOVED, "72 ")], None),
        ("igual", "igual", [(EQUAL, "igual")], [(EQUAL, "igual")]),
        ("", "nuevo texto", [], [(ADDED, "nuevo texto")]),
        ("texto viejo", "", [(REMOVED, "texto viejo")], []),
    ],
)
def test_it_marks_removed_and_added_words(old, new, left, right):
    old_side, new_side = word_diff(old, new)
    assert marked(old_side)[: len(left)] == left
    if right is not None:
        assert marked(new_side) == right


def test_a_changed_figure_is_shown_on_both_sides():
    old_side, new_side = word_diff("plazo de 72 horas", "plazo de 48 horas")
    assert (REMOVED, "72 ") in marked(old_side)
    assert (ADDED, "48 ") in marked(new_side)
    assert all(kind != ADDED for kind, _ in marked(old_side))
    assert all(kind != REMOVED for kind, _ in marked(new_side))


def test_fields_report_whether_they_changed():
    diffs = compare_fields({"a": "uno", "b": "dos"}, {"a": "uno", "b": "tres"}, {"a": "A", "b": "B"})
    assert [(d.name, d.changed) for d in diffs] == [("a", False), ("b", True)]


WORDS = st.lists(
    st.sampled_from(["plazo", "48", "horas", "de", "entrega", "72", "\n", "  ", "lote", "cada"]), max_size=30
)


@given(WORDS, WORDS)
def test_each_side_joins_back_to_its_text(a, b):
    old, new = " ".join(a), " ".join(b)
    old_side, new_side = word_diff(old, new)
    assert "".join(s.text for s in old_side) == old
    assert "".join(s.text for s in new_side) == new
    assert {s.kind for s in old_side} <= {EQUAL, REMOVED}
    assert {s.kind for s in new_side} <= {EQUAL, ADDED}


@given(st.text(max_size=200))
def test_a_text_compared_with_itself_has_no_changes(text):
    old_side, new_side = word_diff(text, text)
    assert all(s.kind == EQUAL for s in old_side + new_side)
