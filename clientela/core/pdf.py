"""Every PDF of the application is drawn here, in a process of its own.

WeasyPrint and the boxes of one document take a hundred megabytes or more, which Python keeps in
the process once freed: a worker that has printed a management review stayed at 300 MB. So the
HTML is written by the worker (templates, data, translations) and drawn by a short-lived process
forked from a small server process that has WeasyPrint loaded already (`forkserver`): the memory
goes back to the system with each document, and the workers that serve pages stay small (issue #9:
at most 150 MB each). Forking from the server process, never from the worker, is safe whatever
threads the worker runs (the development server's, for one).

`CLIENTELA_PDF_IN_PROCESS=1` (setting `PDF_IN_PROCESS`) draws in the calling process instead, for a
platform without `fork`.
"""

import logging
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from django.conf import settings

log = logging.getLogger(__name__)

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_owner = 0  # the process that started the pool (a forked worker starts its own)


def draw(html: str, base_url: str | None = None, stylesheets: Sequence[str] = ()) -> bytes:
    """HTML (and CSS texts) to PDF bytes, in this process."""
    from weasyprint import CSS, HTML  # slow to load: only the processes that draw pay for it

    # WeasyPrint reports every step at INFO level; the log only needs its warnings.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=[CSS(string=css) for css in stylesheets])


def _executor() -> ProcessPoolExecutor:
    global _pool, _owner
    with _lock:
        if _pool is None or _owner != os.getpid():
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__, "weasyprint"])
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=context, max_tasks_per_child=1)
            _owner = os.getpid()
        return _pool


def write_pdf(html: str, *, base_url: str | None = None, stylesheets: Sequence[str] = ()) -> bytes:
    """The PDF of `html`, drawn in a process of its own (see the module's docstring)."""
    global _pool
    if getattr(settings, "PDF_IN_PROCESS", False):
        return draw(html, base_url, tuple(stylesheets))
    try:
        return _executor().submit(draw, html, base_url, tuple(stylesheets)).result()
    except BrokenProcessPool:  # the drawing process died (killed, out of memory): once more, here
        log.warning("the PDF process stopped; drawing in the worker instead")
        with _lock:
            _pool = None
        return draw(html, base_url, tuple(stylesheets))
