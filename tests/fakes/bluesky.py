"""A fake Bluesky PDS (XRPC): createSession, refreshSession, getSession, uploadBlob, createRecord,
deleteRecord.

Sessions are JWTs that parse (``exp`` two hours ahead, or what ``access_lifetime`` says) and
createSession answers without ``didDoc``, so atproto keeps talking to this server. Only the access
tokens it issued are accepted; ``expire_all_sessions()`` makes every issued token answer 400
``ExpiredToken`` (what a PDS says for a stale session)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time

from .server import FakeServer, RecordedRequest, Response

X = r"/xrpc/"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(payload: dict) -> str:
    header = {"alg": "HS256", "typ": "at+jwt"}
    return ".".join(
        [
            _b64url(json.dumps(header).encode()),
            _b64url(json.dumps(payload).encode()),
            _b64url(secrets.token_bytes(32)),
        ]
    )


def make_cid(data: bytes, codec: int = 0x71) -> str:
    """A CIDv1 (base32, sha-256) – dag-cbor (0x71) for records, raw (0x55) for blobs."""
    raw = bytes([0x01, codec, 0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


class FakeBluesky(FakeServer):
    name = "bluesky"

    def __init__(self, port: int = 0, handle: str = "landkreis.test", password: str = "abcd-efgh-ijkl-mnop"):  # noqa: S107 - the fake's own test credentials
        self.handle = handle
        self.password = password
        self.did = "did:plc:fakelandkreis0000000000"
        self.access_lifetime = 7200
        self.access_tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.expired: set[str] = set()
        self.sessions_created = 0
        self.blobs: dict[str, dict] = {}
        self.deleted: list[str] = []
        # Reports: counts per post URI (getPosts) and the profile's followers (None: left out).
        self.post_counts: dict[str, dict] = {}
        self.followers_count: int | None = 0
        super().__init__(port)

    def channel_kwargs(self) -> dict:
        """What ``publishing.services.channel_create`` needs for a channel that talks to this fake."""
        return {
            "kind": "bluesky",
            "account": self.handle,
            "base_url": self.base_url,
            "credentials": {"app_password": self.password},
        }

    def setup_routes(self):
        self.route("POST", X + r"com\.atproto\.server\.createSession", self.create_session)
        self.route("POST", X + r"com\.atproto\.server\.refreshSession", self.refresh_session)
        self.route("GET", X + r"com\.atproto\.server\.getSession", self.get_session)
        self.route("POST", X + r"com\.atproto\.repo\.uploadBlob", self.upload_blob)
        self.route("POST", X + r"com\.atproto\.repo\.createRecord", self.create_record)
        self.route("POST", X + r"com\.atproto\.repo\.deleteRecord", self.delete_record)
        self.route("GET", X + r"app\.bsky\.feed\.getPosts", self.get_posts)
        self.route("GET", X + r"app\.bsky\.actor\.getProfile", self.get_profile)

    def error_body(self, status, message):
        names = {
            400: "InvalidRequest",
            401: "AuthenticationRequired",
            429: "RateLimitExceeded",
            500: "InternalServerError",
        }
        return {
            "error": names.get(status, "InternalServerError" if status >= 500 else "InvalidRequest"),
            "message": message,
        }

    def rate_limit_answer(self, reset_at):
        headers = {
            "ratelimit-limit": "30",
            "ratelimit-remaining": "0",
            "ratelimit-reset": str(int(reset_at)),
            "ratelimit-policy": "30;w=300",
        }
        return 429, headers, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}

    def unauthorized_answer(self):
        return 401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}

    def expire_all_sessions(self) -> None:
        with self.lock:
            self.expired |= self.access_tokens | self.refresh_tokens

    def _issue(self) -> dict:
        now = int(time.time())
        access = make_jwt(
            {
                "scope": "com.atproto.access",
                "sub": self.did,
                "iat": now,
                "exp": now + self.access_lifetime,
                "aud": "did:web:fake",
            }
        )
        refresh = make_jwt(
            {
                "scope": "com.atproto.refresh",
                "sub": self.did,
                "iat": now,
                "exp": now + 90 * 86400,
                "jti": secrets.token_hex(8),
            }
        )
        with self.lock:
            self.access_tokens.add(access)
            self.refresh_tokens.add(refresh)
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": self.handle,
            "did": self.did,
            "active": True,
        }

    def _bearer(self, request: RecordedRequest) -> str:
        auth = request.header("authorization")
        return auth[7:] if auth.startswith("Bearer ") else ""

    def _check_access(self, request) -> Response | None:
        token = self._bearer(request)
        if token in self.expired:
            return Response(400, {"error": "ExpiredToken", "message": "Token has expired"})
        if token not in self.access_tokens:
            return Response(401, {"error": "AuthenticationRequired", "message": "Authentication Required"})
        return None

    def create_session(self, request):
        body = request.json if isinstance(request.json, dict) else {}
        if body.get("identifier") not in (self.handle, self.did) or body.get("password") != self.password:
            return Response(
                401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
            )
        with self.lock:
            self.sessions_created += 1
        return Response(200, self._issue())

    def refresh_session(self, request):
        token = self._bearer(request)
        if token in self.expired or token not in self.refresh_tokens:
            return Response(400, {"error": "ExpiredToken", "message": "Token has been revoked"})
        return Response(200, self._issue())

    def get_session(self, request):
        refused = self._check_access(request)
        if refused:
            return refused
        return Response(200, {"handle": self.handle, "did": self.did, "active": True})

    def upload_blob(self, request):
        refused = self._check_access(request)
        if refused:
            return refused
        cid = make_cid(request.body, codec=0x55)
        mime = request.header("content-type", "application/octet-stream")
        self.blobs[cid] = {"mime_type": mime, "size": len(request.body)}
        return Response(
            200,
            {"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(request.body)}},
        )

    def create_record(self, request):
        refused = self._check_access(request)
        if refused:
            return refused
        body = request.json if isinstance(request.json, dict) else {}
        if body.get("repo") != self.did:
            return Response(
                400, {"error": "InvalidRequest", "message": "Input/repo must be the session's DID"}
            )
        record = body.get("record") or {}
        text = record.get("text", "")
        if len(text) > 3000:
            return Response(
                400,
                {"error": "InvalidRequest", "message": "Record/text must not be longer than 3000 characters"},
            )
        rkey = body.get("rkey") or secrets.token_hex(7)[:13]
        uri = f"at://{self.did}/{body.get('collection')}/{rkey}"
        self.record_created({"uri": uri, "record": record})
        return Response(200, {"uri": uri, "cid": make_cid(json.dumps(record, sort_keys=True).encode())})

    def delete_record(self, request):
        refused = self._check_access(request)
        if refused:
            return refused
        body = request.json if isinstance(request.json, dict) else {}
        self.deleted.append(f"at://{body.get('repo')}/{body.get('collection')}/{body.get('rkey')}")
        return Response(200, {})

    def get_posts(self, request):
        """Post views of the URIs asked for (unknown ones are left out, as the AppView does)."""
        refused = self._check_access(request)
        if refused:
            return refused
        posts = []
        for uri in request.values("uris"):
            with self.lock:
                created = next((c for c in self.created if c["uri"] == uri), None)
            if created is None:
                continue
            counts = self.post_counts.get(
                uri, {"likeCount": 0, "repostCount": 0, "replyCount": 0, "quoteCount": 0}
            )
            posts.append(
                {
                    "uri": uri,
                    "cid": make_cid(uri.encode()),
                    "author": {"did": self.did, "handle": self.handle},
                    "record": created["record"],
                    "indexedAt": "2026-12-01T10:00:00.000Z",
                    **counts,
                }
            )
        return Response(200, {"posts": posts})

    def get_profile(self, request):
        refused = self._check_access(request)
        if refused:
            return refused
        profile = {"did": self.did, "handle": self.handle}
        if self.followers_count is not None:
            profile["followersCount"] = self.followers_count
        return Response(200, profile)

    # --- replies and moderation ------------------------------------------------------------------------
    # Other accounts' posts (``add_post``) can be read with ``getRecord`` (for their CID) and answered
    # through ``createRecord`` above (the record's ``reply`` names root and parent). Hiding replies is
    # the root's threadgate record, written with ``putRecord`` (``swapRecord`` checked) and kept in
    # ``records`` like every record this fake stores besides the county's own posts.

    def setup_action_routes(self):
        self.records: dict[str, dict] = {}  # uri -> {"cid", "value"}
        self.route("GET", X + r"com\.atproto\.repo\.getRecord", self.get_record)
        self.route("POST", X + r"com\.atproto\.repo\.putRecord", self.put_record)

    def add_post(
        self, text: str, *, did: str = "did:plc:citizen00000000000000000", reply_to: str | None = None
    ):
        """A post by another account (a citizen); returns ``(uri, cid)``."""
        record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-12-01T10:00:00.000Z"}
        if reply_to:
            parent = self._find(reply_to)
            root = ((parent or {}).get("value") or {}).get("reply", {}).get("root") or {
                "uri": reply_to,
                "cid": (parent or {}).get("cid"),
            }
            record["reply"] = {"root": root, "parent": {"uri": reply_to, "cid": (parent or {}).get("cid")}}
        uri = f"at://{did}/app.bsky.feed.post/{secrets.token_hex(7)[:13]}"
        cid = make_cid(json.dumps(record, sort_keys=True).encode())
        with self.lock:
            self.records[uri] = {"cid": cid, "value": record}
        return uri, cid

    def _find(self, uri: str) -> dict | None:
        with self.lock:
            if uri in self.records:
                return self.records[uri]
            for item in self.created:
                if item["uri"] == uri:
                    record = item["record"]
                    return {"cid": make_cid(json.dumps(record, sort_keys=True).encode()), "value": record}
        return None

    def hidden_replies(self, root_uri: str) -> list[str]:
        rkey = root_uri.rsplit("/", 1)[-1]
        gate = self.records.get(f"at://{self.did}/app.bsky.feed.threadgate/{rkey}")
        return list((gate or {}).get("value", {}).get("hiddenReplies") or [])

    def get_record(self, request):
        refused = self._check_access(request)
        if refused:
            return refused
        repo = request.value("repo")
        if repo == self.handle:
            repo = self.did
        uri = f"at://{repo}/{request.value('collection')}/{request.value('rkey')}"
        found = self._find(uri)
        if found is None:
            return Response(400, {"error": "RecordNotFound", "message": f"Could not locate record: {uri}"})
        return Response(200, {"uri": uri, "cid": found["cid"], "value": found["value"]})

    def put_record(self, request):
        refused = self._check_access(request)
        if refused:
            return refused
        body = request.json if isinstance(request.json, dict) else {}
        if body.get("repo") != self.did:
            return Response(
                400, {"error": "InvalidRequest", "message": "Input/repo must be the session's DID"}
            )
        record = body.get("record") or {}
        hidden = record.get("hiddenReplies") or []
        if len(hidden) > 300:
            return Response(
                400,
                {"error": "InvalidRequest", "message": "hiddenReplies must not have more than 300 elements"},
            )
        uri = f"at://{self.did}/{body.get('collection')}/{body.get('rkey')}"
        with self.lock:
            current = self.records.get(uri)
            swap = body.get("swapRecord")
            if swap is not None and (current is None or current["cid"] != swap):
                return Response(400, {"error": "InvalidSwap", "message": "Record was at another version"})
            cid = make_cid(json.dumps(record, sort_keys=True).encode())
            self.records[uri] = {"cid": cid, "value": record}
        return Response(200, {"uri": uri, "cid": cid})


class FakeBlueskyInbox(FakeBluesky):
    """Plus ``app.bsky.notification.listNotifications`` (newest first, ``cursor`` pages back, filtered by
    ``reasons``). ``citizen_writes(text, reply_to=uri)`` adds a post of a citizen and its notification."""

    def __init__(self, *args, **kwargs):
        self.notifications: list[dict] = []
        self._clock = 0
        super().__init__(*args, **kwargs)

    def setup_routes(self):
        super().setup_routes()
        self.route("GET", X + r"app\.bsky\.notification\.listNotifications", self.list_notifications)

    def _stamp(self) -> str:
        with self.lock:
            self._clock += 1
            base = time.time() + self._clock / 1000
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(base)) + f".{int(base * 1000) % 1000:03d}Z"

    def citizen_writes(
        self, text, *, reply_to=None, root=None, reason=None, handle="erika.bsky.social", name="Erika"
    ):
        did = "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]
        uri = f"at://{did}/app.bsky.feed.post/{secrets.token_hex(7)[:13]}"
        stamp = self._stamp()
        record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": stamp, "langs": ["de"]}
        if reply_to:
            cid = make_cid(reply_to.encode())
            record["reply"] = {
                "root": {"uri": root or reply_to, "cid": make_cid((root or reply_to).encode())},
                "parent": {"uri": reply_to, "cid": cid},
            }
        notification = {
            "uri": uri,
            "cid": make_cid(json.dumps(record, sort_keys=True).encode()),
            "author": {"did": did, "handle": handle, "displayName": name},
            "reason": reason or ("reply" if reply_to else "mention"),
            "reasonSubject": root or reply_to,
            "record": record,
            "isRead": False,
            "indexedAt": stamp,
        }
        with self.lock:
            self.notifications.append(notification)
        return notification

    def list_notifications(self, request):
        refused = self._check_access(request)
        if refused:
            return refused
        limit = int(request.value("limit") or 50)
        reasons = request.values("reasons")
        with self.lock:
            found = [n for n in reversed(self.notifications) if not reasons or n["reason"] in reasons]
        start = int(request.value("cursor") or 0)
        page = found[start : start + limit]
        answer = {"notifications": page}
        if start + limit < len(found):
            answer["cursor"] = str(start + limit)
        return Response(200, answer)
