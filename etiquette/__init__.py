"""The etiquette: rule kinds, admin-configured rules, the guide and its acknowledgements."""


def check(post_like, **kwargs):
    """Shortcut for :func:`etiquette.engine.check` (imported lazily: this runs at app loading)."""
    from .engine import check as engine_check

    return engine_check(post_like, **kwargs)
