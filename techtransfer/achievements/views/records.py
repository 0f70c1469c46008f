"""The achievement record: the form (new and edit), the detail page, and its PDF attachments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from techtransfer.accounts.abuse import submit_once
from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import editable_organisations
from techtransfer.achievements import permissions as perms
from techtransfer.achievements import selectors, services
from techtransfer.achievements.choices import EDITABLE_STATUSES, REGISTERED_STATUSES, Status
from techtransfer.achievements.forms import (
    MODES_TITLE,
    PART_LABELS,
    PARTS,
    AchievementForm,
    AttachmentForm,
    OwnerForm,
    TransferModesForm,
    part_initial,
)
from techtransfer.achievements.models import Achievement
from techtransfer.achievements.views.common import apply_service_errors, error_messages, json_for_script, safe_next
from techtransfer.achievements.workflows import ACHIEVEMENT_FLOW
from techtransfer.core.audit import action_label, audit_for
from techtransfer.core.downloads import protected_file_response
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.forms import error_summary, formset_errors, labelled
from techtransfer.core.views import check_with_service


class AchievementEditor:
    """The main form, the three repeated-row tables and the transfer modes, bound and checked together."""

    def __init__(
        self, request: HttpRequest, *, achievement: Achievement | None, owner: Organisation | None
    ) -> None:
        data = request.POST if request.method == "POST" else None
        self.form = AchievementForm(data, instance=achievement or Achievement(), owner=owner)
        initial = part_initial(achievement, owner)
        self.formsets = {
            prefix: formset_class(data, prefix=prefix, initial=initial[prefix] if data is None else None)
            for prefix, formset_class in PARTS.items()
        }
        current_modes = list(achievement.transfer_modes.values_list("pk", flat=True)) if achievement else []
        self.modes = TransferModesForm(data, current_ids=current_modes, initial={"transfer_modes": current_modes})
        self.part_errors: dict[str, list[str]] = {prefix: [] for prefix in PARTS}
        self.part_errors["transfer_modes"] = []

    def is_valid(self) -> bool:
        results = [self.form.is_valid(), self.modes.is_valid()] + [fs.is_valid() for fs in self.formsets.values()]
        return all(results)

    def validate(self, *, owner: Organisation, achievement: Achievement | None) -> bool:
        """The forms' own checks and, when they fail, the service's checks on the fields and tables that
        passed, so that one submit shows every problem (see check_with_service). When the forms pass, the
        service checks everything at once as it saves."""
        if self.is_valid():
            return True
        parts = {prefix: formset.rows() for prefix, formset in self.formsets.items() if formset.is_valid()}
        return check_with_service(
            self.form,
            lambda: services.achievement_validate(
                owner=owner, achievement=achievement, data=self.form.service_data(), **parts
            ),
            self.part_errors,
            valid=False,
        )

    def parts(self) -> dict[str, Any]:
        return {
            "units": self.formsets["units"].rows(),
            "persons": self.formsets["persons"].rows(),
            "ip_items": self.formsets["ip_items"].rows(),
            "transfer_modes": list(self.modes.cleaned_data["transfer_modes"]),
        }

    def apply_errors(self, exc: ValidationError) -> None:
        apply_service_errors(exc, self.form, self.part_errors)

    def context(self, owner_form: OwnerForm | None = None) -> dict[str, Any]:
        parts = []
        summary = error_summary(owner_form, self.form)
        for prefix, formset in self.formsets.items():
            title, help_text, add_label = PART_LABELS[prefix]
            parts.append({
                "prefix": prefix, "title": title, "help": help_text, "add_label": add_label, "formset": formset,
                "errors": self.part_errors[prefix],
            })
            summary += formset_errors(formset, str(title), f"#part-{prefix}")
            summary += error_summary(parts=[(str(title), f"#part-{prefix}", self.part_errors[prefix])])
        modes_title = str(MODES_TITLE)
        summary += error_summary(
            self.modes, parts=[(modes_title, "#part-transfer_modes", self.part_errors["transfer_modes"])]
        )
        return {
            "form": self.form,
            "owner_form": owner_form,
            "parts": parts,
            "modes_form": self.modes,
            "modes_title": modes_title,
            "part_errors": self.part_errors,
            "error_summary": summary,
        }


def _add_row_fallback(request: HttpRequest) -> HttpRequest | None:
    """Without JavaScript the "add a row" buttons submit the form: re-show it with one more empty row."""
    prefix = request.POST.get("add_row")
    if prefix not in PARTS:
        return None
    data = request.POST.copy()
    key = f"{prefix}-TOTAL_FORMS"
    data[key] = str(int(data.get(key) or 0) + 1)
    request.POST = data  # type: ignore[assignment]
    return request


@login_required
def achievement_new(request: HttpRequest) -> HttpResponse:
    organisations = editable_organisations(request.user)
    if not organisations:
        raise PermissionDenied(_("Only members of a registering unit (university, institute, enterprise...) can "
                                 "register achievements. Ask your organisation's TTO officer to add you."))
    # Only people in more than one registering unit choose which one registers.
    owner_form = None
    owner = organisations[0]
    if len(organisations) > 1:
        owner_form = OwnerForm(
            request.POST if request.method == "POST" else None, organisations=organisations, initial={"owner": owner}
        )
        if owner_form.is_bound and owner_form.is_valid():
            owner = owner_form.cleaned_data["owner"]
    adding_row = request.method == "POST" and _add_row_fallback(request) is not None
    editor = AchievementEditor(request, achievement=None, owner=owner)
    owner_ok = owner_form is None or owner_form.is_valid()
    if request.method == "POST" and not adding_row and editor.validate(owner=owner, achievement=None) and owner_ok:
        # Once per form token: a double click creates one draft (accounts.abuse.submit_once).
        return submit_once(request, editor.form, lambda: _create(request, editor, owner, owner_form))
    return render(request, "achievements/form.html", {**editor.context(owner_form), "achievement": None})


def _create(
    request: HttpRequest, editor: AchievementEditor, owner: Organisation, owner_form: OwnerForm | None
) -> HttpResponse:
    try:
        achievement = services.achievement_create(
            by=request.user, owner=owner, data=editor.form.service_data(), **editor.parts()
        )
    except ValidationError as exc:
        editor.apply_errors(exc)
        return render(request, "achievements/form.html", {**editor.context(owner_form), "achievement": None})
    messages.success(request, _("The draft is saved. Attach the supporting PDFs, then submit it for review."))
    return redirect("achievements:edit", pk=achievement.pk)


@login_required
def achievement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = selectors.achievement_get(user=request.user, pk=pk)
    if achievement.status in REGISTERED_STATUSES and perms.can_revise(request.user, achievement):
        messages.info(request, _("This achievement is registered: it changes only through a recorded revision."))
        return redirect("achievements:revise", pk=pk)
    if not perms.can_edit(request.user, achievement):
        raise PermissionDenied(_("You cannot edit this achievement: only its unit edits it, while it is a draft "
                                 "or has been returned."))
    adding_row = request.method == "POST" and _add_row_fallback(request) is not None
    editor = AchievementEditor(request, achievement=achievement, owner=achievement.owner)
    submitted = request.method == "POST" and not adding_row
    if submitted and editor.validate(owner=achievement.owner, achievement=achievement):
        try:
            services.achievement_update(
                achievement=achievement, by=request.user, data=editor.form.service_data(), **editor.parts()
            )
        except ValidationError as exc:
            editor.apply_errors(exc)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("achievements:detail", pk=pk)
    return render(
        request,
        "achievements/form.html",
        {
            **editor.context(),
            "achievement": achievement,
            "attachments": achievement.attachments.all(),
            "attachment_form": AttachmentForm(),
        },
    )


@login_required
@require_GET
def form_row(request: HttpRequest, prefix: str) -> HttpResponse:
    """One empty row of a repeated-row table (htmx "add a row"), with the formset's new row count."""
    if prefix not in PARTS:
        raise Http404("No such table")
    try:
        index = max(0, int(request.GET.get(f"{prefix}-TOTAL_FORMS", "0")))
    except ValueError:
        index = 0
    formset = PARTS[prefix](prefix=prefix)
    form = formset.form(
        auto_id=formset.auto_id, prefix=formset.add_prefix(index), empty_permitted=True, use_required_attribute=False
    )
    formset.add_fields(form, index)
    return render(
        request, "achievements/_form_row.html", {"row": form, "prefix": prefix, "total": index + 1, "oob": True}
    )


def _public_facts(achievement: Achievement) -> list[tuple[str, Any]]:
    """The labelled facts of the public page, in the order of the registration form."""
    meta = Achievement._meta

    def label(name: str) -> str:
        return str(meta.get_field(name).verbose_name).capitalize()

    period = ""
    if achievement.research_start or achievement.research_end:
        start = date_format(achievement.research_start, "YEAR_MONTH_FORMAT") if achievement.research_start else "…"
        end = date_format(achievement.research_end, "YEAR_MONTH_FORMAT") if achievement.research_end else "…"
        period = f"{start} – {end}"
    facts: list[tuple[str, Any]] = [
        (label("registration_number"), achievement.registration_number),
        (_("Registration date"), timezone.localdate(achievement.registered_at) if achievement.registered_at else None),
        (label("achievement_type"), achievement.get_achievement_type_display()),
        (label("owner"), achievement.owner.display_name),
        (label("keywords"), "、".join(achievement.keywords)),
        (label("keywords_en"), ", ".join(achievement.keywords_en)),
    ]
    for name in ("discipline", "high_tech_field", "industry", "stage", "level", "application_status", "attribute",
                 "output_form", "evaluation_method", "project_source"):
        item = getattr(achievement, name)
        facts.append((label(name), item.label if item else None))
    facts += [
        (label("programme_name"), achievement.programme_name),
        (label("programme_number"), achievement.programme_number),
        (_("Research period"), period),
        (label("evaluation_date"), achievement.evaluation_date),
        (label("recommending_unit"), achievement.recommending_unit),
        (label("region"), achievement.region.label if achievement.region else None),
        (label("secrecy"), achievement.get_secrecy_display()),
    ]
    return [(name, value) for name, value in facts if value not in (None, "")]


def _jsonld(request: HttpRequest, achievement: Achievement) -> dict[str, Any]:
    """schema.org description of a published achievement, for search engines and harvesters."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "name": achievement.name,
        "description": achievement.summary,
        "keywords": ", ".join([*achievement.keywords, *achievement.keywords_en]),
        "identifier": achievement.registration_number,
        "url": request.build_absolute_uri(reverse("achievements:detail", args=[achievement.pk])),
        "inLanguage": "zh-CN",
        "genre": achievement.get_achievement_type_display(),
        "creator": [{"@type": "Organization", "name": unit.name} for unit in achievement.units.all()],
    }
    if achievement.name_en:
        data["alternateName"] = achievement.name_en
    if achievement.registered_at:
        data["dateCreated"] = timezone.localdate(achievement.registered_at).isoformat()
    if achievement.published_at:
        data["datePublished"] = timezone.localdate(achievement.published_at).isoformat()
    if achievement.high_tech_field:
        data["about"] = achievement.high_tech_field.label_zh
    return data


# Changes that are not model fields: the repeated parts and the files.
PART_LABELS_AUDIT = {
    "units": gettext_lazy("completing units"),
    "persons": gettext_lazy("completing persons"),
    "ip_items": gettext_lazy("IP items"),
    "transfer_modes": gettext_lazy("intended transfer modes"),
    "attachment": gettext_lazy("attachment"),
}


def _plain(value: Any, choices: dict[Any, Any] | None = None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return "、".join(_plain(v, choices) for v in value) or "—"
    if choices and value in choices:
        return str(choices[value])
    return str(value)


def changes_display(changes: dict[str, Any]) -> list[tuple[str, str]]:
    """Audit and revision changes as (field label, "old → new") lines, with labels in the page's language."""
    lines = []
    for name, change in (changes or {}).items():
        choices = None
        try:
            field = Achievement._meta.get_field(name)
            label = str(getattr(field, "verbose_name", name))
            choices = dict(field.flatchoices) if getattr(field, "choices", None) else None
        except FieldDoesNotExist:
            label = str(PART_LABELS_AUDIT.get(name, name))
        if isinstance(change, list) and len(change) == 2:
            text = f"{_plain(change[0], choices)} → {_plain(change[1], choices)}"
        else:
            text = _plain(change, choices)
        lines.append((label, text))
    return lines


def detail_context(request: HttpRequest, achievement: Achievement, **forms: Any) -> dict[str, Any]:
    user = request.user
    # The same rule as the API's: what the page shows this user beyond the public fields.
    visibility = perms.achievement_visibility(user, achievement)
    insider = visibility.internal
    can_edit = perms.can_edit(user, achievement)
    status = achievement.status
    context: dict[str, Any] = {
        "achievement": achievement,
        "facts": _public_facts(achievement),
        "visibility": visibility,
        "insider": insider,
        "can_edit": can_edit,
        "can_revise": perms.can_revise(user, achievement),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "jsonld": json_for_script(_jsonld(request, achievement)) if status == Status.PUBLISHED else None,
    }
    if insider:
        context["history"] = ACHIEVEMENT_FLOW.history_of(achievement)
        context["revisions"] = list(achievement.revisions.select_related("by"))
        context["audit"] = list(audit_for(achievement).select_related("actor")[:200])
        for row in [*context["revisions"], *context["audit"]]:
            row.lines = changes_display(row.changes)
        for event in context["audit"]:
            event.action_label = action_label(event.action)
        if status in EDITABLE_STATUSES and (can_edit or perms.can_manage(user, achievement)):
            context["problems"] = [
                message for messages_ in services.submission_problems(achievement).values() for message in messages_
            ]
    return context


def achievement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = selectors.achievement_get(user=request.user, pk=pk)
    return render(request, "achievements/detail.html", detail_context(request, achievement))


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = selectors.achievement_get(user=request.user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.attachment_add(
                achievement=achievement, by=request.user, upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as exc:
            for message_list in error_messages(exc).values():
                for message in message_list:
                    messages.error(request, message)
        else:
            messages.success(request, _("%(name)s is attached.") % {"name": attachment.original_name})
    else:
        if not perms.can_edit(request.user, achievement):
            raise PermissionDenied(_("You cannot add files to this achievement."))
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for message in errors:
                messages.error(request, labelled(str(label), message) if label else message)
    return redirect(safe_next(request, reverse("achievements:detail", args=[pk])))


@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    """Files are served through this view, never from MEDIA_URL, so proofs stay with the unit and its reviewers."""
    achievement = selectors.achievement_get(user=request.user, pk=pk)
    if not perms.achievement_visibility(request.user, achievement).materials:
        raise Http404("No such file")
    attachment = get_object_or_404(achievement.attachments, pk=attachment_pk)
    return protected_file_response(request, attachment.file, filename=attachment.original_name)


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    achievement = selectors.achievement_get(user=request.user, pk=pk)
    attachment = get_object_or_404(achievement.attachments, pk=attachment_pk)
    services.attachment_remove(attachment=attachment, by=request.user)
    messages.success(request, _("%(name)s is removed.") % {"name": attachment.original_name})
    return redirect(safe_next(request, reverse("achievements:detail", args=[pk])))
