"""The networks are listed in the registry's order, whichever adapter module a process imported first."""

import subprocess
import sys

from channels.networks import registry


def test_kinds_follow_the_registry_order_whatever_was_imported_first():
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'landkreis_social.settings_test');"
        "django.setup();"
        "import channels.networks.sandbox, channels.networks.x;"
        "from channels.networks import registry; print(','.join(registry.kinds()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == ",".join(registry.ADAPTER_MODULES)
