"""Two confirms of the same import at once (a double click, two tabs): the member's entries
are added once. Row locks only mean something on PostgreSQL (SQLite serialises every writer
anyway), so this runs there; CI runs the suite on both."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from peerhaven.outcomes.achievements import candidate, do_import_achievements
from peerhaven.outcomes.importers import parse_file
from peerhaven.outcomes.models import Achievement

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL to mean anything"
    ),
]


def test_two_confirms_at_once_add_each_entry_once(alice):
    # No DOIs or PMIDs: no unique constraint would catch a duplicate, only the lock does.
    text = "".join(f"@article{{k{i}, title={{Work {i}}}, year={{2020}}}}\n" for i in range(4))
    parsed = parse_file(text.encode(), filename="works.bib")
    candidates = [candidate(entry) for entry in parsed.entries]
    barrier = threading.Barrier(3)
    results: list[object] = [None] * 3

    def confirm(index):
        try:
            barrier.wait(timeout=10)
            results[index] = do_import_achievements(candidates, source="bibtex", acting_user=alice)
        except Exception as error:  # surfaced by the assertions below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(result.added for result in results) == [0, 0, 4], results
    assert Achievement.objects.filter(user=alice).count() == 4
