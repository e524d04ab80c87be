"""Facebook pages through facebook-sdk's ``GraphAPI`` (feed posts and photos).

facebook-sdk 3.1.0 refuses versions above 3.1 in its constructor; ``graph.version`` is set after
construction to a current Graph API version, which ``request()`` honours. The SDK builds its URLs
from the module global ``facebook.FACEBOOK_GRAPH_URL``; instead of changing that global (which would
race between channels in one worker), the adapter hands ``GraphAPI`` its own session whose
:class:`~channels.networks.http.RoutingHTTPAdapter` sends the requests to ``Channel.base_url``.

facebook-sdk raises ``GraphAPIError`` whenever the JSON body has ``error`` and does not look at the
HTTP status, so the adapter reads the status from its routing adapter. Mapping: codes 4, 17, 32, 613,
80001 (rate limits) → retryable, with the wait from ``X-Business-Use-Case-Usage`` where present;
190 (token) and 102 (session) → permanent with ``credentials_problem``; 200–299 and 10 (permission) →
permanent; ``is_transient``/codes 1, 2 (temporary) → retryable. A 5xx without such a body on the
feed/photo POST is uncertain (no idempotency key at Facebook); on reads and deletes retryable.
"""

from __future__ import annotations

import json
import logging
import re
import time

import facebook
import requests
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
    graph_time,
    insight_values,
    meta_retry_after,
    one_image_only,
    routed_session,
    scrub,
    since_cursor,
    status_error,
    transport_error,
    unreadable_answer,
)
from .registry import register

logger = logging.getLogger(__name__)
GRAPH_VERSION = "v21.0"
NETWORK = "Facebook"
RATE_LIMIT_CODES = {4, 17, 32, 613, 80001, 80004}
TOKEN_CODES = {102, 190}
TRANSIENT_CODES = {1, 2}


@register
class FacebookAdapter(NetworkAdapter):
    kind = "facebook"
    label = "Facebook"
    limits = NetworkLimits(
        max_length=63206, alt_text_max=None, requires_media=False, posts_per_window=(200, 3600)
    )
    credential_fields = {"page_access_token": gettext_lazy("Page access token")}
    account_help = gettext_lazy("The numeric id of the Facebook page.")
    account_required = True
    default_base_url = facebook.FACEBOOK_GRAPH_URL.rstrip("/")
    reads = frozenset({InboundKind.COMMENT, InboundKind.REPLY, InboundKind.DIRECT})
    reads_per_window = (100, 3600)  # Business Use Case limits: stay well below, posting needs its share
    webhook_source = "meta"

    @classmethod
    def count_length(cls, text: str) -> int:
        return textlength.codepoints(text)

    @classmethod
    def validate_account(cls, account: str) -> list[str]:
        if not re.fullmatch(r"\d{5,25}", account):
            return [_("The page id consists of digits only (see “Page → About”).")]
        return []

    @staticmethod
    def compose_text(content: PostContent) -> str:
        return content.text.strip()  # the link goes separately, as Facebook's link preview

    def __init__(self, config):
        super().__init__(config)
        # facebook-sdk puts the token into the query string of GET and DELETE requests; the routing
        # adapter moves it into the Authorization header (which the Graph API accepts): URLs end up
        # in logs, headers do not.
        self.session, self.transport = routed_session(
            config.base_url, config.timeout, query_param_to_bearer="access_token"
        )
        self.graph = facebook.GraphAPI(
            access_token=config.credentials.get("page_access_token"),
            timeout=config.timeout,
            session=self.session,
        )
        self.graph.version = GRAPH_VERSION  # after construction: the constructor stops at 3.1

    @property
    def page_id(self) -> str:
        return self.config.account.strip()

    # --- error mapping -----------------------------------------------------------------------------

    def _retry_after(self) -> float | None:
        return meta_retry_after(self.transport.last_headers)

    def _map_graph_error(self, exc: facebook.GraphAPIError, *, creates: bool) -> PublishError:
        status = self.transport.last_status
        result = exc.result if isinstance(exc.result, dict) else {}
        error = result.get("error") if isinstance(result.get("error"), dict) else {}
        code = error.get("code", exc.code)
        message = scrub(error.get("message") or str(exc.message), self.secrets())
        if code in RATE_LIMIT_CODES or status == 429:
            return PublishError(
                f"{NETWORK}: {message}",
                kind=ErrorKind.RETRYABLE,
                retry_after=self._retry_after(),
                status_code=status,
            )
        if code in TOKEN_CODES or status == 401:
            return PublishError(
                f"{NETWORK}: {message}",
                kind=ErrorKind.PERMANENT,
                status_code=status,
                credentials_problem=True,
            )
        if error.get("is_transient") or code in TRANSIENT_CODES:
            # Facebook says: temporary, try again – the request was not carried out.
            return PublishError(f"{NETWORK}: {message}", kind=ErrorKind.RETRYABLE, status_code=status)
        if not error and (status is None or status >= 500):
            # No Graph error body (a proxy's HTML page, an empty answer): decide by the status.
            return status_error(status or 502, message, network=NETWORK, creates=creates)
        if status is not None and status >= 500:
            return status_error(status, message, network=NETWORK, creates=creates)
        return PublishError(f"{NETWORK}: {message}", kind=ErrorKind.PERMANENT, status_code=status)

    def _call(self, function, *args, creates: bool, **kwargs):
        try:
            return function(*args, **kwargs)
        except facebook.GraphAPIError as exc:
            raise self._map_graph_error(exc, creates=creates) from None
        except requests.RequestException as exc:
            raise transport_error(exc, network=NETWORK, creates=creates) from None
        except (KeyError, ValueError):
            # facebook-sdk reads headers["content-type"] and the JSON body without checks.
            status = self.transport.last_status
            raise status_error(status or 502, unreadable_answer(), network=NETWORK, creates=creates) from None

    # --- the interface -----------------------------------------------------------------------------

    def _publish(self, content: PostContent) -> PublishedRef:
        text = self.compose_text(content)
        images = [item for item in content.media if item.kind == "image"]
        if len(content.media) > 1 or (content.media and not images):
            raise PublishError(f"{NETWORK}: " + one_image_only(), kind=ErrorKind.PERMANENT)
        if images:
            item = images[0]
            message = f"{text}\n\n{content.link}" if content.link and content.link not in text else text
            with open(item.path, "rb") as handle:
                answer = self._call(
                    self.graph.put_photo,
                    handle,
                    album_path=f"{self.page_id}/photos",
                    message=message,
                    alt_text_custom=item.alt_text or None,
                    creates=True,
                )
            post_id = str(answer.get("post_id") or answer.get("id") or "")
        else:
            fields = {"message": text}
            if content.link:
                fields["link"] = content.link
            answer = self._call(self.graph.put_object, self.page_id, "feed", creates=True, **fields)
            post_id = str(answer.get("id") or "")
        if not post_id:
            raise PublishError(
                f"{NETWORK}: " + answer_without_id(),
                kind=ErrorKind.UNCERTAIN,
            )
        return PublishedRef(external_id=post_id, url=_permalink(post_id))

    def _delete(self, external_id: str) -> None:
        self._call(self.graph.delete_object, external_id, creates=False)

    def _check_credentials(self) -> str:
        answer = self._call(self.graph.get_object, self.page_id or "me", fields="id,name", creates=False)
        return str(answer.get("name") or answer.get("id") or "?")

    # --- figures for the reports -----------------------------------------------------------------------
    # Post insights under the names Meta uses since its 2025 changes (post_impressions* and
    # post_engaged_users are gone); a name Meta refuses is asked alone and, refused again, left out.
    post_metrics = (
        "post_media_view",
        "post_total_media_view_unique",
        "post_reactions_by_type_total",
        "post_clicks",
    )
    metrics_version = "2025-11"

    def _insights(self, object_id: str, names) -> dict[str, int]:
        answer = self._call(
            self.graph.get_connections, object_id, "insights", metric=",".join(names), creates=False
        )
        return insight_values(answer)

    def _fetch_metrics(self, external_id: str) -> dict[str, int]:
        try:
            return self._insights(external_id, self.post_metrics)
        except PublishError as error:
            if error.retryable or error.credentials_problem:
                raise
        found: dict[str, int] = {}
        for name in self.post_metrics:  # one refused (deprecated) name fails the whole request
            try:
                found.update(self._insights(external_id, [name]))
            except PublishError as error:
                if error.retryable or error.credentials_problem:
                    raise
        return found

    def _fetch_followers(self) -> int | None:
        page = self._call(self.graph.get_object, self.page_id, fields="followers_count", creates=False)
        return self.counts_from(page, ("followers_count",)).get("followers_count")

    # --- reading (the inbox) ---------------------------------------------------------------------------
    #
    # Comments on the page's recent posts: ``GET /{page}/posts`` (the newest RECENT_POSTS), then per post
    # ``GET /{post}/comments?filter=stream&since=…`` (replies to comments included, with ``parent``).
    # Messenger: ``GET /{page}/conversations?platform=messenger`` (the RECENT_CONVERSATIONS updated last,
    # each with its newest messages; the endpoint has no time-based paging, so older ones are dropped
    # here). Cursor: {"since": unix time of the newest comment committed, "messages": of the newest
    # message}; one second of overlap, the upsert keeps each item once. ``from.id`` is the author's
    # page-scoped id – for a message the PSID that an answer is sent to; Graph leaves ``from`` out of
    # some comments (then the id stays empty; a private reply to a comment is addressed by its id).

    RECENT_POSTS = 25
    COMMENT_FIELDS = "id,from,message,created_time,parent{id},permalink_url,attachment{media,url}"
    RECENT_CONVERSATIONS = 25
    CONVERSATION_FIELDS = "id,updated_time,messages.limit(25){id,message,from,created_time}"

    def _fetch_inbox(self, cursor: str, *, max_items: int | None = None) -> InboxPage:
        since = since_cursor(cursor)
        messages_since = _messages_start(cursor)
        posts = self._call(
            self.graph.get_connections,
            self.page_id,
            "posts",
            fields="id,created_time",
            limit=self.RECENT_POSTS,
            creates=False,
        )
        requests_made, newest, items = 1, since, []
        for post in posts["data"]:
            post_id = str(post["id"])
            args = {"filter": "stream", "order": "chronological", "fields": self.COMMENT_FIELDS, "limit": 100}
            if since:
                args["since"] = since - 1
            answer = self._call(self.graph.get_connections, post_id, "comments", creates=False, **args)
            requests_made += 1
            for comment in answer["data"]:
                created = graph_time(comment.get("created_time"))
                if created is not None:
                    newest = max(newest, int(created.timestamp()))
                parent = str((comment.get("parent") or {}).get("id") or "")
                author = comment.get("from") or {}
                attachment = (comment.get("attachment") or {}).get("url") or ""
                items.append(
                    InboundItem(
                        network_id=str(comment["id"]),
                        kind=InboundKind.REPLY if parent else InboundKind.COMMENT,
                        text=str(comment.get("message") or ""),
                        created_at=created,
                        author_handle=str(author.get("name") or ""),
                        author_name=str(author.get("name") or ""),
                        author_id=str(author.get("id") or ""),
                        url=str(comment.get("permalink_url") or ""),
                        parent_id=parent or post_id,
                        root_id=post_id,
                        media_urls=(attachment,) if attachment else (),
                    )
                )
        messages, newest_message = self._messages(messages_since)
        requests_made += 1
        items.extend(messages)
        return InboxPage(
            items=tuple(items),
            cursor=json.dumps({"since": newest, "messages": newest_message}),
            requests=requests_made,
        )

    def _messages(self, since: int) -> tuple[list[InboundItem], int]:
        """Messenger messages to the page newer than ``since`` (its own messages left out). A page token
        without Messenger access (``pages_messaging``) is refused: then only comments are read."""
        try:
            answer = self._call(
                self.graph.get_connections,
                self.page_id,
                "conversations",
                platform="messenger",
                fields=self.CONVERSATION_FIELDS,
                limit=self.RECENT_CONVERSATIONS,
                creates=False,
            )
        except PublishError as error:
            if not error.permanent or error.credentials_problem:
                raise
            logger.warning(
                "facebook adapter (channel %s): Messenger not readable (HTTP %s); comments only",
                self.config.channel_id,
                error.status_code,
            )
            return [], since
        items, newest = [], since
        for conversation in answer.get("data") or []:
            for message in (conversation.get("messages") or {}).get("data") or []:
                sender = message.get("from") or {}
                if str(sender.get("id") or "") == self.page_id:
                    continue
                created = graph_time(message.get("created_time"))
                stamp = int(created.timestamp()) if created else 0
                if since and stamp and stamp < since - 1:
                    continue
                newest = max(newest, stamp)
                items.append(
                    InboundItem(
                        network_id=str(message["id"]),
                        kind=InboundKind.DIRECT,
                        text=str(message.get("message") or ""),
                        created_at=created,
                        author_handle=str(sender.get("name") or ""),
                        author_name=str(sender.get("name") or ""),
                        author_id=str(sender.get("id") or ""),
                        thread_key=str(conversation.get("id") or ""),
                    )
                )
        return items, newest

    # --- replies and moderation (what citizens write) ------------------------------------------------
    # Comments on the page's posts: answer in the thread (``POST /{comment-id}/comments``), answer
    # privately through Messenger (a "private reply" to the comment, or the answer to a message),
    # hide and show (``POST /{comment-id}`` with ``is_hidden``) and delete.

    interactions = Interactions(
        reply=True, reply_direct=True, hide=True, unhide=True, delete=True, dm_to_author=True
    )

    def _reply(self, target: ItemRef, content: PostContent, *, direct: bool) -> PublishedRef:
        text = self.compose_text(content)
        if content.link and content.link not in text:
            text = f"{text}\n\n{content.link}"
        if direct:
            # Messenger: a message answers the sender (RESPONSE within 24 hours); a public comment is
            # answered with a private reply addressed by the comment's id (once per comment, 7 days).
            recipient = {"id": target.author_id} if target.direct else {"comment_id": target.external_id}
            answer = self._call(
                self.graph.put_object,
                self.page_id,
                "messages",
                recipient=json.dumps(recipient),
                message=json.dumps({"text": text}),
                messaging_type="RESPONSE",
                creates=True,
            )
            message_id = str(answer.get("message_id") or "")
            if not message_id:
                raise PublishError(f"{NETWORK}: " + answer_without_id(), kind=ErrorKind.UNCERTAIN)
            return PublishedRef(external_id=message_id, url="")
        answer = self._call(self.graph.put_object, target.external_id, "comments", message=text, creates=True)
        comment_id = str(answer.get("id") or "")
        if not comment_id:
            raise PublishError(f"{NETWORK}: " + answer_without_id(), kind=ErrorKind.UNCERTAIN)
        return PublishedRef(external_id=comment_id, url=self._comment_permalink(comment_id))

    def _comment_permalink(self, comment_id: str) -> str:
        # The answer exists now; a failing lookup must not turn success into an error.
        try:
            answer = self._call(self.graph.get_object, comment_id, fields="permalink_url", creates=False)
        except PublishError:
            return ""
        return str(answer.get("permalink_url") or "")

    def _set_hidden(self, target: ItemRef, hidden: bool) -> None:
        self._call(
            self.graph.request,
            f"{self.graph.version}/{target.external_id}",
            post_args={"is_hidden": "true" if hidden else "false"},
            method="POST",
            creates=False,
        )

    def _delete_comment(self, target: ItemRef) -> None:
        self._call(self.graph.delete_object, target.external_id, creates=False)


def _messages_start(cursor: str) -> int:
    """Where reading Messenger starts: the cursor's time; for a channel read before Messenger was read
    (a cursor without "messages") now – its old conversations are history, not work (a new channel
    reads them all and the inbox keeps the last ``LANDKREIS_INBOX_BACKFILL_DAYS``)."""
    try:
        state = json.loads(cursor) if cursor else {}
        if cursor and "messages" not in state:
            return int(time.time())
        return int(state.get("messages") or 0)
    except (ValueError, TypeError, AttributeError):
        return 0


def _permalink(post_id: str) -> str:
    page, _sep, post = post_id.partition("_")
    if post:
        return f"https://www.facebook.com/{page}/posts/{post}"
    return f"https://www.facebook.com/{post_id}"
