#!/usr/bin/env bash
# Set up (if needed) and start the cfdesk desktop app; with no file it offers the built-in demo data.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup-env.sh"
exec "$CFDESK_PY" -m cfdesk "$@"
