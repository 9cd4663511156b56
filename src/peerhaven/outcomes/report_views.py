"""The program report, as a page and as a PDF: for every staff role of the program's
organization (researchers included); 404 for everyone else, site administrators too."""

from __future__ import annotations

from django.shortcuts import render

from peerhaven.lib.pdf import pdf_response
from peerhaven.outcomes import plots
from peerhaven.outcomes.report import build
from peerhaven.programs.access import program_view
from peerhaven.programs.models import STAFF_ROLES


def _context(program) -> dict:
    report = build(program)
    tables = {table.id: table for table in report.all_tables()}
    for plot in plots.report_plots(report):
        tables[plot.table].plot = plot
    return {"program": program, "report": report}


@program_view(roles=STAFF_ROLES)
def report(request, program):
    return render(request, "outcomes/report.html", _context(program))


@program_view(roles=STAFF_ROLES)
def report_pdf(request, program):
    return pdf_response(
        "outcomes/report_pdf.html",
        _context(program),
        title=f"{program.name} report",
        request=request,
    )
