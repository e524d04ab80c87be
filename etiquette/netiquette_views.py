"""The public netiquette (no login): what the county's rules for discussions on its channels are."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from . import selectors
from .markdown import render_markdown


def _render(request, version, current):
    clauses = [
        {"number": c.number, "anchor": c.anchor, "title": c.title, "body": render_markdown(c.body)}
        for c in version.clauses.all()
    ]
    return render(
        request,
        "etiquette/netiquette.html",
        {
            "version": version,
            "current": current,
            "is_current": current is not None and version.pk == current.pk,
            "intro": render_markdown(version.intro),
            "clauses": clauses,
            "other_versions": selectors.published_netiquettes().exclude(pk=version.pk)[:20],
        },
    )


@cache_control(public=True, max_age=300)
def netiquette(request):
    current = selectors.current_netiquette()
    if current is None:
        return render(request, "etiquette/netiquette.html", {"version": None}, status=404)
    return _render(request, current, current)


@cache_control(public=True, max_age=300)
def netiquette_version(request, pk: int):
    """An earlier (or the current) published version: moderation decisions name the version they
    applied, so it stays readable. Drafts are not public (the admin previews them)."""
    version = selectors.published_netiquettes().prefetch_related("clauses").filter(pk=pk).first()
    if version is None:
        raise Http404
    return _render(request, version, selectors.current_netiquette())
