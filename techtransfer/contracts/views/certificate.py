"""The registration certificate (PDF), its public verification, and the public Art. 90 income-tax calculator.

- `certificate_download`: the certificate of a registered contract, to those who may read the contract (everyone
  else, anonymous included, gets the same 404 as for a contract that does not exist).
- `verify` and `verify_form`: anyone holding a certificate checks it with its number and verification code (the
  QR code leads straight to `verify`). A number with a wrong code, a refused contract and a number never issued
  all get the same answer, so the page reveals nothing about which numbers exist.
- `tax_calculator`: Art. 90 of the EIT Implementing Regulations on a year's technology-transfer gain; a GET form
  whose answer is part of the page (htmx replaces only the result when it is there; without JS the page reloads).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from techtransfer.contracts.certificate import certificate_pdf
from techtransfer.contracts.choices import ContractStatus
from techtransfer.contracts.selectors import contract_get, contract_verify
from techtransfer.contracts.tax import art90_years, eit_article_90, tax_rules
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.forms import error_summary

NUMBER_RE = re.compile(r"^\d{1,32}$")
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
MAX_AMOUNT = Decimal("99999999999999.99")  # the contracts' money fields: 16 digits, 2 decimals


def certificate_filename(contract: Any) -> str:
    return _("registration-certificate-%(number)s.pdf") % {"number": contract.number}


@require_GET
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate PDF; 404 unless the user may read the contract and it is registered."""
    contract = contract_get(user=request.user, pk=pk)
    if contract.status != ContractStatus.REGISTERED or not contract.number or not contract.verification_code:
        raise Http404("No certificate")
    verify_url = request.build_absolute_uri(reverse("contracts:verify", args=[contract.number,
                                                                              contract.verification_code]))
    response = HttpResponse(certificate_pdf(contract, verify_url=verify_url), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, certificate_filename(contract))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class VerifyForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Contract registration number"),
        max_length=40,
        help_text=gettext_lazy("The 16 digits printed on the certificate."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=16,
        help_text=gettext_lazy("Printed at the end of the verification address, under the QR code."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}),
    )

    def clean_number(self) -> str:
        number = re.sub(r"[\s-]", "", self.cleaned_data["number"])
        if not NUMBER_RE.match(number):
            raise forms.ValidationError(_("A registration number has digits only."))
        return number

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not CODE_RE.match(code):
            raise forms.ValidationError(_("A verification code has letters, digits, “-” and “_” only."))
        return code


@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    """Type the number and code of a certificate (GET, so nothing is stored and no token is needed)."""
    form = VerifyForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("contracts:verify", form.cleaned_data["number"], form.cleaned_data["code"])
    return render(request, "contracts/verify_form.html", {"form": form, "error_summary": error_summary(form)})


@never_cache
@require_GET
def verify(request: HttpRequest, number: str, code: str) -> HttpResponse:
    """Public: whether a registered contract has this number and code (404 and the same page otherwise)."""
    contract = contract_verify(number=number, code=code)
    if contract is None:
        return render(request, "contracts/verify.html", {"contract": None, "number": number}, status=404)
    approved = contract.approved_technical_value
    return render(
        request,
        "contracts/verify.html",
        {"contract": contract, "number": contract.number, "approved": yuan(approved) if approved is not None else "—"},
    )


def _amount(label: Any, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        min_value=Decimal("0"),
        max_value=MAX_AMOUNT,
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


class TaxCalculatorForm(forms.Form):
    income = _amount(
        gettext_lazy("Technology-transfer income (yuan)"),
        gettext_lazy("The year's income from qualifying technology transfers, before tax."),
    )
    cost = _amount(
        gettext_lazy("Cost of the technology transferred (yuan)"),
        gettext_lazy("The net tax value of the intangible assets transferred, and the related expenses."),
    )
    taxes = _amount(
        gettext_lazy("Related taxes and fees (yuan)"),
        gettext_lazy("Taxes and surcharges on the transfer, other than income tax and deductible VAT."),
    )
    year = forms.IntegerField()  # bounded by the rules file's years, see __init__
    pilot = forms.BooleanField(
        label=gettext_lazy("Registered in a Zhongguancun pilot area (财税〔2020〕61号, unconfirmed)"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        first, current = art90_years()
        self.fields["year"] = forms.IntegerField(
            label=gettext_lazy("Tax year"), min_value=first, max_value=current + 1, initial=current
        )
        self.order_fields(["income", "cost", "taxes", "year", "pilot"])


def yuan(amount: Decimal) -> str:
    """An exact amount for the calculator and the verification page: "1,234,567.89 yuan" (元 in Chinese)."""
    return _("%(amount)s yuan") % {"amount": f"{amount:,.2f}"}


AMOUNT_FIELDS = ("income", "cost", "taxes", "gain", "exempt", "taxable_excess", "tax_due", "full_rate_tax", "saved",
                 "threshold")


@require_GET
def tax_calculator(request: HttpRequest) -> HttpResponse:
    """Public: the income tax on a year's technology-transfer gain under Art. 90 (and the exemption it saves)."""
    form = TaxCalculatorForm(request.GET if "income" in request.GET else None)
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            result = eit_article_90(data["income"], data["cost"], data["taxes"], year=data["year"],
                                    pilot=data["pilot"])
        except ApplicationError as error:
            form.add_error(None, str(error))
    article_90 = tax_rules()["eit"][-1]
    return render(
        request,
        "contracts/tax_calculator.html",
        {
            "form": form,
            "error_summary": error_summary(form),
            "result": result,
            "amounts": {name: yuan(getattr(result, name)) for name in AMOUNT_FIELDS} if result else {},
            "article_90": article_90,
            "threshold_text": yuan(Decimal(article_90["exempt_up_to"])),
        },
    )


certificate_urlpatterns = [
    path("<int:pk>/certificate.pdf", certificate_download, name="certificate"),
    path("verify/", verify_form, name="verify_form"),
    path("verify/<str:number>/<str:code>/", verify, name="verify"),
    path("tax-calculator/", tax_calculator, name="tax_calculator"),
]
