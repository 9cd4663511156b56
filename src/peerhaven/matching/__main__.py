"""python -m peerhaven.matching: the peerhaven-match command."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
