#!/bin/sh
# The stack's one-shot `init` service: create the tables, then make sure the model registry
# has a champion, training the bootstrap model on the bundled seed labels (a few minutes)
# only when there is none. Safe to run again: a second run changes nothing.
set -eu

leadstream init-db

# Exit status 0: a champion exists; 3: none yet; anything else: a real error (stop here).
set +e
python - <<'PY'
import sys

from leadstream.settings import load_settings
from models.registry import alias_ref, connect

settings = load_settings()
client = connect(settings.mlflow_tracking_uri, settings.mlflow_artifact_root)
ref = alias_ref(client, settings.model_name, settings.model_alias)
if ref is None:
    sys.exit(3)
print(f"model {ref.name!r} has a {settings.model_alias!r}: version {ref.version}")
PY
status=$?
set -e

case "$status" in
  0) ;;
  3)
    echo "no champion model yet: training the bootstrap model on the seed labels"
    leadstream train --promote
    ;;
  *) exit "$status" ;;
esac
