"""The seller's side: the application form (new and edit), the contract's page and its PDF attachments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from techtransfer.accounts.abuse import submit_once
from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import editable_organisations, is_commission_admin
from techtransfer.contracts import selectors, services
from techtransfer.contracts.choices import (
    EDITABLE_STATUSES,
    SELLER_ROLE,
    SUBTYPE_SELLER_ROLE,
    AttachmentKind,
    ContractStatus,
)
from techtransfer.contracts.forms import (
    ContractForm,
    ItemFormSet,
    SellerForm,
    items_of,
)
from techtransfer.contracts.models import ContractAttachment, ContractRuleSet, TechnologyContract
from techtransfer.contracts.permissions import SELLER, registrar_points, sells_for
from techtransfer.contracts.rules import categories_on, grounds_text, rule_set_on
from techtransfer.contracts.tax import tax_treatments
from techtransfer.contracts.workflows import CONTRACT_FLOW
from techtransfer.core.attachment_views import AttachmentRoutes
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.forms import error_summary, formset_errors
from techtransfer.core.views import apply_service_errors

ATTACHMENTS = AttachmentRoutes(
    get_record=selectors.contract_get, model=ContractAttachment, record_field="contract",
    add=services.attachment_add, remove=services.attachment_remove, detail="contracts:detail", kinds=AttachmentKind,
)

PAGE_SIZE = 25
ITEMS_PREFIX = "items"


def _rules_for_script() -> list[dict[str, Any]]:
    """Every rule set's categories by date, for the form's script: the sub-type list follows the category and
    the signing date (the licence category exists from 2021). The service checks it again on save."""
    return [
        {"valid_from": rs.valid_from.isoformat(), "categories": rs.categories}
        for rs in ContractRuleSet.objects.order_by("valid_from")
    ]


class ContractEditor:
    """The JJ-001 form and its non-technical items, bound and checked together."""

    def __init__(self, request: HttpRequest, *, contract: TechnologyContract | None, seller: Organisation) -> None:
        data = request.POST if request.method == "POST" else None
        self.form = ContractForm(data, instance=contract or TechnologyContract(), seller=seller)
        initial = (
            list(contract.non_technical_items.values("kind", "description", "amount", "carrier", "quantity"))
            if contract
            else []
        )
        self.items = ItemFormSet(data, prefix=ITEMS_PREFIX, initial=initial if data is None else None)
        self.item_errors: list[str] = []

    def is_valid(self) -> bool:
        return all([self.form.is_valid(), self.items.is_valid()])

    def apply_errors(self, exc: ValidationError) -> None:
        parts = {"non_technical_items": self.item_errors}
        apply_service_errors(exc, self.form, parts)

    def context(self, seller_form: SellerForm | None = None) -> dict[str, Any]:
        title = _("Non-technical items")
        summary = error_summary(seller_form, self.form)
        summary += formset_errors(self.items, title, "#part-items")
        summary += error_summary(parts=[(title, "#part-items", self.item_errors)])
        return {
            "form": self.form,
            "seller_form": seller_form,
            "items": self.items,
            "item_errors": self.item_errors,
            "error_summary": summary,
            "rules_json": _rules_for_script(),
        }


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "") for k in ("status", "category", "q")}
    page = Paginator(selectors.contract_list(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "contracts/list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": ContractStatus.choices,
            "can_create": bool(sells_for(request.user)),
            "can_import": bool(registrar_points(request.user)) or is_commission_admin(request.user),
            "can_decide": bool(registrar_points(request.user)),
            "can_exchange": is_commission_admin(request.user),
        },
    )


@login_required
def contract_new(request: HttpRequest) -> HttpResponse:
    organisations = editable_organisations(request.user)
    if not organisations:
        raise PermissionDenied(_("Only members of an organisation can register its technology contracts."))
    seller_form = None
    seller = organisations[0]
    if len(organisations) > 1:
        seller_form = SellerForm(
            request.POST if request.method == "POST" else None, organisations=organisations,
            initial={"seller": seller},
        )
        if seller_form.is_bound and seller_form.is_valid():
            seller = seller_form.cleaned_data["seller"]
    editor = ContractEditor(request, contract=None, seller=seller)
    seller_ok = seller_form is None or seller_form.is_valid()
    if request.method == "POST" and editor.is_valid() and seller_ok:
        return submit_once(request, editor.form, lambda: _create(request, editor, seller, seller_form))
    return render(request, "contracts/form.html", {**editor.context(seller_form), "contract": None})


def _create(
    request: HttpRequest, editor: ContractEditor, seller: Organisation, seller_form: SellerForm | None
) -> HttpResponse:
    try:
        contract = services.contract_create(
            by=request.user, seller=seller, data=editor.form.service_data(), items=items_of(editor.items)
        )
    except ValidationError as exc:
        editor.apply_errors(exc)
        return render(request, "contracts/form.html", {**editor.context(seller_form), "contract": None})
    messages.success(request, _("The application is saved. Attach the signed contract (PDF), then submit it."))
    return redirect("contracts:detail", pk=contract.pk)


@login_required
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    if not SELLER.check(request.user, contract) or contract.status not in EDITABLE_STATUSES:
        raise PermissionDenied(_("Only the seller changes the application, while it is a draft or returned."))
    editor = ContractEditor(request, contract=contract, seller=contract.seller)
    if request.method == "POST" and editor.is_valid():
        try:
            services.contract_update(
                contract=contract, by=request.user, data=editor.form.service_data(), items=items_of(editor.items)
            )
        except ValidationError as exc:
            editor.apply_errors(exc)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("contracts:detail", pk=pk)
    return render(request, "contracts/form.html", {**editor.context(), "contract": contract})


@login_required
@require_GET
def item_row(request: HttpRequest) -> HttpResponse:
    """One empty row of the non-technical items (htmx "add a row"), with the formset's new row count."""
    try:
        index = max(0, min(49, int(request.GET.get(f"{ITEMS_PREFIX}-TOTAL_FORMS", "0"))))
    except ValueError:
        index = 0
    formset = ItemFormSet(prefix=ITEMS_PREFIX)
    form = formset.form(
        auto_id=formset.auto_id, prefix=formset.add_prefix(index), empty_permitted=True, use_required_attribute=False
    )
    formset.add_fields(form, index)
    return render(
        request, "achievements/_form_row.html", {"row": form, "prefix": ITEMS_PREFIX, "total": index + 1, "oob": True}
    )


def seller_role(contract: TechnologyContract) -> str:
    return str(SUBTYPE_SELLER_ROLE.get(contract.subtype) or SELLER_ROLE.get(contract.category, ""))


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    user = request.user
    is_seller = SELLER.check(user, contract)
    editable = is_seller and contract.status in EDITABLE_STATUSES
    history = CONTRACT_FLOW.history_of(contract)
    problems: list[str] = []
    if editable:
        problems = [m for messages_ in services.submission_problems(contract).values() for m in messages_]
    today = timezone.localdate()
    licence_note = ""
    if contract.signed_on and "licence" not in categories_on(contract.signed_on):
        licence_note = _("Signed before 2021-01-01: licences are registered as technology transfers.")
    context = {
        "contract": contract,
        "seller_role": seller_role(contract),
        "items": contract.non_technical_items.all(),
        "attachments": contract.attachments.all(),
        "attachment_form": ATTACHMENTS.form() if editable else None,
        "can_edit": editable,
        "is_seller": is_seller,
        "may_register": CONTRACT_FLOW.may(user, contract, "register"),
        "may_refuse": CONTRACT_FLOW.may(user, contract, "refuse"),
        "problems": problems,
        "history": history,
        "last_return": next((h for h in reversed(list(history)) if h.step == "return"), None),
        "days_left": (contract.decision_due - today).days if contract.decision_due else None,
        "rule_set": contract.rule_set or rule_set_on(today),
        "treatments": tax_treatments(contract) if contract.status == ContractStatus.REGISTERED else [],
        "licence_note": licence_note,
        "grounds": grounds_text(contract.rule_set, contract.refusal_grounds) if contract.rule_set else [],
    }
    return render(request, "contracts/detail.html", context)


@login_required
@require_POST
def contract_from_contact_request(request: HttpRequest, contact_request_pk: int) -> HttpResponse:
    """Turn a signed contact request into a draft application, prefilled, linked both ways."""
    from techtransfer.matchmaking.selectors import contact_request_get

    contact_request = contact_request_get(user=request.user, pk=contact_request_pk)
    seller = contact_request.achievement.owner
    if seller.pk not in sells_for(request.user):
        raise PermissionDenied(_("The seller (the achievement's owner) registers the contract."))
    try:
        contract = services.contract_from_contact_request(contact_request=contact_request, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        existing = (exc.extra or {}).get("pk")
        if existing:
            return redirect("contracts:detail", pk=existing)
        raise Http404 from None
    messages.success(request, _("A draft application was made from the signed deal. Check it and complete it."))
    return redirect("contracts:edit", pk=contract.pk)


def contact_request_panel(request: HttpRequest, contact_request: Any) -> dict[str, Any] | None:
    """On a signed contact request's page: its contract registration, or (for the seller) the way to make one."""
    if not request.user.is_authenticated or contact_request.stage != "signed":
        return None
    contract = selectors.contract_for_contact_request(user=request.user, contact_request=contact_request)
    can_register = contract is None and contact_request.achievement.owner_id in sells_for(request.user)
    if contract is None and not can_register:
        return None
    return {"contract": contract, "can_register": can_register}
