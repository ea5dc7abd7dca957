#!/usr/bin/env bash
# Run one command with the local services up and their env loaded, e.g.
#   scripts/with-services.sh go test ./store/...
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if (( $# == 0 )); then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

"$ROOT/scripts/services.sh" up
# shellcheck source=/dev/null
source "$ROOT/.data/env"
# Same as `make test`: point tests at the full TERC register beside the checkout.
if [[ -z "${TERYT_FILE:-}" && -f "$ROOT/../shared/data/TERC_2020-01-01.csv" ]]; then
    TERYT_FILE="$(cd "$ROOT/../shared/data" && pwd)/TERC_2020-01-01.csv"
    export TERYT_FILE
fi
exec "$@"
