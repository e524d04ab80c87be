"""Rate limit per token (the ``limits`` package; Redis in production, so all web processes share it)."""

from __future__ import annotations

import math
import time
from functools import lru_cache

from django.conf import settings
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from rest_framework.throttling import BaseThrottle

from ..models import IntegrationToken


@lru_cache(maxsize=4)
def _limiter(uri: str) -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(storage_from_string(uri))


def limiter() -> MovingWindowRateLimiter:
    return _limiter(settings.LANDKREIS_API_RATE_LIMIT_STORAGE)


class TokenRateThrottle(BaseThrottle):
    """429 with ``Retry-After`` once a token exceeds its ``rate_limit``."""

    def allow_request(self, request, view):
        token = request.auth
        if not isinstance(token, IntegrationToken):
            return True
        item = parse(token.rate_limit)
        if limiter().hit(item, "lks-api", str(token.pk)):
            return True
        reset = limiter().get_window_stats(item, "lks-api", str(token.pk)).reset_time
        self._wait = max(1, math.ceil(reset - time.time()))
        return False

    def wait(self):
        return getattr(self, "_wait", 1)
