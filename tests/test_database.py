"""SQLite must hold up under concurrent writers (several web and worker processes)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from django.db import connection

WRITER = textwrap.dedent(
    """
    import django, os, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = "peerhaven.settings"
    django.setup()
    from django.db import transaction
    from peerhaven.orgs.models import Organization
    worker = sys.argv[1]
    for i in range(40):
        with transaction.atomic():
            count = Organization.objects.count()  # read, then write: the classic lock upgrade
            slug = f"{worker}-{i}-{count}"
            Organization.objects.create(name=slug, slug=slug, kind="institution")
    """
)


def run_manage(var_dir, *args):
    env = {**os.environ, "PEERHAVEN_VAR_DIR": str(var_dir), "DATABASE_URL": ""}
    env.pop("DATABASE_URL")
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=env, check=True, capture_output=True, text=True
    )


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite-specific; PostgreSQL run skips it"
)
def test_concurrent_writers_do_not_fail_with_database_is_locked(tmp_path):
    run_manage(tmp_path, "migrate", "--noinput")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PEERHAVEN_VAR_DIR"] = str(tmp_path)
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, f"w{n}"], env=env, stderr=subprocess.PIPE)
        for n in range(4)
    ]
    errors = [w.communicate()[1].decode() for w in writers]
    assert [w.returncode for w in writers] == [0, 0, 0, 0], errors
    shell = run_manage(
        tmp_path,
        "shell",
        "-c",
        "from peerhaven.orgs.models import Organization as O; print(O.objects.count())",
    )
    assert shell.stdout.split()[-1] == "160"
    journal_mode = "from django.db import connection as c; c.ensure_connection(); " + (
        "print(c.cursor().execute('PRAGMA journal_mode').fetchone()[0])"
    )
    journal = run_manage(tmp_path, "shell", "-c", journal_mode)
    assert journal.stdout.split()[-1] == "wal"


def test_database_url_selects_postgresql():
    script = "import peerhaven.settings as s; print(s.DATABASES['default']['ENGINE'])"
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test"}
    output = subprocess.check_output([sys.executable, "-c", script], env=env, text=True)
    assert output.strip() == "django.db.backends.postgresql"
