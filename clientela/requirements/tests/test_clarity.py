"""The vague-word detector and the clarity checklist: pure functions, many cases in both languages."""

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from clientela.requirements.clarity import VAGUE_TERMS, clarity_of, find_vague_terms, fold


def found(text: str) -> list[str]:
    return [m.text for m in find_vague_terms(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Spanish
        ("El envío debe ser rápido.", ["rápido"]),
        ("Respuesta RÁPIDA a las consultas", ["RÁPIDA"]),
        ("Entregar lo antes posible", ["lo antes posible"]),
        ("Entregar lo   antes\nposible", ["lo   antes\nposible"]),
        ("Un embalaje adecuado para el transporte", ["adecuado"]),
        ("Manuales fáciles de leer", ["fáciles"]),
        ("Stock suficiente de repuestos", ["suficiente"]),
        ("Una solución óptima y flexible", ["óptima", "flexible"]),
        ("Facturas, albaranes, etc.", ["etc"]),
        ("Pedidos y/o devoluciones", ["y/o"]),
        ("Se revisará periódicamente, si procede", ["periódicamente", "si procede"]),
        ("Aproximadamente 200 unidades al mes", ["Aproximadamente"]),
        ("Un portal intuitivo, amigable y sencillo", ["intuitivo", "amigable", "sencillo"]),
        ("Atender a la mayor brevedad posible", ["a la mayor brevedad posible"]),
        ("Entregas en tiempo y forma", ["en tiempo y forma"]),
        ("Material de buena calidad", ["buena calidad"]),
        ("Responder cuando sea necesario", ["cuando sea necesario"]),
        # English
        ("Deliver as soon as possible", ["as soon as possible"]),
        ("A user-friendly portal", ["user-friendly"]),
        ("A user friendly portal", ["user friendly"]),
        ("Fast and adequate answers", ["Fast", "adequate"]),
        ("Approximately 200 units, etc.", ["Approximately", "etc"]),
        ("An easy-to-use form", ["easy-to-use"]),
        ("Reports and/or dashboards", ["and/or"]),
        ("Answer promptly, if possible", ["promptly", "if possible"]),
        ("State-of-the-art, robust design", ["State-of-the-art", "robust"]),
        # Nothing vague
        ("El 98 % de los pedidos se entrega en 48 horas laborables.", []),
        ("Certificado 3.1 según UNE-EN 10204 con cada lote.", []),
        ("Answers within 2 seconds for 95 % of requests.", []),
        ("", []),
    ],
)
def test_it_flags_vague_words_in_both_languages(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "insuficiente",  # another word that contains a vague one
        "breakfast",
        "dificultad",
        "rapidísimo",
        "soonest",
        "etcétera2",
        "facilitador",
        "someone",
        "plazo_rapido",
    ],
)
def test_it_matches_whole_words_only(text):
    assert found(text) == []


def test_it_ignores_accents_even_decomposed_ones():
    composed = "Entrega rápida"
    decomposed = unicodedata.normalize("NFD", composed)
    assert found(composed) == ["rápida"]
    assert found(decomposed) == [unicodedata.normalize("NFD", "rápida")]
    assert found("entrega rapida") == ["rapida"]


def test_the_longest_expression_wins_and_nothing_overlaps():
    assert found("Un formulario easy to use") == ["easy to use"]
    assert found("lo más pronto posible") == ["lo más pronto posible"]


def test_matches_point_at_the_original_text():
    text = "Straße: fácil y ÓPTIMO"
    for match in find_vague_terms(text):
        assert text[match.start : match.end] == match.text
    assert found(text) == ["fácil", "ÓPTIMO"]


def test_every_hint_is_translated_text():
    for match in find_vague_terms("rápido, etc., si procede, varios, fácil, flexible, adecuado, a tiempo"):
        assert str(match.hint)


@pytest.mark.parametrize("term", VAGUE_TERMS, ids=lambda t: t.pattern[:30])
def test_every_curated_term_finds_its_examples(term):
    for sample in term.examples:
        assert found(f"Requisito: {sample}.") or found(f"Requisito: {sample}"), sample


# --- properties -------------------------------------------------------------------------------

EXAMPLES = [sample for term in VAGUE_TERMS for sample in term.examples]
SAFE = st.text(alphabet=st.sampled_from("0123456789 .,;:%/()\n"), max_size=40)


@given(st.text(max_size=300))
@example("a\u0301")
@example("ß" * 5)
@example("İstanbul rápido")
def test_it_never_fails_and_spans_are_ordered_slices(text):
    matches = find_vague_terms(text)
    reached = 0
    for match in matches:
        assert 0 <= match.start < match.end <= len(text)
        assert match.start >= reached
        assert text[match.start : match.end] == match.text
        reached = match.end


@given(SAFE, st.sampled_from(EXAMPLES), SAFE)
def test_a_vague_expression_between_figures_is_always_found(before, sample, after):
    text = f"{before} {sample} {after}"
    spans = [(m.start, m.end) for m in find_vague_terms(text)]
    start = len(before) + 1
    assert any(s <= start < e for s, e in spans), (text, spans)


@given(st.sampled_from(EXAMPLES), st.text(alphabet="bcdkqxz", min_size=1, max_size=3))
def test_a_vague_word_glued_to_letters_is_not_a_word(sample, letters):
    text = f"{letters}{sample}{letters}"
    assert not any(m.start == 0 or m.end == len(text) for m in find_vague_terms(text))


@given(st.text(alphabet=st.characters(codec="ascii", categories=["L", "N", "Zs", "P"]), max_size=120))
def test_case_does_not_change_what_is_found(text):
    lower = [(m.start, m.end) for m in find_vague_terms(text.lower())]
    upper = [(m.start, m.end) for m in find_vague_terms(text.upper())]
    assert lower == upper


@given(st.text(max_size=80))
def test_folding_keeps_a_map_back_to_the_original(text):
    folded, origin = fold(text)
    assert len(origin) == len(folded) + 1
    assert origin == sorted(origin) and origin[-1] == len(text)


# --- the checklist ----------------------------------------------------------------------------


def test_a_clear_confirmed_requirement_meets_every_check():
    result = clarity_of(
        title="Plazo de entrega de pedidos",
        description="Pedidos estándar al almacén central.",
        acceptance_criteria="El 98 % en 48 horas laborables.",
        source_reference="Pliego técnico 4.2",
        confirmed=True,
    )
    assert (result.score, result.total, result.percent, result.tone) == (5, 5, 100, "good")
    assert result.flags == []


def test_a_vague_unconfirmed_requirement_says_what_is_missing():
    result = clarity_of(title="Entrega rápida", description="Lo antes posible, etc.", confirmed=False)
    missing = {c.key for c in result.checks if not c.ok}
    assert missing == {"criteria", "measurable", "precise", "source", "confirmed"}
    assert result.score == 0 and result.tone == "bad"
    assert [f.field for f in result.flags] == ["title", "description"]
    assert result.vague_count == 3


def test_criteria_without_a_figure_are_not_measurable():
    result = clarity_of(acceptance_criteria="Factura en formato Facturae", source_reference="Ley", confirmed=True)
    assert {c.key for c in result.checks if not c.ok} == {"measurable"}
