from __future__ import annotations

from django_tasks import task

from peerhaven.programs.matching_actions import perform_run
from peerhaven.programs.models import MatchingRun


@task()
def execute_run(run_id: int) -> None:
    """A matching run, off the request path: the page polls its progress."""
    perform_run(MatchingRun.objects.select_related("program").get(pk=run_id))
