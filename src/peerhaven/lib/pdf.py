"""Pages as PDF documents (a program report, a member's mentoring record).

The PDF is rendered by WeasyPrint from a template that extends ``pdf/base_pdf.html``.
WeasyPrint may load only this site's static files: anything else a page names (a link in
someone's text, an image elsewhere) is refused, so making a PDF never reaches the network."""

from __future__ import annotations

import logging
import mimetypes

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify

# Relative links in PDF templates resolve against this made-up origin, which only the
# fetcher below understands.
STATIC_BASE = "https://static.peerhaven.invalid/"

# WeasyPrint reports each rendering step, and fontTools each font it subsets; neither is
# news. WeasyPrint's own warnings are about fonts and unsupported CSS, not content.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.WARNING)


def _static_file(url: str) -> tuple[bytes, str]:
    if not url.startswith(STATIC_BASE):
        raise ValueError(f"PDFs may load only static files, not {url[:80]}")
    path = finders.find(url.removeprefix(STATIC_BASE))
    if path is None:
        raise ValueError(f"no static file {url[:80]}")
    with open(path, "rb") as handle:
        return handle.read(), mimetypes.guess_type(path)[0] or "application/octet-stream"


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    # Imported here: WeasyPrint takes a moment to load and most requests never need it.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            body, mime_type = _static_file(url)
            return URLFetcherResponse(url, body, {"Content-Type": mime_type})

    html = render_to_string(template_name, {**context, "pdf": True}, request=request)
    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=StaticOnlyFetcher())
    return document.write_pdf()


def pdf_response(template_name: str, context: dict, *, title: str, request=None) -> HttpResponse:
    """The document as a PDF download named after ``title``."""
    response = HttpResponse(
        render_pdf(template_name, context, request=request), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{slugify(title) or "peerhaven"}.pdf"'
    return response
