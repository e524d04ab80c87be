"""Rules, the data they read, elections, and the guide with its acknowledgements.

Every write goes through ``etiquette.services`` (audited, and it moves the rule-set version so every
process reloads the rules on its next check).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import kinds
from .channels import channel_kinds
from .types import Severity


def kind_choices():
    return kinds.choices()


class Rule(models.Model):
    """An admin-configured instance of a rule kind (see ``etiquette/kinds``)."""

    class SeverityChoice(models.TextChoices):
        BLOCK = Severity.BLOCK.value, _("block – cannot be submitted")
        WARN = Severity.WARN.value, _("warn – the reviewer must acknowledge it")
        INFO = Severity.INFO.value, _("info – shown only")
        OFF = Severity.OFF.value, _("off – not checked")

    code = models.CharField(
        _("code"),
        max_length=64,
        unique=True,
        validators=[
            RegexValidator(r"^[a-z0-9_]+(?:\.[a-z0-9_]+)*$", _("Lower-case letters, digits, _ and dots."))
        ],
        help_text=_("Stable name used in findings, the audit trail and the CLI, e.g. “personal_data”."),
    )
    kind = models.CharField(_("kind"), max_length=64, choices=kind_choices)
    severity = models.CharField(_("severity"), max_length=8, choices=SeverityChoice.choices)
    channels = models.JSONField(
        _("networks"), default=list, blank=True, help_text=_("Empty: the rule applies to every network.")
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    description = models.TextField(
        _("why"), blank=True, help_text=_("Shown to staff: why the rule exists (German).")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self):
        return self.code

    def clean(self):
        errors = {}
        try:
            kind = kinds.get(self.kind)
        except KeyError:
            errors["kind"] = _("Unknown rule kind.")
        else:
            try:
                self.parameters = kind.validate_parameters(self.parameters)
            except ValidationError as exc:
                errors["parameters"] = exc.messages
        if not isinstance(self.channels, list) or any(c not in channel_kinds() for c in self.channels):
            errors["channels"] = _("Choose networks from: %(known)s.") % {"known": ", ".join(channel_kinds())}
        if errors:
            raise ValidationError(errors)


class Term(models.Model):
    """One entry of a term list the rules read."""

    class List(models.TextChoices):
        FORBIDDEN = "forbidden", _("forbidden terms (tone.forbidden_terms)")
        CAMPAIGN = "campaign", _("campaign language (neutrality.campaign_language)")
        PRESS = "press", _("press terms (press.relevant)")
        AMTSDEUTSCH = "amtsdeutsch", _("officialese lexicon (plain_language.terms)")
        PARTY = "party", _("parties and candidates (neutrality.election_window)")

    term_list = models.CharField(_("list"), max_length=20, choices=List.choices)
    term = models.CharField(
        _("term"),
        max_length=200,
        help_text=_("Word or phrase; a trailing * stands for any word ending (“Wahlkampf*”)."),
    )
    suggestion = models.CharField(_("suggestion"), max_length=300, blank=True)
    case_sensitive = models.BooleanField(
        _("case-sensitive"), default=False, help_text=_("For names: “Die Linke” but not “die linke Spur”.")
    )
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["term_list", "term"]
        verbose_name = _("term")
        verbose_name_plural = _("term lists")
        constraints = [models.UniqueConstraint(fields=["term_list", "term"], name="etiquette_term_unique")]

    def __str__(self):
        return f"{self.term} ({self.get_term_list_display()})"

    def clean(self):
        if not self.term.strip().rstrip("*").strip():
            raise ValidationError({"term": _("Enter a word or phrase.")})


class AllowlistEntry(models.Model):
    """Official contacts and trusted sites: what the rules let pass."""

    class Kind(models.TextChoices):
        OWN_DOMAIN = "own_domain", _("own domain of the county")
        TRUSTED_DOMAIN = "domain", _("trusted domain")
        EMAIL = "email", _("official e-mail address or @domain")
        PHONE = "phone", _("official phone number (block: every extension)")
        IBAN = "iban", _("official bank account (IBAN)")
        ADDRESS = "address", _("official address (street and number)")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "value"]
        verbose_name = _("allowlist entry")
        verbose_name_plural = _("allowlist")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="etiquette_allowlist_unique")]

    def __str__(self):
        return f"{self.value} ({self.get_kind_display()})"

    def clean(self):
        from .allowlist import clean_allowlist_value

        try:
            self.value = clean_allowlist_value(self.kind, self.value)
        except ValidationError as exc:
            raise ValidationError({"value": exc.messages}) from None


class Election(models.Model):
    """An election; before it, party names are blocked (``neutrality.election_window``)."""

    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. “Kommunalwahl 2026”"))
    date = models.DateField(_("election day"))
    window_days = models.PositiveSmallIntegerField(
        _("window (days before)"),
        default=90,
        help_text=_("How many days before the election neutrality applies."),
    )

    class Meta:
        ordering = ["-date"]
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        constraints = [models.UniqueConstraint(fields=["name", "date"], name="etiquette_election_unique")]

    def __str__(self):
        return f"{self.name} ({self.date:%d.%m.%Y})"


class RuleSetState(models.Model):
    """One row: a token that changes with every change to rules, term lists, allowlist or elections.

    Each process keeps the compiled rule set in memory and compares this token on every check (one
    indexed primary-key read); a different token makes it reload.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32, default="initial")
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rule set version")

    def __str__(self):
        return self.token

    @staticmethod
    def new_token() -> str:
        return uuid.uuid4().hex


class GuideVersion(models.Model):
    """One version of the etiquette guide ("Social-Media-Etikette des Landkreises").

    Drafts are edited in the admin; a published version never changes. Staff acknowledge a version;
    an acknowledgement holds for every version with the same major number.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    major = models.PositiveSmallIntegerField(
        _("major version"), help_text=_("A new major version must be acknowledged again by everyone.")
    )
    minor = models.PositiveSmallIntegerField(_("minor version"), default=0)
    title = models.CharField(_("title"), max_length=200, default="Social-Media-Etikette des Landkreises")
    body = models.TextField(_("text (Markdown)"))
    changes = models.TextField(_("what changed"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-major", "-minor"]
        verbose_name = _("guide version")
        verbose_name_plural = _("guide versions")
        constraints = [
            models.UniqueConstraint(fields=["major", "minor"], name="etiquette_guide_version_unique")
        ]
        indexes = [models.Index(fields=["status", "major", "minor"], name="etiquette_guide_current_idx")]

    def __str__(self):
        return f"{self.title} {self.label}"

    @property
    def label(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Acknowledgement(models.Model):
    """A staff member confirmed "gelesen und verstanden" for one guide version."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="guide_acknowledgements",
    )
    version = models.ForeignKey(
        GuideVersion,
        verbose_name=_("guide version"),
        on_delete=models.PROTECT,
        related_name="acknowledgements",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"))

    class Meta:
        ordering = ["-acknowledged_at"]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("training record")
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="etiquette_ack_unique")]

    def __str__(self):
        return f"{self.user} – {self.version.label}"


# --- The netiquette: the public rules for citizens' discussions -------------------------------------
# Next to the guide on purpose: the same life cycle (drafts edited in the admin, a published version
# never changes), the same Markdown rendering and cleaning; the guide binds staff, the netiquette is
# what the county shows citizens. Moderation (the inbox, layer 7) names a clause of a version.

ANCHOR_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$",
    _("Lower-case letters, digits and hyphens, starting with a letter (e.g. “respekt”)."),
)


class NetiquetteVersion(models.Model):
    """One version of the public netiquette; its numbered clauses are :class:`NetiquetteClause` rows."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    major = models.PositiveSmallIntegerField(_("major version"))
    minor = models.PositiveSmallIntegerField(_("minor version"), default=0)
    title = models.CharField(_("title"), max_length=200, default="Netiquette des Landkreises")
    intro = models.TextField(_("introduction (Markdown)"), blank=True)
    changes = models.TextField(_("what changed"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-major", "-minor"]
        verbose_name = _("netiquette version")
        verbose_name_plural = _("netiquette versions")
        constraints = [
            models.UniqueConstraint(fields=["major", "minor"], name="etiquette_netiquette_version_unique")
        ]

    def __str__(self):
        return f"{self.title} {self.label}"

    @property
    def label(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class NetiquetteClause(models.Model):
    """A numbered clause. Its anchor stays the same from version to version, so that the county's
    profiles can link ``/netiquette/#respekt`` and moderation can name the clause it applied."""

    version = models.ForeignKey(
        NetiquetteVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="clauses"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    anchor = models.CharField(
        _("anchor"),
        max_length=40,
        validators=[ANCHOR_VALIDATOR],
        help_text=_("The stable part of the link (/netiquette/#anchor); keep it when the text changes."),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"))

    class Meta:
        ordering = ["version", "number"]
        verbose_name = _("netiquette clause")
        verbose_name_plural = _("netiquette clauses")
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="etiquette_clause_number_unique"),
            models.UniqueConstraint(fields=["version", "anchor"], name="etiquette_clause_anchor_unique"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"
