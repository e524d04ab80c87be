"""Fake official data feeds on 127.0.0.1, shaped like the sources' published API descriptions (the
bundesAPI OpenAPI files of NINA and PEGELONLINE, the DWD app's warnings JSON). Tests set what the source
says with ``fake.warnings = …`` / ``fake.level = …``."""

from __future__ import annotations

import json

from .server import FakeServer, Response


class FakeNina(FakeServer):
    """``/dashboard/{ARS}.json`` and ``/warnings/{id}.json``."""

    name = "nina"

    def setup_routes(self) -> None:
        self.dashboard: dict[str, list] = {}
        self.details: dict[str, dict] = {}
        self.route("GET", r"/dashboard/(?P<ars>\d{12})\.json", self.get_dashboard)
        self.route("GET", r"/warnings/(?P<identifier>[^/]+)\.json", self.get_warning)

    def publish(
        self, ars: str, identifier: str, *, version: int, msg_type: str, headline: str, description: str
    ):
        """Put a warning (or its update/cancel) on the county's dashboard, replacing its earlier version."""
        entries = [e for e in self.dashboard.get(ars, []) if e["id"] != identifier]
        entries.append(
            {
                "id": identifier,
                "payload": {
                    "version": version,
                    "type": "ALERT",
                    "id": identifier,
                    "hash": f"{identifier}-{version}",
                    "data": {
                        "headline": headline,
                        "provider": "MOWAS",
                        "severity": "Severe",
                        "msgType": msg_type,
                        "transKeys": {"event": "BBK-EVC-001"},
                        "area": {"type": "ZGEM", "data": "1+11057100001"},
                    },
                },
                "i18nTitle": {"de": headline},
                "sent": "2026-12-05T10:00:00+01:00",
            }
        )
        self.dashboard[ars] = entries
        self.details[identifier] = {
            "identifier": identifier,
            "sender": "opendata@dwd.de",
            "msgType": msg_type,
            "status": "Actual",
            "info": [
                {
                    "language": "DE",
                    "headline": headline,
                    "description": description,
                    "instruction": "Meiden Sie das Gebiet.",
                }
            ],
        }

    def get_dashboard(self, request, ars):
        return Response(200, self.dashboard.get(ars, []))

    def get_warning(self, request, identifier):
        if identifier not in self.details:
            return Response(404, {"error": "not found"})
        return Response(200, self.details[identifier])


class FakeDwd(FakeServer):
    """``/warnings.json`` as the DWD serves it: JSONP ``warnWetter.loadWarnings({...});``."""

    name = "dwd"

    def setup_routes(self) -> None:
        self.warnings: dict[str, list] = {}
        self.route("GET", r"/warnings\.json", self.get_warnings)

    def get_warnings(self, request):
        body = {
            "time": 1765000000000,
            "warnings": self.warnings,
            "vorabInformation": {},
            "copyright": "Deutscher Wetterdienst",
        }
        return Response(
            200,
            f"warnWetter.loadWarnings({json.dumps(body)});".encode(),
            headers={"Content-Type": "text/javascript"},
        )


class FakePegel(FakeServer):
    """``/stations/{uuid}.json?includeTimeseries=true&includeCurrentMeasurement=true``."""

    name = "pegelonline"

    def setup_routes(self) -> None:
        self.levels: dict[str, tuple[float, str]] = {}
        self.route("GET", r"/stations/(?P<uuid>[0-9a-f-]+)\.json", self.get_station)

    def get_station(self, request, uuid):
        if uuid not in self.levels:
            return Response(404, {"status": 404, "message": "station not found"})
        value, timestamp = self.levels[uuid]
        return Response(
            200,
            {
                "uuid": uuid,
                "number": "4970010",
                "shortname": "ROTENBURG",
                "longname": "ROTENBURG (WÜMME)",
                "km": 12.3,
                "agency": "VERDEN",
                "water": {"shortname": "WÜMME", "longname": "WÜMME"},
                "timeseries": [
                    {
                        "shortname": "W",
                        "longname": "WASSERSTAND ROHDATEN",
                        "unit": "cm",
                        "equidistance": 15,
                        "currentMeasurement": {
                            "timestamp": timestamp,
                            "value": value,
                            "stateMnwMhw": "high",
                            "stateNswHsw": "unknown",
                        },
                        "gaugeZero": {"unit": "m. ü. NHN", "value": 18.5, "validFrom": "2000-01-01"},
                    }
                ],
            },
        )
