"""A fake Mastodon instance: statuses (with ``Idempotency-Key``), media v2, verify_credentials.

Only ``Authorization: Bearer <token>`` with the configured token is accepted. A repeated
``Idempotency-Key`` returns the status created for it (no second status), as Mastodon does.
``processing_polls`` > 0 makes uploaded media answer 202 without URL for that many polls."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from .server import FakeServer, RecordedRequest, Response


class FakeMastodon(FakeServer):
    name = "mastodon"

    def __init__(self, port: int = 0, token: str = "mastodon-test-token", acct: str = "landkreis"):  # noqa: S107 - the fake's own test credentials
        self.token = token
        self.acct = acct
        self.by_key: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        self.deleted: list[str] = []
        self.processing_polls = 0
        self.max_characters = 500
        # Reports: counts per status id (what GET /api/v1/statuses/:id answers) and the followers.
        self.status_counts: dict[str, dict] = {}
        self.followers_count = 0
        super().__init__(port)

    def channel_kwargs(self) -> dict:
        """What ``publishing.services.channel_create`` needs for a channel that talks to this fake."""
        return {
            "kind": "mastodon",
            "account": f"@{self.acct}@social.example",
            "base_url": self.base_url,
            "credentials": {"access_token": self.token},
        }

    def setup_routes(self):
        self.route("POST", r"/api/v1/statuses", self.create_status)
        self.route("DELETE", r"/api/v1/statuses/(?P<status_id>\d+)", self.delete_status)
        self.route("POST", r"/api/v2/media", self.upload)
        self.route("GET", r"/api/v1/media/(?P<media_id>\d+)", self.get_media)
        self.route("GET", r"/api/v1/accounts/verify_credentials", self.verify_credentials)
        self.route("GET", r"/api/v1/instance", self.instance)
        self.route("GET", r"/api/v1/statuses/(?P<status_id>\d+)", self.get_status)

    def rate_limit_answer(self, reset_at):
        reset = (
            datetime.fromtimestamp(reset_at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        )
        headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
        return 429, headers, {"error": "Too many requests"}

    def _authorised(self, request: RecordedRequest) -> bool:
        return request.header("authorization") == f"Bearer {self.token}"

    def _status_json(self, status: dict) -> dict:
        now = status["created_at"]
        return {
            "id": status["id"],
            "uri": f"{self.base_url}/users/{self.acct}/statuses/{status['id']}",
            "url": f"{self.base_url}/@{self.acct}/{status['id']}",
            "created_at": now,
            "content": f"<p>{status['text']}</p>",
            "visibility": status["visibility"],
            "language": status["language"],
            "sensitive": False,
            "spoiler_text": "",
            "media_attachments": [self.media[m] for m in status["media_ids"] if m in self.media],
            "account": self._account(),
            "mentions": [],
            "tags": [],
            "emojis": [],
            "reblogs_count": 0,
            "favourites_count": 0,
            "replies_count": 0,
        }

    def _account(self) -> dict:
        return {
            "id": "1",
            "username": self.acct,
            "acct": self.acct,
            "display_name": "Landkreis (Test)",
            "url": f"{self.base_url}/@{self.acct}",
            "created_at": "2024-01-01T00:00:00.000Z",
            "note": "",
            "avatar": "",
            "header": "",
            "locked": False,
            "bot": False,
            "followers_count": self.followers_count,
            "following_count": 0,
            "statuses_count": len(self.created),
            "emojis": [],
            "fields": [],
        }

    def create_status(self, request):
        if not self._authorised(request):
            return Response(401, {"error": "The access token is invalid"})
        key = request.header("idempotency-key")
        text = request.value("status", "")
        with self.lock:
            if key and key in self.by_key:
                return Response(200, self._status_json(self.by_key[key]))
            if len(text) > self.max_characters:
                return Response(
                    422,
                    {"error": f"Validation failed: Text character limit of {self.max_characters} exceeded"},
                )
            media_ids = request.values("media_ids")
            if isinstance(request.json, dict):
                media_ids = [str(m) for m in request.json.get("media_ids") or []]
            status = {
                "id": self.next_id(),
                "text": text,
                "visibility": request.value("visibility", "public"),
                "language": request.value("language", ""),
                "media_ids": media_ids,
                "idempotency_key": key,
                "created_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            }
            self.created.append(status)
            if key:
                self.by_key[key] = status
        return Response(200, self._status_json(status))

    def delete_status(self, request, status_id):
        if not self._authorised(request):
            return Response(401, {"error": "The access token is invalid"})
        with self.lock:
            status = next((s for s in self.created if s["id"] == status_id), None)
        if status is None:
            return Response(404, {"error": "Record not found"})
        self.deleted.append(status_id)
        return Response(200, self._status_json(status))

    def upload(self, request):
        if not self._authorised(request):
            return Response(401, {"error": "The access token is invalid"})
        upload = request.files.get("file")
        if upload is None:
            return Response(422, {"error": "Validation failed: File can't be blank"})
        media_id = self.next_id()
        attachment = {
            "id": media_id,
            "type": "image" if upload["content_type"].startswith("image/") else "video",
            "url": None if self.processing_polls else f"{self.base_url}/media/{media_id}",
            "preview_url": None,
            "description": request.value("description"),
            "blurhash": None,
            "meta": {},
            "_polls_left": self.processing_polls,
            "_bytes": len(upload["data"]),
        }
        self.media[media_id] = attachment
        return Response(202 if self.processing_polls else 200, self._media_json(attachment))

    def _media_json(self, attachment):
        return {k: v for k, v in attachment.items() if not k.startswith("_")}

    def get_media(self, request, media_id):
        if not self._authorised(request):
            return Response(401, {"error": "The access token is invalid"})
        attachment = self.media.get(media_id)
        if attachment is None:
            return Response(404, {"error": "Record not found"})
        if attachment["_polls_left"] > 0:
            attachment["_polls_left"] -= 1
            return Response(206, self._media_json(attachment))
        attachment["url"] = f"{self.base_url}/media/{media_id}"
        return Response(200, self._media_json(attachment))

    def verify_credentials(self, request):
        if not self._authorised(request):
            return Response(401, {"error": "The access token is invalid"})
        return Response(200, self._account())

    def instance(self, request):
        return Response(200, {"uri": "127.0.0.1", "title": "Fake", "version": "4.5.0", "urls": {}})

    def get_status(self, request, status_id):
        """A status with its counts; ``status_counts[id]`` overrides them (leave out ``quotes_count``
        to play a server before 4.5, which does not deliver it)."""
        if not self._authorised(request):
            return Response(401, {"error": "The access token is invalid"})
        with self.lock:
            status = next((s for s in self.created if s["id"] == status_id), None)
        if status is None:
            return Response(404, {"error": "Record not found"})
        return Response(200, {**self._status_json(status), **self.status_counts.get(status_id, {})})

    # --- replies and moderation ------------------------------------------------------------------------
    # Replies go through ``create_status`` (``in_reply_to_id``, ``visibility``); Mastodon has no hiding
    # of other people's replies, only reports (``POST /api/v1/reports``), kept in ``reports``.

    def setup_action_routes(self):
        self.reports: list[dict] = []
        self.route("POST", r"/api/v1/reports", self.create_report)

    def replies_to(self, status_id: str) -> list[dict]:
        """The statuses created in reply to ``status_id`` (read from the recorded requests)."""
        keys = [
            r.header("idempotency-key")
            for r in self.requests_to(r"/api/v1/statuses$", "POST")
            if str(r.value("in_reply_to_id") or "") == str(status_id)
        ]
        with self.lock:
            texts = [
                r.value("status")
                for r in self.requests
                if r.path == "/api/v1/statuses" and str(r.value("in_reply_to_id") or "") == str(status_id)
            ]
            return [
                s
                for s in self.created
                if (s["idempotency_key"] and s["idempotency_key"] in keys)
                or (not s["idempotency_key"] and s["text"] in texts)
            ]

    def create_report(self, request):
        if not self._authorised(request):
            return Response(401, {"error": "The access token is invalid"})
        account_id = request.value("account_id")
        if not account_id:
            return Response(422, {"error": "Validation failed: Target account must exist"})
        report = {
            "id": self.next_id(),
            "account_id": str(account_id),
            "status_ids": request.values("status_ids") or list(request.value("status_ids", []) or []),
            "comment": request.value("comment", ""),
            "forward": str(request.value("forward", "false")).lower() in ("true", "1"),
            "category": request.value("category", "other"),
        }
        with self.lock:
            self.reports.append(report)
        return Response(
            200,
            {
                "id": report["id"],
                "action_taken": False,
                "category": report["category"],
                "comment": report["comment"],
                "forwarded": report["forward"],
                "created_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "status_ids": report["status_ids"],
                "rule_ids": [],
                "target_account": {**self._account(), "id": report["account_id"]},
            },
        )


class FakeMastodonInbox(FakeMastodon):
    """The fake instance plus what citizens write: ``notifications`` (type mention, paged with
    ``min_id``/``max_id``/``limit``), ``statuses/:id/context`` (ancestors) and ``conversations``
    (direct messages). ``citizen_writes`` adds a status of a citizen and its notification."""

    def __init__(self, *args, **kwargs):
        self.inbound: dict[str, dict] = {}
        self.notifications: list[dict] = []
        self.conversations: dict[str, dict] = {}
        self.malformed_notifications = 0  # answer that many notification requests with garbage
        # Hold the answer of the notification request number ``hold_from`` (1-based) and later ones
        # for ``hold_seconds`` (a worker can be killed while it waits); ``release()`` ends the hold.
        self.notification_calls = 0
        self.hold_from: int | None = None
        self.hold_seconds = 0.0
        super().__init__(*args, **kwargs)

    def setup_routes(self):
        super().setup_routes()
        self.route("GET", r"/api/v1/notifications", self.list_notifications)
        self.route("GET", r"/api/v1/statuses/(?P<status_id>\d+)/context", self.context)
        self.route("GET", r"/api/v1/conversations", self.list_conversations)

    def _citizen(self, acct: str, name: str) -> dict:
        return {
            **self._account(),
            "id": str(abs(hash(acct)) % 10**9 + 10),
            "username": acct.split("@")[0],
            "acct": acct,
            "display_name": name,
            "url": f"https://social.example/@{acct}",
        }

    def citizen_writes(
        self,
        text: str,
        *,
        in_reply_to: str | None = None,
        visibility: str = "public",
        acct: str = "erika",
        name: str = "Erika Muster",
        notify: bool = True,
        media: tuple[str, ...] = (),
    ) -> dict:
        with self.lock:
            status_id = self.next_id()
            parent = self.inbound.get(in_reply_to or "") or next(
                (s for s in self.created if s["id"] == in_reply_to), None
            )
            parent_account = None
            if parent is not None:
                parent_account = parent["account"]["id"] if "account" in parent else "1"
            status = {
                "id": status_id,
                "uri": f"https://social.example/users/{acct}/statuses/{status_id}",
                "url": f"https://social.example/@{acct}/{status_id}",
                "created_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "content": text,
                "visibility": visibility,
                "language": "de",
                "sensitive": False,
                "spoiler_text": "",
                "in_reply_to_id": in_reply_to,
                "in_reply_to_account_id": parent_account,
                "media_attachments": [
                    {
                        "id": self.next_id(),
                        "type": "image",
                        "url": url,
                        "preview_url": url,
                        "description": None,
                    }
                    for url in media
                ],
                "account": self._citizen(acct, name),
                "mentions": [{"id": "1", "acct": self.acct, "username": self.acct, "url": ""}],
                "tags": [],
                "emojis": [],
                "reblogs_count": 0,
                "favourites_count": 0,
                "replies_count": 0,
            }
            self.inbound[status_id] = status
            if notify:
                self.notifications.append(
                    {
                        "id": self.next_id(),
                        "type": "mention",
                        "created_at": status["created_at"],
                        "account": status["account"],
                        "status": status,
                    }
                )
            if visibility == "direct":
                key = acct
                conversation = self.conversations.setdefault(
                    key, {"id": self.next_id(), "accounts": [status["account"]], "unread": True}
                )
                conversation["last_status"] = status
        return status

    def list_notifications(self, request):
        if not self._authorised(request):
            return Response(401, {"error": "The access token is invalid"})
        if self.malformed_notifications > 0:
            self.malformed_notifications -= 1
            return Response(200, {"unexpected": "shape"})
        with self.lock:
            self.notification_calls += 1
            hold = self.hold_from is not None and self.notification_calls >= self.hold_from
        if hold:
            time.sleep(self.hold_seconds)
        types = request.values("types")
        limit = min(int(request.value("limit") or 40), 80)
        min_id, max_id = request.value("min_id"), request.value("max_id")
        with self.lock:
            found = [n for n in self.notifications if not types or n["type"] in types]
        found.sort(key=lambda n: int(n["id"]))
        if max_id:
            found = [n for n in found if int(n["id"]) < int(max_id)]
        if min_id is not None:
            page = [n for n in found if int(n["id"]) > int(min_id)][:limit]
        else:
            page = found[-limit:]
        return Response(200, list(reversed(page)))

    def release(self) -> None:
        with self.lock:
            self.hold_from = None

    def context(self, request, status_id):
        if not self._authorised(request):
            return Response(401, {"error": "The access token is invalid"})
        with self.lock:
            own = {s["id"]: self._status_json(s) for s in self.created}
            everything = {**own, **self.inbound}
            ancestors = []
            current = everything.get(status_id)
            if current is None:
                return Response(404, {"error": "Record not found"})
            while current.get("in_reply_to_id") and current["in_reply_to_id"] in everything:
                current = everything[current["in_reply_to_id"]]
                ancestors.insert(0, current)
            descendants = [s for s in self.inbound.values() if s.get("in_reply_to_id") == status_id]
        return Response(200, {"ancestors": ancestors, "descendants": descendants})

    def list_conversations(self, request):
        if not self._authorised(request):
            return Response(401, {"error": "The access token is invalid"})
        with self.lock:
            items = sorted(
                self.conversations.values(), key=lambda c: int(c["last_status"]["id"]), reverse=True
            )
        limit = min(int(request.value("limit") or 20), 40)
        return Response(200, items[:limit])
