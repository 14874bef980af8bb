"""`python -m cfdesk` behaves like the `cfdesk` command (GUI when no subcommand is given)."""

from cfdesk.entry import main

raise SystemExit(main())
