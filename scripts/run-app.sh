#!/usr/bin/env bash
# Set up (if needed) and start the cfdesk desktop app on FILE, or on the built-in demo data.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup-env.sh"
# With no file, open the built-in demo data (generated on first use).
if [ "$#" -eq 0 ]; then set -- --demo; fi
exec "$CFDESK_PY" -m cfdesk "$@"
