from __future__ import annotations

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

# Queued tasks carry whole e-mails, password-reset links included: an admin who could read
# them could take over any account. The queue is for the worker, not for browsing.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
