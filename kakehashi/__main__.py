"""`python -m kakehashi`: the delegation planner's command line (schedule, briefing)."""

from __future__ import annotations

import sys

from kakehashi.planner.cli import main

if __name__ == "__main__":
    sys.exit(main())
