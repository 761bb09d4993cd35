"""Spanish is the default language and must be complete; the compiled catalogs match the sources."""

import gettext
from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGS = sorted((Path(settings.BASE_DIR) / "clientela").glob("**/locale/es/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.parent.parent.parent.parent.name))
def test_every_spanish_string_is_translated_and_compiled(po_path):
    catalog = polib.pofile(str(po_path))
    missing = [e.msgid for e in catalog if not e.obsolete and (not e.translated() or e.fuzzy)]
    missing += [e.msgid for e in catalog if e.msgid_plural and not all(e.msgstr_plural.get(i) for i in range(3))]
    assert not missing, f"untranslated in {po_path}: {missing[:10]}"
    with open(po_path.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalog:
        if entry.obsolete or entry.msgid_plural:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        assert compiled.gettext(key) == entry.msgstr, f"{po_path.with_suffix('.mo')} is stale for {entry.msgid!r}"


def test_placeholders_survive_translation():
    import re

    for po_path in CATALOGS:
        for entry in polib.pofile(str(po_path)):
            if entry.msgid_plural or not entry.msgstr:
                continue
            wanted = sorted(re.findall(r"%\(\w+\)s", entry.msgid))
            assert sorted(re.findall(r"%\(\w+\)s", entry.msgstr)) == wanted, entry.msgid


def test_a_string_means_the_same_in_every_catalog():
    """Django merges the catalogs, so one msgid translated two ways shows the wrong one somewhere:
    ambiguous words need a context (pgettext)."""
    seen: dict[tuple[str | None, str], tuple[str, Path]] = {}
    clashes = []
    for po_path in CATALOGS:
        for entry in polib.pofile(str(po_path)):
            if entry.obsolete or entry.msgid_plural or not entry.msgstr:
                continue
            key = (entry.msgctxt, entry.msgid)
            if key in seen and seen[key][0] != entry.msgstr:
                clashes.append(
                    f"{entry.msgid!r}: {seen[key][0]!r} ({seen[key][1].parent.parent.parent.parent.name}) vs {entry.msgstr!r} ({po_path.parent.parent.parent.parent.name})"
                )
            seen.setdefault(key, (entry.msgstr, po_path))
    assert not clashes, "\n".join(clashes)
