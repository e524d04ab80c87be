"""Integrations: other systems that create posts through the API, their tokens, idempotency keys,
the posts they made and their outbound webhooks.

Changed only through :mod:`integrations.services` (and :mod:`integrations.webhooks` for deliveries);
read through :mod:`integrations.selectors`.

Who is the author of a post an integration creates? ``Post.author`` is a foreign key to a user, and
posts' services check that the author may draft in the department. Each integration therefore has a
**service user** of its own (``integration-<slug>``, no usable password, it cannot sign in): it is the
post's author and the actor of its audit events, so lists, the review page and the audit trail name
the integration ("CMS Kreishaus (integration-cms)") without a special case anywhere. The person who
answers for the integration is :attr:`Integration.responsible`; :class:`PostOrigin` records for each
post the integration, the token, the responsible person and the token's creator.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Integration(models.Model):
    """A named system (the county's web CMS, the press office's tool, a feed importer)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service user"),
        on_delete=models.PROTECT,
        related_name="integration",
        editable=False,
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        related_name="integrations_responsible",
        help_text=_("Answers for the posts of this integration; must have confirmed the etiquette guide."),
    )
    departments = models.ManyToManyField(
        "departments.Department", verbose_name=_("departments"), related_name="integrations"
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("integration")
        verbose_name_plural = _("integrations")

    def __str__(self):
        return self.name


class TokenRight(models.TextChoices):
    READ = "read", _("read posts")
    DRAFT = "draft", _("create drafts")
    SUBMIT = "submit", _("submit for review")
    WITHDRAW = "withdraw", _("withdraw posts")


class IntegrationToken(models.Model):
    """A secret of one integration. Only the SHA-256 of the secret is stored; it is shown once."""

    integration = models.ForeignKey(
        Integration, verbose_name=_("integration"), on_delete=models.CASCADE, related_name="tokens"
    )
    label = models.CharField(_("label"), max_length=100, help_text=_("e.g. “CMS production”"))
    # The first characters of the secret (after the fixed prefix): shown in lists, used to find the row.
    lookup = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    rights = models.JSONField(_("rights"), default=list)
    departments = models.ManyToManyField(
        "departments.Department", verbose_name=_("departments"), related_name="+"
    )
    channels = models.ManyToManyField(
        "channels.Channel",
        verbose_name=_("channels"),
        related_name="+",
        blank=True,
        help_text=_("Empty: every channel the departments may use."),
    )
    rate_limit = models.CharField(
        _("rate limit"), max_length=40, default="120/minute", help_text=_("e.g. 120/minute, 5000/day")
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("integration token")
        verbose_name_plural = _("integration tokens")

    def __str__(self):
        return f"{self.integration} – {self.label} (lks_{self.lookup}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.revoked_at is None
            and (self.expires_at is None or self.expires_at > now)
            and self.integration.active
        )

    def has_right(self, right: str) -> bool:
        return right in self.rights


class IdempotencyKey(models.Model):
    """The first answer to a POST with an ``Idempotency-Key``, kept 24 hours (per token and key)."""

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")

    token = models.ForeignKey(IntegrationToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="idempotency_unique_token_key")]

    def __str__(self):
        return self.key


class PostOrigin(models.Model):
    """Where a post came from: which integration and token, who answers for it."""

    post = models.OneToOneField("posts.Post", on_delete=models.CASCADE, related_name="origin")
    integration = models.ForeignKey(Integration, on_delete=models.PROTECT, related_name="posts")
    token = models.ForeignKey(
        IntegrationToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    token_created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    template = models.ForeignKey(
        "PostTemplate", on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("post origin")
        verbose_name_plural = _("post origins")

    def __str__(self):
        return f"{self.post_id} ← {self.integration}"


class WebhookSubscription(models.Model):
    """An address of an integration that is told about events (signed per Standard Webhooks)."""

    integration = models.ForeignKey(
        Integration, verbose_name=_("integration"), on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("address"), max_length=2000)
    events = models.JSONField(_("events"), default=list)
    # "whsec_" + base64 of 24 random bytes, as the Standard Webhooks libraries expect it.
    secret = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(_("switched off"), null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["integration", "url"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self):
        return f"{self.integration}: {self.url}"


class WebhookDelivery(models.Model):
    """One event for one subscription, with every attempt's status code and time (the delivery log)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        RETRYING = "retrying", _("retrying")
        FAILED = "failed", _("failed")
        REFUSED = "refused", _("refused (address not allowed)")

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=64, unique=True)
    event = models.CharField(_("event"), max_length=60)
    payload = models.JSONField()
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=300, blank=True)
    last_duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    # When the next attempt is due (pending/retrying): the dispatcher re-queues one whose message was lost.
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self):
        return f"{self.event} → {self.subscription.url}"


class WebhookCursor(models.Model):
    """How far the dispatcher has read the audit trail (one row): the last sequence number turned into
    webhook deliveries."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("webhook cursor")
        verbose_name_plural = _("webhook cursors")

    def __str__(self):
        return str(self.last_sequence)


class PostTemplate(models.Model):
    """A Vorlage for recurring data posts: text with named placeholders (sandboxed Jinja2), the fields it
    needs, example data for the preview, and optionally "automatisch freigeben" (set by Koordination)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    department = models.ForeignKey(
        "departments.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    channels = models.ManyToManyField("channels.Channel", verbose_name=_("channels"), related_name="+")
    title = models.CharField(_("internal title"), max_length=200, help_text=_("May use placeholders."))
    text = models.TextField(
        _("text"),
        help_text=_("Placeholders as {{ name }}; conditions as {% if … %}…{% endif %} (Jinja2, sandboxed)."),
    )
    link = models.CharField(_("link"), max_length=2000, blank=True, help_text=_("May use placeholders."))
    fields = models.JSONField(
        _("fields"),
        default=list,
        blank=True,
        help_text=_('The data the template needs: [{"name": "inzidenz", "required": true}, …]'),
    )
    example_data = models.JSONField(_("example data"), default=dict, blank=True)
    attribution = models.CharField(
        _("attribution"), max_length=200, blank=True, help_text=_("Appended to the text, e.g. “Quelle: DWD”.")
    )
    auto_approve = models.BooleanField(_("approve automatically"), default=False, editable=False)
    auto_approve_enabled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    auto_approve_enabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("template")
        verbose_name_plural = _("templates")

    def __str__(self):
        return self.name

    def required_fields(self) -> list[str]:
        return [f["name"] for f in self.fields if isinstance(f, dict) and f.get("required")]


class FeedSource(models.Model):
    """An official data feed that becomes posts through templates (a beat task imports it)."""

    class Kind(models.TextChoices):
        NINA = "nina", _("NINA / MoWaS warnings (by regional key)")
        DWD = "dwd", _("Deutscher Wetterdienst warnings (by warn cell)")
        PEGELONLINE = "pegelonline", _("PEGELONLINE water level (by gauge and threshold)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    integration = models.ForeignKey(
        Integration,
        verbose_name=_("integration"),
        on_delete=models.PROTECT,
        related_name="feeds",
        help_text=_("Its service user is the posts' author; its responsible person answers for them."),
    )
    base_url = models.URLField(
        _("address of the source"), blank=True, help_text=_("Empty: the official one.")
    )
    region = models.CharField(
        _("region"),
        max_length=64,
        help_text=_("NINA: the county's 12-digit ARS; DWD: the warn cell id; PEGELONLINE: the gauge's uuid."),
    )
    threshold_cm = models.IntegerField(_("threshold (cm)"), null=True, blank=True)
    template = models.ForeignKey(
        PostTemplate, verbose_name=_("template for warnings"), on_delete=models.PROTECT, related_name="+"
    )
    update_template = models.ForeignKey(
        PostTemplate,
        verbose_name=_("template for updates"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty: the template for warnings."),
    )
    cancel_template = models.ForeignKey(
        PostTemplate,
        verbose_name=_("template for the all-clear (Entwarnung)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    attribution = models.CharField(
        _("attribution"),
        max_length=200,
        help_text=_("e.g. “Quelle: Deutscher Wetterdienst”; given to the template as {{ quelle }}."),
    )
    urgent = models.BooleanField(
        _("urgent"), default=True, help_text=_("Publish as soon as approved; first in the approval queue.")
    )
    withdraw_on_cancel = models.BooleanField(_("withdraw the original on cancellation"), default=False)
    enabled = models.BooleanField(_("enabled"), default=False)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=500, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("data feed")
        verbose_name_plural = _("data feeds")

    def __str__(self):
        return self.name


class FeedItem(models.Model):
    """One message of a feed seen in one version – the deduplication key – and the post it became."""

    class Kind(models.TextChoices):
        ALERT = "alert", _("warning")
        UPDATE = "update", _("update")
        CANCEL = "cancel", _("all-clear")

    source = models.ForeignKey(FeedSource, on_delete=models.CASCADE, related_name="items")
    external_id = models.CharField(max_length=300)
    version = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    post = models.ForeignKey("posts.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    problem = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("feed item")
        verbose_name_plural = _("feed items")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id", "version"], name="feeditem_unique_version"
            )
        ]

    def __str__(self):
        return f"{self.source}: {self.external_id} v{self.version}"
