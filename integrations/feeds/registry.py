"""Feed kind → reader module (``fetch``, and what the importer needs to know about the source)."""

from __future__ import annotations

from . import dwd, nina, pegelonline

READERS = {"nina": nina, "dwd": dwd, "pegelonline": pegelonline}


def reader(kind: str):
    return READERS[kind]
