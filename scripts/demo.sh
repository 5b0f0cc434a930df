#!/usr/bin/env bash
# The newcomer's one command: installs, brings the local stack up, shows its status, then runs the
# live demo (a write load on a demo database, pgcdc streaming it, the decoded events printed). When
# it ends it removes its replication slot, publication and database (--keep keeps the database).
#   npm run demo [-- seconds] [-- --keep]      (default 30; 0 = until Ctrl-C), e.g. npm run demo -- 30 --keep
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-env.sh
bash scripts/install.sh
bash scripts/stack.sh start
bash scripts/stack.sh status
if [ "$#" -eq 0 ]; then set -- 30; fi
exec node dist/scripts/demo.js "$@"
