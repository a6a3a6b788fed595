"""Entry point: `python -m tools.localhost --app function_app:app --port 7071`."""

from tools.localhost.cli import main

raise SystemExit(main())
