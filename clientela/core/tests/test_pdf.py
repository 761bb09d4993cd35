"""PDFs are drawn in a process of their own, so that the workers serving pages stay small."""

import os

from clientela.core import pdf


def test_a_pdf_is_drawn_in_another_process_that_ends_with_it():
    first = pdf._executor().submit(os.getpid).result()
    second = pdf._executor().submit(os.getpid).result()
    assert os.getpid() not in (first, second) and first != second  # one short-lived process per document
    content = pdf.write_pdf("<h1>Revisión por la Dirección</h1>", stylesheets=["h1 { color: #123 }"])
    assert content.startswith(b"%PDF")


def test_it_can_draw_in_the_calling_process(settings):
    settings.PDF_IN_PROCESS = True
    assert pdf.write_pdf("<p>Año 2026</p>").startswith(b"%PDF")
