"""Clarity aids for requirements (the process's first risk, "Requisitos no claros").

`find_vague_terms(text)` flags words and phrases that make a requirement impossible to verify
("rápido", "adecuado", "lo antes posible", "etc.", "user-friendly"…), in Spanish and English. It
matches whole words only, ignores case and accents (also decomposed ones), and answers with spans of
the original text, so the caller can highlight them. It is a pure function: no database, no I/O.

`clarity_of(...)` is the checklist shown on every requirement, with its score.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

HINTS: dict[str, Promise] = {
    "speed": _("State a figure you can measure, e.g. “answers in under 2 seconds”, “ships within 24 hours”."),
    "time": _("Give a date or a time limit that can be checked, e.g. “within 48 working hours of the order”."),
    "quality": _("Say what makes it acceptable: a standard, a threshold or a test, e.g. “EN 10204 3.1 certificate”."),
    "quantity": _("Give a number or a range instead."),
    "ease": _("Say how ease will be checked: number of steps, time to learn, errors allowed."),
    "open": _("List every item: “etc.” and “and/or” leave the scope open."),
    "condition": _("Say exactly when it applies, or remove the condition."),
    "frequency": _("Give the frequency: daily, every Monday, once a quarter…"),
    "flexibility": _("Say what may change and within which limits."),
}


@dataclass(frozen=True)
class VagueTerm:
    """A curated vague expression. `pattern` is a regular expression over folded text (lower case,
    no accents); words in a phrase may be separated by spaces or hyphens. `examples` are spellings
    people really write, used by the tests."""

    pattern: str
    language: str  # "es" | "en"
    category: str  # a key of HINTS
    examples: tuple[str, ...]


def _t(pattern: str, language: str, category: str, *examples: str) -> VagueTerm:
    return VagueTerm(pattern, language, category, examples)


SEP = r"[\s\-]+"

VAGUE_TERMS: tuple[VagueTerm, ...] = (
    # Spanish
    _t(r"rapid(?:o|a|os|as|amente|ez)", "es", "speed", "rápido", "Rápida", "rápidamente", "RAPIDEZ"),
    _t(r"agil(?:es|mente|idad)?", "es", "speed", "ágil", "ágilmente"),
    _t(r"veloz(?:mente)?|veloces", "es", "speed", "veloz", "velozmente"),
    _t(r"lo antes posible", "es", "time", "lo antes posible", "Lo  antes posible"),
    _t(r"lo mas (?:pronto|rapido) posible", "es", "time", "lo más pronto posible", "lo más rápido posible"),
    _t(r"cuanto antes", "es", "time", "cuanto antes"),
    _t(r"a la (?:mayor|maxima) brevedad(?: posible)?", "es", "time", "a la mayor brevedad", "a la máxima brevedad"),
    _t(r"en breve", "es", "time", "en breve"),
    _t(r"pronto", "es", "time", "pronto"),
    _t(r"inmediat(?:o|a|os|as|amente)", "es", "time", "inmediato", "inmediatamente"),
    _t(r"a tiempo", "es", "time", "a tiempo"),
    _t(r"en tiempo y forma", "es", "time", "en tiempo y forma"),
    _t(r"oportun(?:o|a|os|as|amente)", "es", "time", "oportuno", "oportunamente"),
    _t(r"puntualmente", "es", "time", "puntualmente"),
    _t(r"adecuad(?:o|a|os|as|amente)", "es", "quality", "adecuado", "adecuadas", "adecuadamente"),
    _t(r"optim(?:o|a|os|as)", "es", "quality", "óptimo", "óptimas", "optimo"),
    _t(r"(?:buena|alta|maxima|mejor) calidad", "es", "quality", "buena calidad", "alta calidad", "máxima calidad"),
    _t(r"apropiad(?:o|a|os|as|amente)", "es", "quality", "apropiado", "apropiadamente"),
    _t(r"correctamente", "es", "quality", "correctamente"),
    _t(r"satisfactori(?:o|a|os|as|amente)", "es", "quality", "satisfactorio", "satisfactoriamente"),
    _t(r"razonable(?:s|mente)?", "es", "quality", "razonable", "razonablemente"),
    _t(r"eficiente(?:s|mente)?", "es", "quality", "eficiente", "eficientemente"),
    _t(r"eficaz(?:mente)?|eficaces", "es", "quality", "eficaz", "eficazmente"),
    _t(r"robust(?:o|a|os|as)", "es", "quality", "robusto", "robusta"),
    _t(r"modern(?:o|a|os|as)", "es", "quality", "moderno", "modernas"),
    _t(r"excelente(?:s)?", "es", "quality", "excelente"),
    _t(r"suficiente(?:s|mente)?", "es", "quantity", "suficiente", "suficientes", "suficientemente"),
    _t(r"aproximadamente|aprox", "es", "quantity", "aproximadamente", "aprox"),
    _t(r"alrededor de", "es", "quantity", "alrededor de"),
    _t(r"vari(?:os|as)", "es", "quantity", "varios", "varias"),
    _t(r"algun(?:o|a|os|as)?", "es", "quantity", "algún", "algunos", "alguna"),
    _t(r"much(?:o|a|os|as)", "es", "quantity", "mucho", "muchas"),
    _t(r"poc(?:o|a|os|as)", "es", "quantity", "poco", "pocas"),
    _t(r"bastante(?:s)?", "es", "quantity", "bastante", "bastantes"),
    _t(r"(?:minim|maxim)(?:o|a) posible", "es", "quantity", "mínimo posible", "máxima posible"),
    _t(r"unos cuantos|unas cuantas", "es", "quantity", "unos cuantos", "unas cuantas"),
    _t(r"facil(?:es|mente)?", "es", "ease", "fácil", "FÁCIL", "fáciles", "fácilmente", "facil"),
    _t(r"sencill(?:o|a|os|as|amente)", "es", "ease", "sencillo", "sencillamente"),
    _t(r"intuitiv(?:o|a|os|as|amente)", "es", "ease", "intuitivo", "intuitiva"),
    _t(r"amigable(?:s)?", "es", "ease", "amigable", "amigables"),
    _t(r"comod(?:o|a|os|as|amente)", "es", "ease", "cómodo", "cómodamente"),
    _t(r"etc|etcetera", "es", "open", "etc.", "etc", "etcétera", "ETC."),
    _t(r"y/o", "es", "open", "y/o"),
    _t(r"entre otr(?:os|as)", "es", "open", "entre otros", "entre otras"),
    _t(r"y similares|o similar(?:es)?", "es", "open", "y similares", "o similar"),
    _t(r"si es posible|si fuera posible", "es", "condition", "si es posible", "si fuera posible"),
    _t(r"en la medida de lo posible", "es", "condition", "en la medida de lo posible"),
    _t(r"si procede|cuando proceda|en su caso", "es", "condition", "si procede", "cuando proceda", "en su caso"),
    _t(
        r"(?:cuando|segun) sea necesario|si (?:es|fuera) necesario",
        "es",
        "condition",
        "cuando sea necesario",
        "según sea necesario",
        "si fuera necesario",
    ),
    _t(
        r"periodicamente|regularmente|frecuentemente|con frecuencia|a menudo",
        "es",
        "frequency",
        "periódicamente",
        "regularmente",
        "con frecuencia",
        "a menudo",
    ),
    _t(r"normalmente|habitualmente|generalmente", "es", "frequency", "normalmente", "habitualmente"),
    _t(r"flexible(?:s)?|flexibilidad", "es", "flexibility", "flexible", "flexibles", "flexibilidad"),
    _t(r"adaptable(?:s)?|escalable(?:s)?", "es", "flexibility", "adaptable", "escalable"),
    # English
    _t(r"fast(?:er)?", "en", "speed", "fast", "Faster"),
    _t(r"quick(?:ly|er)?", "en", "speed", "quick", "quickly"),
    _t(r"rapid(?:ly)?", "en", "speed", "rapid", "rapidly"),
    _t(r"responsive", "en", "speed", "responsive"),
    _t(
        r"as soon as possible|asap|as early as possible",
        "en",
        "time",
        "as soon as possible",
        "ASAP",
        "as early as possible",
    ),
    _t(r"promptly|immediately|shortly|soon", "en", "time", "promptly", "immediately", "soon"),
    _t(r"timely|in a timely (?:manner|fashion)|on time", "en", "time", "timely", "in a timely manner", "on time"),
    _t(r"adequate(?:ly)?", "en", "quality", "adequate", "adequately"),
    _t(r"appropriate(?:ly)?|proper(?:ly)?", "en", "quality", "appropriate", "properly"),
    _t(r"optimal(?:ly)?|optimum", "en", "quality", "optimal", "optimum"),
    _t(rf"(?:high|good){SEP}quality|best possible", "en", "quality", "high quality", "high-quality", "best possible"),
    _t(r"efficient(?:ly)?|effective(?:ly)?", "en", "quality", "efficient", "effectively"),
    _t(r"reasonabl[ey]|satisfactory|acceptable", "en", "quality", "reasonable", "reasonably", "acceptable"),
    _t(
        rf"robust|seamless(?:ly)?|state{SEP}of{SEP}the{SEP}art",
        "en",
        "quality",
        "robust",
        "seamless",
        "state-of-the-art",
    ),
    _t(r"sufficient(?:ly)?|enough", "en", "quantity", "sufficient", "enough"),
    _t(r"approximately|approx|roughly", "en", "quantity", "approximately", "approx", "roughly"),
    _t(r"several|some|many|few|various", "en", "quantity", "several", "some", "many", "few"),
    _t(r"a lot of|lots of", "en", "quantity", "a lot of", "lots of"),
    _t(
        r"as (?:few|little|much|many) as possible|(?:minimum|maximum) possible|minimal",
        "en",
        "quantity",
        "as little as possible",
        "maximum possible",
        "minimal",
    ),
    _t(rf"easy(?:{SEP}to{SEP}use)?|easily", "en", "ease", "easy", "easy to use", "easy-to-use", "easily"),
    _t(rf"user{SEP}friendly|user friendly", "en", "ease", "user-friendly", "user friendly", "User-Friendly"),
    _t(r"intuitive(?:ly)?|simple|straightforward|convenient(?:ly)?", "en", "ease", "intuitive", "simple"),
    _t(r"and/or|and so on|among others|or similar", "en", "open", "and/or", "and so on", "among others"),
    _t(
        r"if possible|where possible|as far as possible|to the extent possible",
        "en",
        "condition",
        "if possible",
        "where possible",
    ),
    _t(
        r"as (?:appropriate|needed|required|necessary)|if (?:necessary|needed|applicable)|when necessary|where applicable",
        "en",
        "condition",
        "as needed",
        "if necessary",
        "where applicable",
    ),
    _t(
        r"regularly|periodically|frequently|often|normally|usually|generally|typically",
        "en",
        "frequency",
        "regularly",
        "usually",
    ),
    _t(r"flexib(?:le|ility)|adaptable|scalable|customi[sz]able", "en", "flexibility", "flexible", "customisable"),
)


@dataclass(frozen=True)
class VagueMatch:
    """One vague expression found: `text` is the slice of the original text at [start, end)."""

    text: str
    start: int
    end: int
    category: str
    language: str

    @property
    def hint(self) -> Promise:
        return HINTS[self.category]


def fold(text: str) -> tuple[str, list[int]]:
    """Lower case without accents, and for each folded character the index of the original one it
    came from (plus a final entry for the end). Decomposed accents ("a" + U+0301) fold too."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(part):
                continue
            for folded in part.casefold():
                chars.append(folded)
                origin.append(index)
    origin.append(len(text))
    return "".join(chars), origin


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], VagueTerm], ...]:
    compiled = []
    for term in VAGUE_TERMS:
        # A space in a phrase stands for any run of spaces or hyphens.
        body = term.pattern.replace(" ", SEP)
        compiled.append((re.compile(rf"(?<!\w)(?:{body})(?!\w)"), term))
    return tuple(compiled)


def find_vague_terms(text: str | None) -> list[VagueMatch]:
    """Every vague expression in `text`, in reading order, never overlapping (the longest wins)."""
    if not text:
        return []
    folded, origin = fold(text)
    found: list[tuple[int, int, VagueTerm]] = []
    for pattern, term in _compiled():
        for match in pattern.finditer(folded):
            found.append((match.start(), match.end(), term))
    found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    matches: list[VagueMatch] = []
    reached = 0
    for start, end, term in found:
        if start < reached:
            continue
        first, last = origin[start], origin[end - 1] + 1
        # A combining accent right after the last letter belongs to the word.
        while last < len(text) and unicodedata.combining(text[last]):
            last += 1
        matches.append(VagueMatch(text[first:last], first, last, term.category, term.language))
        reached = end
    return matches


# --- the checklist ------------------------------------------------------------------------------

MEASURE = re.compile(r"\d")


@dataclass(frozen=True)
class Check:
    key: str
    label: Promise
    ok: bool
    hint: Promise


@dataclass(frozen=True)
class FieldFlags:
    field: str
    label: Promise
    matches: list[VagueMatch]


@dataclass(frozen=True)
class Clarity:
    checks: list[Check]
    flags: list[FieldFlags]

    @property
    def score(self) -> int:
        return sum(1 for c in self.checks if c.ok)

    @property
    def total(self) -> int:
        return len(self.checks)

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.total) if self.total else 0

    @property
    def vague_count(self) -> int:
        return sum(len(f.matches) for f in self.flags)

    @property
    def tone(self) -> str:
        return "good" if self.score == self.total else "warning" if self.score >= self.total - 2 else "bad"


TEXT_FIELDS: tuple[tuple[str, Promise], ...] = (
    ("title", _("Title")),
    ("description", _("Description")),
    ("acceptance_criteria", _("Acceptance criteria")),
)


def clarity_of(
    *,
    title: str = "",
    description: str = "",
    acceptance_criteria: str = "",
    source_reference: str = "",
    confirmed: bool,
) -> Clarity:
    """The checklist for a requirement's texts: which questions it answers and its vague words."""
    texts = {"title": title or "", "description": description or "", "acceptance_criteria": acceptance_criteria or ""}
    flags = [FieldFlags(name, label, found) for name, label in TEXT_FIELDS if (found := find_vague_terms(texts[name]))]
    criteria = texts["acceptance_criteria"].strip()
    checks = [
        Check(
            "criteria",
            _("Acceptance criteria recorded"),
            bool(criteria),
            _("Write how both sides will check that it is met."),
        ),
        Check(
            "measurable",
            _("Measurable: the criteria give a figure"),
            bool(MEASURE.search(criteria)),
            _("Add a figure to the criteria: a time, a quantity, a tolerance, a date or a standard's number."),
        ),
        Check(
            "precise",
            _("Written without vague words"),
            not flags,
            _("Replace the flagged words with something that can be checked."),
        ),
        Check(
            "source",
            _("Source recorded"),
            bool((source_reference or "").strip()),
            _("Say where it comes from: the e-mail, the minutes, the clause of the tender or the law."),
        ),
        Check(
            "confirmed",
            _("Confirmed by the customer"),
            confirmed,
            _("Record who at the customer confirmed this version, when and how."),
        ),
    ]
    return Clarity(checks=checks, flags=flags)
