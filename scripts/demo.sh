#!/usr/bin/env bash
# Starts the web server, a Celery worker and Celery beat together; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
export DJANGO_DEBUG=${DJANGO_DEBUG:-true}

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping web server, worker and beat …"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # Give them ten seconds to finish their current task, then make sure nothing is left behind.
  for _ in $(seq 1 20); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do pkill -KILL -P "$pid" 2>/dev/null || true; kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$PY" -m celery -A landkreis_social worker --loglevel=INFO --pool=threads --concurrency=4 --hostname=demo-worker@%h &
pids+=($!)
"$PY" -m celery -A landkreis_social beat --loglevel=INFO &
pids+=($!)

cat <<'MSG'

  Landkreis Social runs at http://127.0.0.1:8000/
  Logins (password demo-passwort): redaktion, redaktion2, leitung, koordination, presse, admin
  koordination, presse and admin also need a code: DJANGO_DEBUG=true .venv/bin/python manage.py demo_totp koordination
  (or the demo key LAND KREI SSOC IALD EMOZ WEIF AKTO R234 in an authenticator app)
  Ctrl-C stops web server, worker and beat.

MSG
"$PY" manage.py runserver 127.0.0.1:8000 &
pids+=($!)
wait -n "${pids[@]}"
