"""Security tests switch on what the rest of the suite leaves off (landkreis_social/settings_test.py):
the second-factor requirement and django-axes."""

import pytest


# Both ask for the database first: pytest-django must set up the test database before ``settings``
# is overridden, or a test that loads the cast dynamically (getfixturevalue) connects to the wrong one.
@pytest.fixture
def two_factor_required(db, settings):
    settings.TWO_FACTOR_REQUIRED = True


@pytest.fixture
def axes_on(db, settings):
    settings.AXES_ENABLED = True
