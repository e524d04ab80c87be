#!/usr/bin/env bash
# Fill a database with the code before issue 13 (61553c2: seed_demo, seed_scale --posts 2000, which includes
# published and withdrawn posts with deliveries), note its rows, migrate it with this code, compare.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/lk_upgrade scripts/upgrade_check.sh
# The database is dropped and created; the old code is checked out into a temporary git worktree.
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=${BEFORE:-61553c2}
: "${DATABASE_URL:?set DATABASE_URL to a scratch database}"
export DJANGO_DEBUG=true
db=${DATABASE_URL##*/}
old=$(mktemp -d /tmp/upgrade-old.XXXXXX)
snapshot=$(mktemp /tmp/upgrade-snapshot.XXXXXX.json)
cleanup() { git worktree remove --force "$old" >/dev/null 2>&1 || true; rm -f "$snapshot"; }
trap cleanup EXIT
git worktree add --detach "$old" "$BEFORE" >/dev/null
ln -s "$PWD/.venv" "$old/.venv"
dropdb -h 127.0.0.1 -U postgres --if-exists "$db"
createdb -h 127.0.0.1 -U postgres "$db"
(cd "$old" && .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py seed_demo >/dev/null \
  && .venv/bin/python manage.py seed_scale --posts 2000 | tail -n 1 \
  && .venv/bin/python manage.py shell -v0 -c "
from publishing import services
from publishing.models import Channel
for channel in Channel.objects.filter(kind='mastodon'):
    services.channel_set_credentials(actor=None, channel=channel, credentials={'access_token': 'upgrade-check-token'})
print('credentials stored on', Channel.objects.exclude(credentials_encrypted='').count(), 'channel(s)')
")
.venv/bin/python scripts/upgrade_check.py snapshot "$snapshot"
.venv/bin/python manage.py migrate -v0
.venv/bin/python scripts/upgrade_check.py verify "$snapshot"
