"""Entry point for `python -m training`."""

from training.cli import main

raise SystemExit(main())
