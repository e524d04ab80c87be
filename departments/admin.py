from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Department, Membership

DEPARTMENT_FIELDS = ("name", "code", "review_mode", "active")


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget looks the submitted ids up again when the form is shown with
    errors; an id that is no number (a forged request) made that lookup raise – a server error instead
    of the form's "select a valid choice". Ids that cannot be one are left out of the lookup."""

    def optgroups(self, name, value, attr=None):
        target = self.field.remote_field.model._meta.pk
        usable = []
        for item in value:
            try:
                target.to_python(item)
            except ValidationError:
                continue
            usable.append(item)
        return super().optgroups(name, usable, attr)


class OwnRowsInlineFormSet(BaseInlineFormSet):
    """Django accepts the id of any membership in ``memberships-N-id`` and then treats the row as new
    (a membership of another department, or a number of anything else, became a ValidationError in
    save_formset – a server error, found by the form probes, issue 14). Only this department's rows are
    valid ids."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if self._pk_field.name in form.fields:
            form.fields[self._pk_field.name].queryset = self.get_queryset()

    def clean(self):
        super().clean()
        # The same row twice (two forms with one id) made one membership replace another and then
        # collide with it in save_formset.
        ids = [f.instance.pk for f in self.initial_forms if f.instance.pk is not None]
        if len(ids) != len(set(ids)):
            raise ValidationError(_("A member is listed twice. Please reload the page."), code="duplicate")


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = OwnRowsInlineFormSet
    extra = 1
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    verbose_name = _("member")
    verbose_name_plural = _("members")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    """Departments with their members. Every save goes through ``departments.services`` so that the
    object permissions follow the memberships and the change is audited."""

    list_display = ("name", "code", "review_mode", "active")
    list_filter = ("review_mode", "active")
    search_fields = ("name", "code")
    fields = DEPARTMENT_FIELDS
    inlines = (MembershipInline,)

    def has_delete_permission(self, request, obj=None):
        # Posts and the audit trail refer to departments; a department is deactivated, not deleted.
        return False

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in DEPARTMENT_FIELDS}
        if change:
            changed = {field: data[field] for field in form.changed_data if field in DEPARTMENT_FIELDS}
            services.department_update(actor=request.user, department=obj, **changed)
        else:
            created = services.department_create(actor=request.user, **data)
            obj.pk = created.pk
            obj.created_at = created.created_at
            obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        department = form.instance
        for inline_form in formset.forms:
            membership = inline_form.instance
            if inline_form in formset.deleted_forms:
                if membership.pk:
                    services.membership_remove(actor=request.user, membership=membership)
                continue
            if not inline_form.has_changed() or not inline_form.cleaned_data:
                continue
            user, role = inline_form.cleaned_data["user"], inline_form.cleaned_data["role"]
            if membership.pk and "user" in inline_form.changed_data:
                services.membership_remove(
                    actor=request.user, membership=Membership.objects.get(pk=membership.pk)
                )
                services.membership_add(actor=request.user, user=user, department=department, role=role)
            elif membership.pk:
                services.membership_set_role(actor=request.user, membership=membership, role=role)
            else:
                services.membership_add(actor=request.user, user=user, department=department, role=role)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        return None
