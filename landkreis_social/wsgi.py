import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landkreis_social.settings")
application = get_wsgi_application()

from landkreis_social.checks import start_problems  # noqa: E402 - needs the apps loaded above

# Production refuses to serve rather than answer every page with a 500 or with demo logins (issue 14).
_problems = start_problems()
if _problems:
    for _problem in _problems:
        sys.stderr.write(f"Landkreis Social: {_problem}\n")
    sys.stderr.flush()
    raise SystemExit(4)
