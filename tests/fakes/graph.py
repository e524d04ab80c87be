"""Fake Meta Graph API servers: Facebook pages (feed, photos) and Instagram (container → publish).

Both answer errors the Graph way – a JSON body ``{"error": {"message", "type", "code", ...}}`` with
``Content-Type: application/json`` – and token errors as HTTP 400 with code 190, as Meta does.
The rate limit is code 32 (HTTP 400) with ``X-Business-Use-Case-Usage`` naming the minutes to wait."""

from __future__ import annotations

import calendar
import hashlib
import json
import math
import time

from .server import FakeServer, RecordedRequest, Response

VERSION = r"/v(?P<version>\d+\.\d+)"
FACEBOOK_TOKEN = "facebook-page-token"
INSTAGRAM_TOKEN = "instagram-token"


class FakeGraph(FakeServer):
    def __init__(self, port: int = 0, token: str = "graph-test-token", account_id: str = "1234567890"):  # noqa: S107 - the fake's own test credentials
        self.token = token
        self.account_id = account_id
        self.deleted: list[str] = []
        # Reports: insights per object id (metric name → value or breakdown), the names the API refuses
        # (deprecated: error #100 for the whole request, as Meta answers), the followers (None: left out).
        self.insights: dict[str, dict] = {}
        self.deprecated_metrics: set[str] = set()
        self.followers_count: int | None = 0
        super().__init__(port)

    def get_insights(self, request, version, object_id):
        refused = self.check_token(request)
        if refused:
            return refused
        asked = [m for m in str(request.value("metric", "")).split(",") if m]
        refused_names = [m for m in asked if m in self.deprecated_metrics]
        if refused_names:
            message = f"(#100) The value must be a valid insights metric: {refused_names[0]}"
            return Response(400, self.error_body(400, message, code=100))
        have = self.insights.get(object_id, {})
        data = [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": have[name]}],
                "id": f"{object_id}/insights/{name}/lifetime",
            }
            for name in asked
            if name in have
        ]
        return Response(200, {"data": data, "paging": {}})

    def followers_fields(self, request) -> dict:
        if "followers_count" in str(request.value("fields", "")) and self.followers_count is not None:
            return {"followers_count": self.followers_count}
        return {}

    def error_body(self, status, message, code=None):
        codes = {400: 100, 401: 190, 403: 200, 404: 803, 429: 32}
        return {
            "error": {
                "message": message,
                "type": "OAuthException" if status in (400, 401, 403) else "GraphMethodException",
                "code": code if code is not None else codes.get(status, 2 if status >= 500 else 1),
                "fbtrace_id": "AbCdEfGh",
            }
        }

    def rate_limit_answer(self, reset_at):
        minutes = max(1, math.ceil((reset_at - time.time()) / 60))
        usage = {
            self.account_id: [
                {
                    "type": "pages",
                    "call_count": 100,
                    "total_cputime": 30,
                    "total_time": 40,
                    "estimated_time_to_regain_access": minutes,
                }
            ]
        }
        body = self.error_body(400, "(#32) Page request limit reached", code=32)
        return 400, {"X-Business-Use-Case-Usage": json.dumps(usage)}, body

    def unauthorized_answer(self):
        return 400, self.error_body(400, "Error validating access token: Session has expired", code=190)

    def token_of(self, request: RecordedRequest) -> str:
        auth = request.header("authorization")
        if auth.startswith("Bearer "):
            return auth[7:]
        return request.value("access_token", "") or ""

    def check_token(self, request) -> Response | None:
        if self.token_of(request) != self.token:
            return Response(
                400, self.error_body(400, "Invalid OAuth access token - Cannot parse access token", code=190)
            )
        return None


class FakeFacebook(FakeGraph):
    name = "facebook"

    def __init__(
        self,
        port: int = 0,
        token: str = FACEBOOK_TOKEN,
        account_id: str = "1234567890",
        page_name: str = "Landkreis Test",
    ):
        self.page_name = page_name
        super().__init__(port, token=token, account_id=account_id)

    def channel_kwargs(self) -> dict:
        """What ``publishing.services.channel_create`` needs for a channel that talks to this fake."""
        return {
            "kind": "facebook",
            "account": self.account_id,
            "base_url": self.base_url,
            "credentials": {"page_access_token": self.token},
        }

    def setup_routes(self):
        self.route("POST", VERSION + r"/(?P<page_id>\d+)/feed", self.feed)
        self.route("POST", VERSION + r"/(?P<page_id>\d+)/photos", self.photos)
        self.route("DELETE", VERSION + r"/(?P<object_id>[\d_]+)", self.delete)
        self.route("GET", VERSION + r"/(?P<object_id>[\d_]+)/insights", self.get_insights)
        self.route("GET", VERSION + r"/(?P<object_id>[\d_]+|me)", self.get_object)

    def _page(self, page_id) -> Response | None:
        if page_id != self.account_id:
            return Response(
                400,
                self.error_body(
                    400,
                    f"(#100) Unsupported post request. Object with ID '{page_id}' does not exist",
                    code=100,
                ),
            )
        return None

    def feed(self, request, version, page_id):
        refused = self.check_token(request) or self._page(page_id)
        if refused:
            return refused
        message = request.value("message", "")
        if not message and not request.value("link"):
            return Response(400, self.error_body(400, "(#100) Missing message or attachment", code=100))
        post = {
            "id": f"{page_id}_{self.next_id()}",
            "message": message,
            "link": request.value("link"),
            "version": version,
        }
        self.record_created(post)
        return Response(200, {"id": post["id"]})

    def photos(self, request, version, page_id):
        refused = self.check_token(request) or self._page(page_id)
        if refused:
            return refused
        source = request.files.get("source")
        if source is None:
            return Response(400, self.error_body(400, "(#324) Requires upload file", code=324))
        photo_id = self.next_id()
        post = {
            "id": f"{page_id}_{self.next_id()}",
            "photo_id": photo_id,
            "message": request.value("message", ""),
            "alt_text_custom": request.value("alt_text_custom"),
            "bytes": len(source["data"]),
            "version": version,
        }
        self.record_created(post)
        return Response(200, {"id": photo_id, "post_id": post["id"]})

    def delete(self, request, version, object_id):
        refused = self.check_token(request)
        if refused:
            return refused
        self.deleted.append(object_id)
        return Response(200, {"success": True})

    def get_object(self, request, version, object_id):
        refused = self.check_token(request)
        if refused:
            return refused
        if object_id in (self.account_id, "me"):
            return Response(
                200, {"id": self.account_id, "name": self.page_name, **self.followers_fields(request)}
            )
        return Response(400, self.error_body(400, f"Object with ID '{object_id}' does not exist", code=100))

    # --- replies and moderation ------------------------------------------------------------------------
    # Citizens' comments (``add_comment``) can be answered (``POST /{comment-id}/comments``), hidden and
    # shown (``POST /{comment-id}`` with ``is_hidden``), deleted (the DELETE route above) and answered
    # privately through Messenger (``POST /{page-id}/messages``).

    def setup_action_routes(self):
        self.comments: dict[str, dict] = {}
        self.messages: list[dict] = []
        self.route("POST", VERSION + r"/(?P<comment_id>\d+_\d+)/comments", self.reply_to_comment)
        self.route("POST", VERSION + r"/(?P<page_id>\d+)/messages", self.send_message)
        self.route("POST", VERSION + r"/(?P<comment_id>\d+_\d+)", self.update_comment)
        self.route_first("GET", VERSION + r"/(?P<object_id>\d+_\d+)", self.get_comment)

    def add_comment(self, post_id: str, message: str, *, author: str = "Erika Mustermann") -> str:
        """A citizen's comment on ``post_id``; returns its Graph id."""
        comment_id = f"{post_id.rsplit('_', 1)[-1]}_{self.next_id()}"
        with self.lock:
            self.comments[comment_id] = {
                "id": comment_id,
                "message": message,
                "from": {"name": author, "id": self.next_id()},
                "parent": None,
                "post_id": post_id,
                "is_hidden": False,
                "by_page": False,
            }
        return comment_id

    def reply_to_comment(self, request, version, comment_id):
        refused = self.check_token(request)
        if refused:
            return refused
        parent = self.comments.get(comment_id)
        if parent is None:
            return Response(
                400, self.error_body(400, f"(#100) Object with ID '{comment_id}' does not exist", code=100)
            )
        message = request.value("message", "")
        if not message:
            return Response(400, self.error_body(400, "(#100) Missing message", code=100))
        reply_id = f"{comment_id.split('_')[0]}_{self.next_id()}"
        with self.lock:
            self.comments[reply_id] = {
                "id": reply_id,
                "message": message,
                "from": {"name": self.page_name, "id": self.account_id},
                "parent": comment_id,
                "post_id": parent["post_id"],
                "is_hidden": False,
                "by_page": True,
            }
        return Response(200, {"id": reply_id})

    def update_comment(self, request, version, comment_id):
        refused = self.check_token(request)
        if refused:
            return refused
        comment = self.comments.get(comment_id)
        if comment is None:
            return Response(
                400, self.error_body(400, f"(#100) Object with ID '{comment_id}' does not exist", code=100)
            )
        hidden = request.value("is_hidden")
        if hidden is None:
            return Response(400, self.error_body(400, "(#100) No fields to update", code=100))
        if comment["by_page"]:
            return Response(400, self.error_body(400, "(#100) A page cannot hide its own comments", code=100))
        comment["is_hidden"] = str(hidden).lower() == "true"
        return Response(200, {"success": True})

    def get_comment(self, request, version, object_id):
        comment = self.comments.get(object_id)
        if comment is None:
            return self.get_object(request, version, object_id)
        refused = self.check_token(request)
        if refused:
            return refused
        post = comment["post_id"].split("_")
        return Response(
            200,
            {
                "id": object_id,
                "permalink_url": f"https://www.facebook.com/{post[0]}/posts/{post[-1]}?comment_id={object_id}",
            },
        )

    def send_message(self, request, version, page_id):
        refused = self.check_token(request) or self._page(page_id)
        if refused:
            return refused
        try:
            recipient = json.loads(request.value("recipient") or "{}")
            message = json.loads(request.value("message") or "{}")
        except ValueError:
            return Response(400, self.error_body(400, "(#100) param recipient must be JSON", code=100))
        comment_id = recipient.get("comment_id")
        if comment_id is not None:
            comment = self.comments.get(comment_id)
            if comment is None:
                return Response(400, self.error_body(400, "(#100) No matching comment", code=100))
            if any(m["recipient"].get("comment_id") == comment_id for m in self.messages):
                # Meta allows one private reply per comment.
                return Response(400, self.error_body(400, "(#10900) Activity already replied to", code=10900))
        elif not recipient.get("id"):
            return Response(400, self.error_body(400, "(#100) param recipient is required", code=100))
        entry = {
            "recipient": recipient,
            "text": message.get("text", ""),
            "message_id": f"m_{self.next_id()}",
        }
        with self.lock:
            self.messages.append(entry)
        return Response(200, {"recipient_id": recipient.get("id") or "1", "message_id": entry["message_id"]})


class FakeInstagram(FakeGraph):
    name = "instagram"

    def __init__(
        self,
        port: int = 0,
        token: str = INSTAGRAM_TOKEN,
        account_id: str = "17841400000000000",
        username: str = "landkreis_test",
    ):
        self.username = username
        self.containers: dict[str, dict] = {}
        self.container_polls = 0  # polls answering IN_PROGRESS before FINISHED
        super().__init__(port, token=token, account_id=account_id)

    def channel_kwargs(self) -> dict:
        """What ``publishing.services.channel_create`` needs for a channel that talks to this fake."""
        return {
            "kind": "instagram",
            "account": self.account_id,
            "base_url": self.base_url,
            "credentials": {"access_token": self.token},
        }

    def setup_routes(self):
        self.route("POST", VERSION + r"/(?P<user_id>\d+)/media", self.create_container)
        self.route("POST", VERSION + r"/(?P<user_id>\d+)/media_publish", self.publish)
        self.route("GET", VERSION + r"/(?P<object_id>\d+)/insights", self.get_insights)
        self.route("GET", VERSION + r"/(?P<object_id>\d+|me)", self.get_object)

    def create_container(self, request, version, user_id):
        refused = self.check_token(request)
        if refused:
            return refused
        if user_id != self.account_id:
            return Response(400, self.error_body(400, "Unsupported post request", code=100))
        image_url = request.value("image_url")
        if not image_url:
            return Response(
                400,
                self.error_body(400, "(#9004) Only photo or video can be accepted as media type.", code=9004),
            )
        container_id = self.next_id()
        self.containers[container_id] = {
            "image_url": image_url,
            "caption": request.value("caption", ""),
            "alt_text": request.value("alt_text"),
            "polls_left": self.container_polls,
            "published_as": None,
        }
        return Response(200, {"id": container_id})

    def publish(self, request, version, user_id):
        refused = self.check_token(request)
        if refused:
            return refused
        container = self.containers.get(str(request.value("creation_id")))
        if container is None:
            return Response(400, self.error_body(400, "Media ID is not available", code=9007))
        with self.lock:
            if container["published_as"] is None:  # Meta publishes a container once
                media_id = self.next_id()
                container["published_as"] = media_id
                self.created.append(
                    {"id": media_id, **{k: container[k] for k in ("image_url", "caption", "alt_text")}}
                )
        return Response(200, {"id": container["published_as"]})

    def get_object(self, request, version, object_id):
        refused = self.check_token(request)
        if refused:
            return refused
        fields = request.value("fields", "")
        if object_id in (self.account_id, "me"):
            return Response(
                200, {"id": self.account_id, "username": self.username, **self.followers_fields(request)}
            )
        if object_id in self.containers:
            container = self.containers[object_id]
            if container["polls_left"] > 0:
                container["polls_left"] -= 1
                return Response(200, {"id": object_id, "status_code": "IN_PROGRESS"})
            return Response(200, {"id": object_id, "status_code": "FINISHED"})
        with self.lock:
            media = next((m for m in self.created if m["id"] == object_id), None)
        if media is not None and "permalink" in fields:
            return Response(
                200, {"id": object_id, "permalink": f"https://www.instagram.com/p/FAKE{object_id}/"}
            )
        return Response(400, self.error_body(400, f"Object with ID '{object_id}' does not exist", code=100))

    # --- replies and moderation ------------------------------------------------------------------------
    # Citizens' comments on media (``add_comment``): replies (``POST /{comment-id}/replies`` – top-level
    # and visible comments only, as Meta allows), hiding (``POST /{comment-id}`` with ``hide``),
    # deleting (``DELETE /{comment-id}``) and private replies (``POST /{ig-user-id}/messages``).

    def setup_action_routes(self):
        self.comments: dict[str, dict] = {}
        self.messages: list[dict] = []
        self.deleted_comments: list[str] = []
        self.route("POST", VERSION + r"/(?P<comment_id>\d+)/replies", self.reply_to_comment)
        self.route("POST", VERSION + r"/(?P<user_id>\d+)/messages", self.send_message)
        self.route("POST", VERSION + r"/(?P<comment_id>\d+)", self.update_comment)
        self.route("DELETE", VERSION + r"/(?P<comment_id>\d+)", self.delete_comment)

    def add_comment(
        self, media_id: str, text: str, *, username: str = "erika.m", parent: str | None = None
    ) -> str:
        comment_id = self.next_id()
        with self.lock:
            self.comments[comment_id] = {
                "id": comment_id,
                "text": text,
                "username": username,
                "media_id": media_id,
                "parent": parent,
                "hidden": False,
                "by_account": False,
            }
        return comment_id

    def _missing(self, comment_id):
        return Response(
            400,
            self.error_body(
                400, f"Unsupported request. Object with ID '{comment_id}' does not exist", code=100
            ),
        )

    def reply_to_comment(self, request, version, comment_id):
        refused = self.check_token(request)
        if refused:
            return refused
        comment = self.comments.get(comment_id)
        if comment is None:
            return self._missing(comment_id)
        if comment["parent"] is not None or comment["hidden"]:
            return Response(
                400,
                self.error_body(
                    400, "(#100) Replies are only possible to visible top-level comments", code=100
                ),
            )
        reply_id = self.add_comment(comment["media_id"], request.value("message", ""), parent=comment_id)
        self.comments[reply_id].update(username=self.username, by_account=True)
        return Response(200, {"id": reply_id})

    def update_comment(self, request, version, comment_id):
        refused = self.check_token(request)
        if refused:
            return refused
        comment = self.comments.get(comment_id)
        if comment is None:
            return self._missing(comment_id)
        comment["hidden"] = str(request.value("hide", "")).lower() == "true"
        return Response(200, {"success": True})

    def delete_comment(self, request, version, comment_id):
        refused = self.check_token(request)
        if refused:
            return refused
        if self.comments.pop(comment_id, None) is None:
            return self._missing(comment_id)
        self.deleted_comments.append(comment_id)
        return Response(200, {"success": True})

    def send_message(self, request, version, user_id):
        refused = self.check_token(request)
        if refused:
            return refused
        try:
            recipient = json.loads(request.value("recipient") or "{}")
            message = json.loads(request.value("message") or "{}")
        except ValueError:
            return Response(400, self.error_body(400, "(#100) param recipient must be JSON", code=100))
        if recipient.get("comment_id") and recipient["comment_id"] not in self.comments:
            return self._missing(recipient["comment_id"])
        entry = {
            "recipient": recipient,
            "text": message.get("text", ""),
            "message_id": f"ig_m_{self.next_id()}",
        }
        with self.lock:
            self.messages.append(entry)
        return Response(200, {"recipient_id": recipient.get("id") or "1", "message_id": entry["message_id"]})


def _graph_stamp(offset: float = 0.0) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(time.time() + offset))


class FakeFacebookInbox(FakeFacebook):
    """Plus the page's posts (``GET /{page}/posts``) and their comments (``GET /{post}/comments`` with
    ``since``), and Messenger (``GET /{page}/conversations?platform=messenger``, conversations updated
    last first, each with its newest messages; no time-based paging, as Graph documents).
    ``citizen_comments(post_id, text, parent=None)`` adds a comment, ``citizen_messages(text)`` a
    message (``from.id`` is the citizen's page-scoped id, the PSID); the page's answers through
    ``POST /{page}/messages`` appear in the conversation as the page's messages."""

    def __init__(self, *args, **kwargs):
        self.comments: dict[str, list[dict]] = {}
        self.conversations: dict[str, dict] = {}  # by the citizen's PSID
        super().__init__(*args, **kwargs)

    def setup_routes(self):
        self.route("GET", VERSION + r"/(?P<page_id>\d+)/posts", self.list_posts)
        self.route("GET", VERSION + r"/(?P<page_id>\d+)/conversations", self.list_conversations)
        self.route("GET", VERSION + r"/(?P<post_id>[\d_]+)/comments", self.list_comments)
        super().setup_routes()

    def citizen_comments(
        self,
        post_id: str,
        text: str,
        *,
        parent: str | None = None,
        name: str = "Erika Muster",
        age: float = 0.0,
        with_from: bool = True,
    ):
        """``with_from=False``: Graph leaves ``from`` out (it does for some users)."""
        comment = {
            "id": f"{post_id.split('_')[-1]}_{self.next_id()}",
            "message": text,
            "created_time": _graph_stamp(-age),
            "permalink_url": f"https://www.facebook.com/{post_id}?comment_id={self._ids}",
        }
        if with_from:
            comment["from"] = {"id": self.next_id(), "name": name}
        if parent:
            comment["parent"] = {"id": parent}
        with self.lock:
            self.comments.setdefault(post_id, []).append(comment)
        return comment

    @staticmethod
    def psid_of(name: str) -> str:
        return str(int(hashlib.sha256(name.encode()).hexdigest()[:12], 16) + 10**15)

    def citizen_messages(self, text: str, *, name: str = "Erika Muster", age: float = 0.0) -> dict:
        psid = self.psid_of(name)
        message = {
            "id": f"m_{self.next_id()}",
            "message": text,
            "from": {"name": name, "email": f"{psid}@facebook.com", "id": psid},
            "created_time": _graph_stamp(-age),
        }
        self._add_message(psid, message)
        return message

    def _add_message(self, psid: str, message: dict) -> None:
        with self.lock:
            conversation = self.conversations.setdefault(
                psid, {"id": f"t_{self.next_id()}", "messages": [], "updated_time": message["created_time"]}
            )
            conversation["messages"].insert(0, message)  # newest first, as Graph answers
            conversation["updated_time"] = max(conversation["updated_time"], message["created_time"])

    def list_conversations(self, request, version, page_id):
        refused = self.check_token(request) or self._page(page_id)
        if refused:
            return refused
        if request.value("platform", "messenger") != "messenger":
            return Response(400, self.error_body(400, "(#100) platform must be messenger", code=100))
        limit = int(request.value("limit") or 25)
        with self.lock:
            found = sorted(self.conversations.values(), key=lambda c: c["updated_time"], reverse=True)
            data = [
                {
                    "id": c["id"],
                    "updated_time": c["updated_time"],
                    "messages": {"data": [dict(m) for m in c["messages"][:25]]},
                }
                for c in found[:limit]
            ]
        return Response(200, {"data": data})

    def send_message(self, request, version, page_id):
        response = super().send_message(request, version, page_id)
        if response.status == 200:
            entry = self.messages[-1]
            psid = str(entry["recipient"].get("id") or "")
            if psid in self.conversations:
                self._add_message(
                    psid,
                    {
                        "id": entry["message_id"],
                        "message": entry["text"],
                        "from": {"name": self.page_name, "id": self.account_id},
                        "created_time": _graph_stamp(),
                    },
                )
        return response

    def list_posts(self, request, version, page_id):
        refused = self.check_token(request) or self._page(page_id)
        if refused:
            return refused
        with self.lock:
            posts = [{"id": p["id"], "created_time": _graph_stamp()} for p in reversed(self.created)]
        limit = int(request.value("limit") or 25)
        return Response(200, {"data": posts[:limit]})

    def list_comments(self, request, version, post_id):
        refused = self.check_token(request)
        if refused:
            return refused
        since = int(request.value("since") or 0)
        with self.lock:
            found = [
                c
                for c in self.comments.get(post_id, [])
                if calendar.timegm(time.strptime(c["created_time"], "%Y-%m-%dT%H:%M:%S+0000")) >= since
            ]
        return Response(200, {"data": found[: int(request.value("limit") or 25)]})


class FakeInstagramInbox(FakeInstagram):
    """Plus ``GET /{ig-user}/media`` and ``GET /{media}/comments`` (with ``replies``; no ``since``)."""

    def __init__(self, *args, **kwargs):
        self.comments: dict[str, list[dict]] = {}
        super().__init__(*args, **kwargs)

    def setup_routes(self):
        self.route("GET", VERSION + r"/(?P<user_id>\d+)/media", self.list_media)
        self.route("GET", VERSION + r"/(?P<media_id>\d+)/comments", self.list_comments)
        super().setup_routes()

    def citizen_comments(
        self, media_id: str, text: str, *, reply_to: str | None = None, username: str = "erika.m"
    ):
        comment = {
            "id": self.next_id(),
            "text": text,
            "timestamp": _graph_stamp(),
            "username": username,
            # The Instagram-scoped id (IGSID) and username of the author, as Graph answers ``from``.
            "from": {
                "id": str(int(hashlib.sha256(username.encode()).hexdigest()[:12], 16)),
                "username": username,
            },
        }
        with self.lock:
            if reply_to:
                for top in self.comments.get(media_id, []):
                    if top["id"] == reply_to:
                        top.setdefault("replies", {"data": []})["data"].append(comment)
            else:
                self.comments.setdefault(media_id, []).append(comment)
        return comment

    def list_media(self, request, version, user_id):
        refused = self.check_token(request)
        if refused:
            return refused
        with self.lock:
            media = [
                {"id": m["id"], "timestamp": _graph_stamp()} for m in reversed(self.created) if "id" in m
            ]
        return Response(200, {"data": media[: int(request.value("limit") or 25)]})

    def list_comments(self, request, version, media_id):
        refused = self.check_token(request)
        if refused:
            return refused
        with self.lock:
            found = [dict(c) for c in self.comments.get(media_id, [])]
        return Response(200, {"data": found})
