"""X (Twitter): posts through tweepy's ``Client.create_tweet`` (API v2, OAuth 1.0a user context).

tweepy has no v2 media upload (and X retired the v1.1 one), so images go to ``POST /2/media/upload``
(multipart) with the same OAuth 1.0a credentials through requests-oauthlib, and their alt text to
``POST /2/media/metadata``. tweepy's ``Client`` and the upload share one ``requests.Session`` with a
:class:`~channels.networks.http.RoutingHTTPAdapter`, which adds the timeout tweepy lacks and sends
everything to ``Channel.base_url`` when one is set (local fake servers in tests).

5xx on ``POST /2/tweets``: X has no idempotency key. 503 means X did not take the request
(retryable); 500/502/504 may hide a created post (uncertain, a person checks). A repeated identical
text is refused by X with 403 "duplicate content", which makes an accidental second send visible
instead of silent.
"""

from __future__ import annotations

import json
import re

import tweepy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from requests_oauthlib import OAuth1

from . import textlength
from .base import (
    ErrorKind,
    InboundItem,
    InboundKind,
    InboxPage,
    Interactions,
    ItemRef,
    NetworkAdapter,
    NetworkLimits,
    PostContent,
    PublishedRef,
    PublishError,
)
from .http import (
    answer_without_id,
    retry_after_header,
    routed_session,
    scrub,
    seconds_until,
    status_error,
    transport_error,
    unreadable_answer,
    videos_unsupported,
)
from .registry import register

API_HOST = "https://api.x.com"
NETWORK = "X"
_HANDLE = re.compile(r"^@?[A-Za-z0-9_]{1,15}$")


@register
class XAdapter(NetworkAdapter):
    kind = "x"
    label = "X (Twitter)"
    limits = NetworkLimits(
        max_length=280, alt_text_max=1000, requires_media=False, posts_per_window=(100, 86400)
    )
    credential_fields = {
        "consumer_key": gettext_lazy("API key (consumer key)"),
        "consumer_secret": gettext_lazy("API key secret (consumer secret)"),
        "access_token": gettext_lazy("Access token"),
        "access_token_secret": gettext_lazy("Access token secret"),
    }
    account_help = gettext_lazy("The account name without @, e.g. LandkreisROW (for the links to the posts).")
    default_base_url = API_HOST
    reads = frozenset({InboundKind.COMMENT, InboundKind.REPLY, InboundKind.MENTION})
    reads_are_paid = True  # pay per use: every post read is billed – off by default, a monthly budget
    reads_per_window = (150, 900)  # GET /2/users/:id/mentions: 300 per 15 minutes, half of it
    read_page_minimum = 6  # max_results ≥ 5, plus get_me on the first read

    @classmethod
    def count_length(cls, text: str) -> int:
        return textlength.x_weighted(text)

    @classmethod
    def validate_account(cls, account: str) -> list[str]:
        if not _HANDLE.match(account):
            return [_("An X account name has 1–15 letters, digits or underscores.")]
        return []

    def __init__(self, config):
        super().__init__(config)
        # config.base_url empty → the routing adapter leaves tweepy's and our hosts alone.
        self.session, self.transport = routed_session(config.base_url, config.timeout)
        creds = config.credentials
        self.client = tweepy.Client(
            consumer_key=creds.get("consumer_key"),
            consumer_secret=creds.get("consumer_secret"),
            access_token=creds.get("access_token"),
            access_token_secret=creds.get("access_token_secret"),
            wait_on_rate_limit=False,  # never sleep inside a worker; the task reschedules
        )
        self.client.session = self.session

    # --- error mapping -----------------------------------------------------------------------------

    def _map(self, exc: Exception, *, creates: bool) -> PublishError:
        if isinstance(exc, tweepy.HTTPException):
            response = exc.response
            status = getattr(response, "status_code", None)
            messages = [str(m) for m in (exc.api_messages or [])] or [str(getattr(response, "reason", ""))]
            message = scrub("; ".join(m for m in messages if m), self.secrets())
            retry_after = None
            if isinstance(exc, tweepy.TooManyRequests):
                retry_after = seconds_until(getattr(exc, "reset_time", None)) or retry_after_header(
                    {k.lower(): v for k, v in response.headers.items()}
                )
            return status_error(status, message, network=NETWORK, creates=creates, retry_after=retry_after)
        return transport_error(exc, network=NETWORK, creates=creates)

    def _call(self, function, *args, creates: bool, **kwargs):
        import requests

        try:
            return function(*args, **kwargs)
        except (tweepy.HTTPException, requests.RequestException) as exc:
            raise self._map(exc, creates=creates) from None
        except tweepy.TweepyException as exc:
            raise PublishError(
                f"{NETWORK}: {scrub(str(exc), self.secrets())}", kind=ErrorKind.PERMANENT
            ) from None

    def _oauth(self) -> OAuth1:
        creds = self.config.credentials
        return OAuth1(
            creds.get("consumer_key"),
            creds.get("consumer_secret"),
            creds.get("access_token"),
            creds.get("access_token_secret"),
        )

    def _post_raw(self, path: str, *, creates: bool = False, **kwargs) -> dict:
        """A request tweepy does not offer (media upload), with tweepy's own error types."""

        def send():
            response = self.session.post(API_HOST + path, auth=self._oauth(), **kwargs)
            if response.status_code == 429:
                raise tweepy.TooManyRequests(
                    response, reset_time=_int_or_none(response.headers.get("x-rate-limit-reset"))
                )
            if response.status_code >= 400:
                raise _tweepy_error_for(response)
            return response.json()

        try:
            return self._call(send, creates=creates)
        except ValueError:
            raise PublishError(f"{NETWORK}: " + unreadable_answer(), kind=ErrorKind.RETRYABLE) from None

    # --- the interface -----------------------------------------------------------------------------

    def _upload_image(self, item) -> str:
        if item.kind != "image":
            raise PublishError(f"{NETWORK}: " + videos_unsupported(), kind=ErrorKind.PERMANENT)
        with open(item.path, "rb") as handle:
            answer = self._post_raw(
                "/2/media/upload",
                files={"media": (item.path.rsplit("/", 1)[-1], handle, item.mime_type)},
                data={"media_category": "tweet_image", "media_type": item.mime_type},
            )
        media_id = str((answer.get("data") or {}).get("id") or "")
        if not media_id:
            raise PublishError(
                f"{NETWORK}: " + _("the upload returned no media id."), kind=ErrorKind.RETRYABLE
            )
        if item.alt_text:
            self._post_raw(
                "/2/media/metadata",
                json={"id": media_id, "metadata": {"alt_text": {"text": item.alt_text[:1000]}}},
            )
        return media_id

    def _publish(self, content: PostContent) -> PublishedRef:
        media_ids = [self._upload_image(item) for item in content.media[: self.limits.max_images]]
        response = self._call(
            self.client.create_tweet,
            text=self.compose_text(content),
            media_ids=media_ids or None,
            user_auth=True,
            creates=True,
        )
        data = response.data or {}
        tweet_id = str(data.get("id") or "")
        if not tweet_id:
            raise PublishError(
                f"{NETWORK}: " + answer_without_id(),
                kind=ErrorKind.UNCERTAIN,
            )
        handle = self.config.account.lstrip("@") or "i/web"
        return PublishedRef(external_id=tweet_id, url=f"https://x.com/{handle}/status/{tweet_id}")

    def _delete(self, external_id: str) -> None:
        self._call(self.client.delete_tweet, external_id, user_auth=True, creates=False)

    def _check_credentials(self) -> str:
        response = self._call(self.client.get_me, user_auth=True, creates=False)
        data = response.data
        username = getattr(data, "username", None) or (data or {}).get("username", "")
        return f"@{username}" if username else "?"

    # --- figures for the reports -----------------------------------------------------------------------
    # public_metrics of GET /2/tweets/:id; every read is paid, so the reports read X only within the
    # monthly budget they are given (LANDKREIS_REPORT_X_READS_PER_MONTH, 0 = off).
    post_metrics = (
        "impression_count",
        "like_count",
        "retweet_count",
        "reply_count",
        "quote_count",
        "bookmark_count",
    )
    metrics_cost_money = True

    def _fetch_metrics(self, external_id: str) -> dict[str, int]:
        response = self._call(
            self.client.get_tweet, external_id, tweet_fields=["public_metrics"], user_auth=True, creates=False
        )
        metrics = getattr(response.data, "public_metrics", None) or {}
        return self.counts_from(metrics, self.post_metrics)

    def _fetch_followers(self) -> int | None:
        response = self._call(
            self.client.get_me, user_fields=["public_metrics"], user_auth=True, creates=False
        )
        metrics = getattr(response.data, "public_metrics", None) or {}
        return self.counts_from(metrics, ("followers_count",)).get("followers_count")

    # --- reading (the inbox) ---------------------------------------------------------------------------
    #
    # ``GET /2/users/:id/mentions`` with ``since_id`` (the newest mention committed), paged back with
    # ``pagination_token``. Cursor: {"me": own user id (read once – every read costs), "seen": newest id
    # committed, and while paging "page" and "hw"}. A reply's ``conversation_id`` is the thread's root.
    # Direct messages are not read (a separate, more expensive product).

    def _fetch_inbox(self, cursor: str, *, max_items: int | None = None) -> InboxPage:
        try:
            state = json.loads(cursor) if cursor else {}
        except ValueError:
            state = {}
        state = state if isinstance(state, dict) else {}
        requests_made = 0
        if not state.get("me"):
            me = self._call(self.client.get_me, user_auth=True, creates=False)
            requests_made += 1
            state["me"] = str(me.data["id"] if isinstance(me.data, dict) else me.data.id)
        own = state["me"]
        size = max(5, min(100, (max_items - requests_made) if max_items else 100))
        args = {
            "max_results": size,
            "tweet_fields": [
                "created_at",
                "conversation_id",
                "in_reply_to_user_id",
                "referenced_tweets",
                "attachments",
            ],
            "expansions": ["author_id"],
            "user_fields": ["username", "name"],
            "user_auth": True,
        }
        if state.get("seen"):
            args["since_id"] = state["seen"]
        if state.get("page"):
            args["pagination_token"] = state["page"]
        answer = self._call(self.client.get_users_mentions, own, creates=False, **args)
        requests_made += 1
        users = {str(u.id): u for u in (answer.includes or {}).get("users", [])}
        tweets = list(answer.data or [])
        newest = str(state.get("hw") or state.get("seen") or "")
        items = []
        for tweet in tweets:
            tweet_id = str(tweet.id)
            if not newest or int(tweet_id) > int(newest):
                newest = tweet_id
            author = users.get(str(tweet.author_id))
            username = str(getattr(author, "username", "") or "")
            parent = next(
                (str(ref.id) for ref in (tweet.referenced_tweets or []) if ref.type == "replied_to"), ""
            )
            root = str(tweet.conversation_id or "") if parent else ""
            if parent and parent == root and str(tweet.in_reply_to_user_id or "") == own:
                kind = InboundKind.COMMENT
            elif parent:
                kind = InboundKind.REPLY
            else:
                kind = InboundKind.MENTION
            items.append(
                InboundItem(
                    network_id=tweet_id,
                    kind=kind,
                    text=str(tweet.text or ""),
                    created_at=tweet.created_at,
                    author_handle=f"@{username}" if username else "",
                    author_name=str(getattr(author, "name", "") or ""),
                    author_url=f"https://x.com/{username}" if username else "",
                    author_id=str(tweet.author_id or ""),
                    url=f"https://x.com/{username or 'i'}/status/{tweet_id}",
                    parent_id=parent,
                    root_id=root,
                )
            )
        next_token = (answer.meta or {}).get("next_token")
        billed = requests_made - 1 + len(tweets)  # the mentions read (and get_me once)
        if next_token and tweets:
            cursor = {"me": own, "seen": state.get("seen", ""), "hw": newest, "page": next_token}
            return InboxPage(
                tuple(items), json.dumps(cursor), more=True, requests=requests_made, billed_reads=billed
            )
        cursor = {"me": own, "seen": newest}
        return InboxPage(
            tuple(items), json.dumps(cursor), more=False, requests=requests_made, billed_reads=billed
        )

    # --- replies and moderation (what citizens write) ------------------------------------------------
    # Replies with ``in_reply_to_tweet_id``; direct messages through ``POST /2/dm_conversations/with/
    # :participant_id/messages``; hiding (``PUT /2/tweets/:id/hidden``) works only for replies in
    # conversations the county's account started – X refuses others (403, permanent). X cannot delete
    # other people's posts.

    interactions = Interactions(
        reply=True,
        reply_direct=True,
        hide=True,
        unhide=True,
        hide_scope=gettext_lazy("only replies in conversations the county's account started"),
        direct_to_author=True,  # a DM goes to the author's user id (``author_id`` of the mention)
    )

    def _reply(self, target: ItemRef, content: PostContent, *, direct: bool) -> PublishedRef:
        text = self.compose_text(content)
        if direct:  # ``reply()`` refuses an empty ``author_id`` before this is called
            response = self._call(
                self.client.create_direct_message,
                participant_id=target.author_id,
                text=text,
                user_auth=True,
                creates=True,
            )
            event_id = str((response.data or {}).get("dm_event_id") or "")
            if not event_id:
                raise PublishError(f"{NETWORK}: " + answer_without_id(), kind=ErrorKind.UNCERTAIN)
            return PublishedRef(external_id=event_id, url="")
        response = self._call(
            self.client.create_tweet,
            text=text,
            in_reply_to_tweet_id=target.external_id,
            user_auth=True,
            creates=True,
        )
        tweet_id = str((response.data or {}).get("id") or "")
        if not tweet_id:
            raise PublishError(f"{NETWORK}: " + answer_without_id(), kind=ErrorKind.UNCERTAIN)
        handle = self.config.account.lstrip("@") or "i/web"
        return PublishedRef(external_id=tweet_id, url=f"https://x.com/{handle}/status/{tweet_id}")

    def _set_hidden(self, target: ItemRef, hidden: bool) -> None:
        function = self.client.hide_reply if hidden else self.client.unhide_reply
        self._call(function, target.external_id, user_auth=True, creates=False)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _tweepy_error_for(response):
    status = response.status_code
    cls = {
        400: tweepy.BadRequest,
        401: tweepy.Unauthorized,
        403: tweepy.Forbidden,
        404: tweepy.NotFound,
    }.get(status)
    if cls is None:
        cls = tweepy.TwitterServerError if status >= 500 else tweepy.HTTPException
    return cls(response)
