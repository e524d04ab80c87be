"""A fake X API v2: ``POST/DELETE /2/tweets``, ``GET /2/users/me``, ``POST /2/media/upload`` and
``POST /2/media/metadata``. Requests without an OAuth 1.0a ``Authorization`` header get 401, and a
repeated tweet text gets X's 403 "duplicate content"."""

from __future__ import annotations

import time

from .server import FakeServer, RecordedRequest, Response


class FakeX(FakeServer):
    name = "x"

    def __init__(self, port: int = 0, username: str = "LandkreisTest"):
        self.username = username
        # The OAuth 1.0a keys the fake accepts (it checks they are named, not the signature).
        self.consumer_key = "fake-consumer-key"
        self.access_token = "fake-access-token"
        self.media: dict[str, dict] = {}
        self.deleted: list[str] = []
        # Reports: public_metrics per tweet id and the account's followers.
        self.tweet_metrics: dict[str, dict] = {}
        self.followers_count = 0
        super().__init__(port)

    def channel_kwargs(self) -> dict:
        """What ``publishing.services.channel_create`` needs for a channel that talks to this fake."""
        return {
            "kind": "x",
            "account": self.username,
            "base_url": self.base_url,
            "credentials": {
                "consumer_key": self.consumer_key,
                "consumer_secret": "fake-consumer-secret",
                "access_token": self.access_token,
                "access_token_secret": "fake-access-token-secret",
            },
        }

    def setup_routes(self):
        self.route("POST", r"/2/tweets", self.create_tweet)
        self.route("DELETE", r"/2/tweets/(?P<tweet_id>\d+)", self.delete_tweet)
        self.route("GET", r"/2/users/me", self.me)
        self.route("GET", r"/2/tweets/(?P<tweet_id>\d+)", self.get_tweet)
        self.route("POST", r"/2/media/upload", self.upload)
        self.route("POST", r"/2/media/metadata", self.metadata)

    # X answers errors as RFC 7807 problem details (plus "errors" for some endpoints).
    def error_body(self, status, message):
        return {"title": message, "detail": message, "type": "about:blank", "status": status}

    def rate_limit_answer(self, reset_at):
        headers = {
            "x-rate-limit-limit": "100",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(int(reset_at)),
        }
        return 429, headers, self.error_body(429, "Too Many Requests")

    def unauthorized_answer(self):
        return 401, self.error_body(401, "Unauthorized")

    def _authorised(self, request: RecordedRequest) -> bool:
        auth = request.header("authorization")
        return (
            auth.startswith("OAuth ")
            and "oauth_signature=" in auth
            and f'oauth_consumer_key="{self.consumer_key}"' in auth
            and f'oauth_token="{self.access_token}"' in auth
        )

    def create_tweet(self, request):
        if not self._authorised(request):
            return Response(401, self.error_body(401, "Unauthorized"))
        body = request.json if isinstance(request.json, dict) else {}
        text = body.get("text", "")
        with self.lock:
            if any(item["text"] == text for item in self.created):
                return Response(
                    403,
                    self.error_body(403, "You are not allowed to create a Tweet with duplicate content."),
                )
            media_ids = (body.get("media") or {}).get("media_ids") or []
            unknown = [m for m in media_ids if m not in self.media]
            if unknown:
                return Response(
                    400,
                    {"errors": [{"message": f"Unknown media id {unknown[0]}"}], "title": "Invalid Request"},
                )
            tweet = {"id": self.next_id(), "text": text, "media_ids": media_ids}
            self.created.append(tweet)
        return Response(
            201, {"data": {"id": tweet["id"], "text": text, "edit_history_tweet_ids": [tweet["id"]]}}
        )

    def delete_tweet(self, request, tweet_id):
        if not self._authorised(request):
            return Response(401, self.error_body(401, "Unauthorized"))
        self.deleted.append(tweet_id)
        return Response(200, {"data": {"deleted": True}})

    def me(self, request):
        if not self._authorised(request):
            return Response(401, self.error_body(401, "Unauthorized"))
        data = {"id": "2244994945", "name": "Landkreis", "username": self.username}
        if "public_metrics" in str(request.value("user.fields", "")):
            data["public_metrics"] = {
                "followers_count": self.followers_count,
                "following_count": 3,
                "tweet_count": len(self.created),
            }
        return Response(200, {"data": data})

    def upload(self, request):
        if not self._authorised(request):
            return Response(401, self.error_body(401, "Unauthorized"))
        upload = request.files.get("media")
        if upload is None:
            return Response(400, self.error_body(400, "media is required"))
        media_id = str(int(time.time() * 1000)) + self.next_id()
        self.media[media_id] = {
            "data": upload["data"],
            "content_type": upload["content_type"],
            "category": request.value("media_category"),
            "alt_text": None,
        }
        return Response(
            200,
            {
                "data": {
                    "id": media_id,
                    "media_key": f"3_{media_id}",
                    "size": len(upload["data"]),
                    "expires_after_secs": 86400,
                }
            },
        )

    def metadata(self, request):
        if not self._authorised(request):
            return Response(401, self.error_body(401, "Unauthorized"))
        body = request.json if isinstance(request.json, dict) else {}
        media = self.media.get(str(body.get("id")))
        if media is None:
            return Response(400, self.error_body(400, "unknown media id"))
        alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
        if alt is not None and len(alt) > 1000:
            return Response(400, self.error_body(400, "alt text longer than 1000 characters"))
        media["alt_text"] = alt
        return Response(200, {"data": {"id": body["id"], "associated_metadata": body.get("metadata")}})

    def get_tweet(self, request, tweet_id):
        if not self._authorised(request):
            return Response(401, self.error_body(401, "Unauthorized"))
        with self.lock:
            tweet = next((t for t in self.created if t["id"] == tweet_id), None)
        if tweet is None:
            return Response(
                200,
                {
                    "errors": [
                        {"detail": f"Could not find tweet with id: [{tweet_id}].", "title": "Not Found Error"}
                    ]
                },
            )
        data = {"id": tweet_id, "text": tweet["text"], "edit_history_tweet_ids": [tweet_id]}
        if "public_metrics" in str(request.value("tweet.fields", "")):
            data["public_metrics"] = self.tweet_metrics.get(
                tweet_id,
                {
                    "retweet_count": 0,
                    "reply_count": 0,
                    "like_count": 0,
                    "quote_count": 0,
                    "bookmark_count": 0,
                    "impression_count": 0,
                },
            )
        return Response(200, {"data": data})

    # --- replies and moderation ------------------------------------------------------------------------
    # Other accounts' tweets (``add_tweet``) can be answered (``create_tweet`` above records
    # ``reply.in_reply_to_tweet_id``), hidden and shown (``PUT /2/tweets/:id/hidden`` – only replies in
    # conversations the account started, as X allows) and answered by direct message.

    def setup_action_routes(self):
        self.tweets: dict[str, dict] = {}  # other accounts' tweets
        self.dms: list[dict] = []
        self.route("PUT", r"/2/tweets/(?P<tweet_id>\d+)/hidden", self.set_hidden)
        self.route("POST", r"/2/dm_conversations/with/(?P<participant_id>\d+)/messages", self.send_dm)

    def add_tweet(self, text: str, *, author_id: str = "987654321", in_reply_to: str | None = None) -> str:
        tweet_id = self.next_id()
        parent = self.tweets.get(in_reply_to or "")
        conversation = (parent or {}).get("conversation_id") or in_reply_to or tweet_id
        with self.lock:
            self.tweets[tweet_id] = {
                "id": tweet_id,
                "text": text,
                "author_id": author_id,
                "conversation_id": conversation,
                "hidden": False,
            }
        return tweet_id

    def set_hidden(self, request, tweet_id):
        if not self._authorised(request):
            return Response(401, self.error_body(401, "Unauthorized"))
        tweet = self.tweets.get(tweet_id)
        if tweet is None:
            return Response(404, self.error_body(404, "Could not find tweet"))
        with self.lock:
            own = {item["id"] for item in self.created}
        if tweet["conversation_id"] not in own:
            return Response(
                403,
                self.error_body(403, "You can only hide or unhide replies to conversations you authored."),
            )
        body = request.json if isinstance(request.json, dict) else {}
        tweet["hidden"] = bool(body.get("hidden"))
        return Response(200, {"data": {"hidden": tweet["hidden"]}})

    def send_dm(self, request, participant_id):
        if not self._authorised(request):
            return Response(401, self.error_body(401, "Unauthorized"))
        body = request.json if isinstance(request.json, dict) else {}
        if not body.get("text"):
            return Response(400, self.error_body(400, "text is required"))
        event = {"dm_event_id": self.next_id(), "participant_id": participant_id, "text": body["text"]}
        with self.lock:
            self.dms.append(event)
        return Response(
            201, {"data": {"dm_conversation_id": f"1-{participant_id}", "dm_event_id": event["dm_event_id"]}}
        )


class FakeXInbox(FakeX):
    """Plus ``GET /2/users/:id/mentions`` (newest first, ``since_id``, ``pagination_token``,
    ``max_results`` 5–100, ``includes.users``). ``citizen_mentions(text, reply_to=…)`` adds one;
    ``posts_read`` counts the posts handed out (what X would bill)."""

    OWN_ID = "2244994945"

    def __init__(self, *args, **kwargs):
        self.mentions: list[dict] = []
        self.users: dict[str, dict] = {}
        self.posts_read = 0
        super().__init__(*args, **kwargs)

    def setup_routes(self):
        self.route("GET", r"/2/users/(?P<user_id>\d+)/mentions", self.list_mentions)
        super().setup_routes()

    def citizen_mentions(
        self, text, *, reply_to=None, conversation=None, to_user=None, username="erika_m", name="Erika"
    ):
        user_id = str(abs(hash(username)) % 10**9 + 10**9)
        self.users[user_id] = {"id": user_id, "username": username, "name": name}
        with self.lock:
            tweet_id = str(10**17 + int(self.next_id()))
        tweet = {
            "id": tweet_id,
            "text": text,
            "author_id": user_id,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "conversation_id": conversation or reply_to or tweet_id,
            "edit_history_tweet_ids": [tweet_id],
        }
        if reply_to:
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
            tweet["in_reply_to_user_id"] = to_user or self.OWN_ID
        with self.lock:
            self.mentions.append(tweet)
        return tweet

    def list_mentions(self, request, user_id):
        if not self._authorised(request):
            return Response(401, self.error_body(401, "Unauthorized"))
        size = int(request.value("max_results") or 10)
        if not 5 <= size <= 100:
            return Response(400, self.error_body(400, "max_results must be between 5 and 100"))
        since = int(request.value("since_id") or 0)
        with self.lock:
            found = [t for t in reversed(self.mentions) if int(t["id"]) > since]
        start = int(request.value("pagination_token") or 0)
        page = found[start : start + size]
        self.posts_read += len(page)
        meta = {"result_count": len(page)}
        if page:
            meta["newest_id"], meta["oldest_id"] = page[0]["id"], page[-1]["id"]
        if start + size < len(found):
            meta["next_token"] = str(start + size)
        authors = {t["author_id"] for t in page}
        body = {"meta": meta}
        if page:
            body["data"] = page
            body["includes"] = {"users": [self.users[a] for a in authors]}
        return Response(200, body)
