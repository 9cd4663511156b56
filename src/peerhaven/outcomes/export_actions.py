"""Making a research export: the ZIP and its log row, in one transaction, so there is
never a file without a record of who took it, nor a record of a file never made."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from peerhaven.outcomes import redcap, research_export
from peerhaven.outcomes.models import ResearchExport
from peerhaven.outcomes.research_export import Contents


@dataclass(frozen=True)
class ExportFile:
    log: ResearchExport
    filename: str
    content: bytes


@transaction.atomic
def do_export_research_dataset(program, contents: Contents, *, acting_user) -> ExportFile:
    now = timezone.now()
    dataset = research_export.build_dataset(program, contents, today=now.date())
    content = _zip(program, dataset, contents, now)
    log = ResearchExport.objects.create(
        program=program,
        exported_by=acting_user,
        contents=contents.describe(),
        rows=len(dataset.rows),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    filename = f"{research_export.file_stem(program)}_{now:%Y-%m-%d}.zip"
    return ExportFile(log, filename, content)


def _zip(program, dataset, contents: Contents, now) -> bytes:
    stem = research_export.file_stem(program)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _write_csv(archive, f"{stem}_data.csv", research_export.data_rows(dataset))
        dictionary = research_export.dictionary_rows(dataset)
        _write_csv(archive, f"{stem}_data_dictionary.csv", dictionary)
        archive.writestr("README.txt", research_export.readme(program, dataset, contents, now))
    return buffer.getvalue()


def _write_csv(archive: zipfile.ZipFile, name: str, rows) -> None:
    with archive.open(name, "w") as member:
        for line in redcap.csv_lines(rows):
            member.write(line.encode("utf-8"))
