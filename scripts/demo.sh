#!/usr/bin/env bash
# The newcomer's one command: installs, brings the local stack up and shows its status.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/stack.sh start
bash scripts/stack.sh status
