"""A receiver of outbound webhooks on 127.0.0.1: answers 204 to every POST under ``/hooks/``; failures
are programmed as for every fake (``receiver.fail(500, path=r"/hooks/")``)."""

from __future__ import annotations

from .server import FakeServer, Response


class WebhookReceiver(FakeServer):
    name = "webhook-receiver"

    def setup_routes(self) -> None:
        self.route("POST", r"/hooks/.*", self.receive)

    def receive(self, request) -> Response:
        return Response(204, b"")
