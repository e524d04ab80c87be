"""Instagram (professional account) through the Graph API with plain ``requests``.

Flow: ``POST /{ig-user-id}/media`` (``image_url``, ``caption``, ``alt_text``) → container id → wait
until the container's ``status_code`` is ``FINISHED`` → ``POST /{ig-user-id}/media_publish``
(``creation_id``) → media id → ``GET /{media-id}?fields=permalink``. Meta fetches the image itself,
so every image needs a public URL: ``MediaItem.public_url`` (the publishing task fills it with
``posts.selectors.media_public_url``, a signed URL), or else – when ``LANDKREIS_PUBLIC_MEDIA_URL`` is
set (a public mirror of ``MEDIA_ROOT``) – that address + the file's path below ``MEDIA_ROOT``.

Errors: a 5xx while creating the container is retryable (an unpublished container is invisible and
expires after 24 hours); a 5xx or timeout on ``media_publish`` is uncertain. Instagram has no
text-only posts and its API cannot delete published media, so ``delete`` fails permanently with
a note to delete in the app.
"""

from __future__ import annotations

import json
import os
import re
import time
from urllib.parse import quote

import requests
from django.conf import settings
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
    access_refused,
    answer_without_id,
    graph_time,
    insight_values,
    meta_retry_after,
    one_image_only,
    rate_limited,
    routed_session,
    scrub,
    since_cursor,
    status_error,
    transport_error,
)
from .registry import register

GRAPH_VERSION = "v21.0"
NETWORK = "Instagram"
RATE_LIMIT_CODES = {4, 17, 32, 613, 80001, 80002}
TOKEN_CODES = {102, 190}


@register
class InstagramAdapter(NetworkAdapter):
    kind = "instagram"
    label = "Instagram"
    limits = NetworkLimits(
        max_length=2200, alt_text_max=1000, requires_media=True, max_images=1, posts_per_window=(50, 86400)
    )
    credential_fields = {"access_token": gettext_lazy("Access token")}
    account_help = gettext_lazy("The numeric id of the Instagram business account (ig-user-id).")
    account_required = True
    default_base_url = "https://graph.facebook.com"
    reads = frozenset({InboundKind.COMMENT, InboundKind.REPLY})
    reads_per_window = (100, 3600)
    webhook_source = "meta"

    @classmethod
    def count_length(cls, text: str) -> int:
        return textlength.codepoints(text)

    @classmethod
    def shown_account(cls, account: str) -> str:
        return ""  # the stored value is the numeric ig-user-id, not the @name people know

    @classmethod
    def validate_account(cls, account: str) -> list[str]:
        if not re.fullmatch(r"\d{5,25}", account):
            return [_("The Instagram account id consists of digits only.")]
        return []

    def __init__(self, config):
        super().__init__(config)
        self.session, self.transport = routed_session(config.base_url, config.timeout)

    @property
    def user_id(self) -> str:
        return self.config.account.strip()

    def _url(self, path: str) -> str:
        return f"{self.default_base_url}/{GRAPH_VERSION}/{path.lstrip('/')}"

    # --- requests and errors -----------------------------------------------------------------------

    def _request(self, method: str, path: str, *, creates: bool, params: dict | None = None) -> dict:
        params = dict(params or {})
        token = self.config.credentials.get("access_token") or ""
        try:
            # The token goes in the Authorization header, never into a URL that could be logged.
            response = self.session.request(
                method,
                self._url(path),
                data=params if method == "POST" else None,
                params=params if method != "POST" else None,
                headers={"Authorization": f"Bearer {token}"},
            )
        except requests.RequestException as exc:
            raise transport_error(exc, network=NETWORK, creates=creates) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if response.status_code < 400 and not error and isinstance(body, dict):
            return body
        raise self._map(response, error if isinstance(error, dict) else {}, creates=creates)

    def _map(self, response, error: dict, *, creates: bool) -> PublishError:
        status = response.status_code
        code = error.get("code")
        message = scrub(error.get("error_user_msg") or error.get("message") or "", self.secrets())
        headers = {k.lower(): v for k, v in response.headers.items()}
        if code in RATE_LIMIT_CODES or status == 429:
            return PublishError(
                f"{NETWORK}: {message or rate_limited()}",
                kind=ErrorKind.RETRYABLE,
                retry_after=meta_retry_after(headers),
                status_code=status,
            )
        if code in TOKEN_CODES or status == 401:
            return PublishError(
                f"{NETWORK}: {message or access_refused()}",
                kind=ErrorKind.PERMANENT,
                status_code=status,
                credentials_problem=True,
            )
        if error.get("is_transient") or code in (1, 2):
            return PublishError(f"{NETWORK}: {message}", kind=ErrorKind.RETRYABLE, status_code=status)
        if status < 400:  # an error body with 200, or an answer that is no JSON object
            status = 502
        return status_error(status, message, network=NETWORK, creates=creates)

    # --- the interface -----------------------------------------------------------------------------

    def image_url(self, item) -> str:
        if item.public_url:
            return item.public_url
        base = getattr(settings, "PUBLIC_MEDIA_URL", "")
        root = os.path.realpath(str(settings.MEDIA_ROOT))
        path = os.path.realpath(item.path)
        if base and path.startswith(root + os.sep):
            return base.rstrip("/") + "/" + quote(os.path.relpath(path, root).replace(os.sep, "/"))
        raise PublishError(
            f"{NETWORK}: "
            + _("For Instagram the image needs a public address (setting LANDKREIS_PUBLIC_MEDIA_URL)."),
            kind=ErrorKind.PERMANENT,
        )

    def _publish(self, content: PostContent) -> PublishedRef:
        images = [item for item in content.media if item.kind == "image"]
        if not images:
            raise PublishError(f"{NETWORK}: " + _("A post needs an image."), kind=ErrorKind.PERMANENT)
        if len(content.media) > 1:
            raise PublishError(f"{NETWORK}: " + one_image_only(), kind=ErrorKind.PERMANENT)
        item = images[0]
        fields = {"image_url": self.image_url(item), "caption": self.compose_text(content)}
        if item.alt_text:
            fields["alt_text"] = item.alt_text
        container = self._request("POST", f"{self.user_id}/media", params=fields, creates=False)
        creation_id = str(container.get("id") or "")
        if not creation_id:
            raise PublishError(f"{NETWORK}: " + _("answer without container id."), kind=ErrorKind.RETRYABLE)
        self._wait_until_finished(creation_id)
        published = self._request(
            "POST", f"{self.user_id}/media_publish", params={"creation_id": creation_id}, creates=True
        )
        media_id = str(published.get("id") or "")
        if not media_id:
            raise PublishError(
                f"{NETWORK}: " + answer_without_id(),
                kind=ErrorKind.UNCERTAIN,
            )
        return PublishedRef(external_id=media_id, url=self._permalink(media_id))

    def _wait_until_finished(self, creation_id: str) -> None:
        deadline = time.monotonic() + self.config.timeout
        while True:
            state = self._request("GET", creation_id, params={"fields": "status_code"}, creates=False)
            status = state.get("status_code", "FINISHED")
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status in ("ERROR", "EXPIRED"):
                raise PublishError(
                    f"{NETWORK}: "
                    + _("the image was not accepted (container %(status)s).") % {"status": status},
                    kind=ErrorKind.PERMANENT,
                )
            if time.monotonic() > deadline:
                raise PublishError(
                    f"{NETWORK}: " + _("the image is still being processed; try again later."),
                    kind=ErrorKind.RETRYABLE,
                )
            time.sleep(1.0)

    def _permalink(self, media_id: str) -> str:
        # The post exists now; a failing permalink lookup must not turn success into an error.
        try:
            return str(
                self._request("GET", media_id, params={"fields": "permalink"}, creates=False).get("permalink")
                or ""
            )
        except PublishError:
            return ""

    def _delete(self, external_id: str) -> None:
        raise PublishError(
            f"{NETWORK}: "
            + _("the API cannot delete published posts; please delete it in the Instagram app."),
            kind=ErrorKind.PERMANENT,
        )

    def _check_credentials(self) -> str:
        answer = self._request("GET", self.user_id or "me", params={"fields": "id,username"}, creates=False)
        return f"@{answer['username']}" if answer.get("username") else str(answer.get("id") or "?")

    # --- figures for the reports -----------------------------------------------------------------------
    # Media insights under their 2025 names (impressions, plays and video_views are gone); as for
    # Facebook, a refused name is asked alone and, refused again, left out.
    post_metrics = ("views", "reach", "likes", "comments", "shares", "saved")
    metrics_version = "2025-11"

    def _fetch_metrics(self, external_id: str) -> dict[str, int]:
        def ask(names):
            return insight_values(
                self._request(
                    "GET", f"{external_id}/insights", creates=False, params={"metric": ",".join(names)}
                )
            )

        try:
            return ask(self.post_metrics)
        except PublishError as error:
            if error.retryable or error.credentials_problem:
                raise
        found: dict[str, int] = {}
        for name in self.post_metrics:
            try:
                found.update(ask([name]))
            except PublishError as error:
                if error.retryable or error.credentials_problem:
                    raise
        return found

    def _fetch_followers(self) -> int | None:
        user = self._request("GET", self.user_id, creates=False, params={"fields": "followers_count"})
        return self.counts_from(user, ("followers_count",)).get("followers_count")

    # --- reading (the inbox) ---------------------------------------------------------------------------
    #
    # Comments on the account's recent media: ``GET /{ig-user}/media`` (the newest RECENT_MEDIA), then per
    # medium ``GET /{media}/comments`` with their ``replies``. Instagram's comments endpoint has no
    # ``since``: comments older than the cursor (the newest comment's time committed, one second of
    # overlap) are dropped here. Direct messages (Instagram Messaging) are not read.

    RECENT_MEDIA = 25
    COMMENT_FIELDS = "id,text,timestamp,username,from,replies{id,text,timestamp,username,from}"

    def _fetch_inbox(self, cursor: str, *, max_items: int | None = None) -> InboxPage:
        since = since_cursor(cursor)
        media = self._request(
            "GET",
            f"{self.user_id}/media",
            params={"fields": "id,timestamp", "limit": self.RECENT_MEDIA},
            creates=False,
        )
        requests_made, newest, items = 1, since, []
        for medium in media["data"]:
            media_id = str(medium["id"])
            answer = self._request(
                "GET",
                f"{media_id}/comments",
                params={"fields": self.COMMENT_FIELDS, "limit": 50},
                creates=False,
            )
            requests_made += 1
            for comment in answer["data"]:
                for entry, parent in [(comment, media_id)] + [
                    (reply, str(comment["id"])) for reply in (comment.get("replies") or {}).get("data", [])
                ]:
                    created = graph_time(entry.get("timestamp"))
                    stamp = int(created.timestamp()) if created else 0
                    if since and stamp and stamp < since - 1:
                        continue
                    newest = max(newest, stamp)
                    author = entry.get("from") or {}  # {id: the Instagram-scoped id (IGSID), username}
                    username = str(entry.get("username") or author.get("username") or "")
                    items.append(
                        InboundItem(
                            network_id=str(entry["id"]),
                            kind=InboundKind.COMMENT if parent == media_id else InboundKind.REPLY,
                            text=str(entry.get("text") or ""),
                            created_at=created,
                            author_handle=f"@{username}" if username else "",
                            author_url=f"https://www.instagram.com/{quote(username)}/" if username else "",
                            author_id=str(author.get("id") or ""),
                            parent_id=parent,
                            root_id=media_id,
                        )
                    )
        return InboxPage(items=tuple(items), cursor=json.dumps({"since": newest}), requests=requests_made)

    # --- replies and moderation (what citizens write) ------------------------------------------------
    # Comments on the account's media: answer in the thread (``POST /{comment-id}/replies`` – only to
    # top-level comments, not to hidden ones: Meta refuses, the refusal is permanent), a private reply
    # by direct message (``POST /{ig-user-id}/messages`` to the comment, or to the sender of a message),
    # hide and show (``POST /{comment-id}?hide=``) and delete.

    interactions = Interactions(
        reply=True, reply_direct=True, hide=True, unhide=True, delete=True, dm_to_author=True
    )

    def _reply(self, target: ItemRef, content: PostContent, *, direct: bool) -> PublishedRef:
        text = self.compose_text(content)
        if direct:
            recipient = {"id": target.author_id} if target.direct else {"comment_id": target.external_id}
            answer = self._request(
                "POST",
                f"{self.user_id}/messages",
                params={"recipient": json.dumps(recipient), "message": json.dumps({"text": text})},
                creates=True,
            )
            message_id = str(answer.get("message_id") or "")
            if not message_id:
                raise PublishError(f"{NETWORK}: " + answer_without_id(), kind=ErrorKind.UNCERTAIN)
            return PublishedRef(external_id=message_id, url="")
        answer = self._request(
            "POST", f"{target.external_id}/replies", params={"message": text}, creates=True
        )
        comment_id = str(answer.get("id") or "")
        if not comment_id:
            raise PublishError(f"{NETWORK}: " + answer_without_id(), kind=ErrorKind.UNCERTAIN)
        return PublishedRef(external_id=comment_id, url="")

    def _set_hidden(self, target: ItemRef, hidden: bool) -> None:
        self._request(
            "POST", target.external_id, params={"hide": "true" if hidden else "false"}, creates=False
        )

    def _delete_comment(self, target: ItemRef) -> None:
        self._request("DELETE", target.external_id, creates=False)
