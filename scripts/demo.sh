#!/usr/bin/env bash
# The newcomer's one command: installs, brings the local stack up, shows its status, then runs the
# live demo (a write load on a demo database, pgcdc streaming it, the decoded events printed).
#   npm run demo [-- seconds]      (default 30; 0 = until Ctrl-C)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/stack.sh start
bash scripts/stack.sh status
exec node dist/scripts/demo.js "${1:-30}"
