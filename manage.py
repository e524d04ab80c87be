#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landkreis_social.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings, which refuse unsafe production values
    except ImproperlyConfigured as exc:
        # One clear line instead of a traceback, e.g. production mode without a secret key.
        sys.exit(f"Landkreis Social: {exc}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
