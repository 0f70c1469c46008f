"""HTML input for the challenge pages. Forms parse and present; the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import Organisation
from techtransfer.achievements.forms import CodeItemChoiceField
from techtransfer.challenges import services
from techtransfer.challenges.models import Challenge, Proposal
from techtransfer.core.forms import TREE_TABLES, CodeItemTreeField, NamedErrorsMixin, OneTimeFormMixin
from techtransfer.core.models import CodeItem
from techtransfer.lib.money import WanYuanField

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]
WIDE_FIELDS = {"title", "problem", "requirements", "eligibility", "reward_note", "summary", "approach", "members"}


class DateTimeInput(forms.DateTimeInput):
    """<input type=datetime-local>, read and shown in the platform's time zone (Beijing time)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class ChallengeForm(OneTimeFormMixin, NamedErrorsMixin, forms.ModelForm):
    """The fields of a challenge (services.FORM_FIELDS)."""

    wide_fields = WIDE_FIELDS

    class Meta:
        model = Challenge
        fields = services.FORM_FIELDS
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 6}),
            "requirements": forms.Textarea(attrs={"rows": 6}),
            "eligibility": forms.Textarea(attrs={"rows": 3}),
            "submission_deadline": DateTimeInput(),
            "qa_deadline": DateTimeInput(),
        }
        # Rewards are thought of in 万元; the service stores yuan.
        field_classes = {"reward": WanYuanField}
        labels = {"reward": _("reward (万元)")}
        help_texts = {"reward": _("In 万元 (10,000 yuan), e.g. 50 for 500,000 yuan.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance: Challenge = self.instance
        for name, key in services.CODE_FIELDS.items():
            current_id = getattr(instance, f"{name}_id", None)
            # Current items only, plus the one an older record already points at (an earlier table version).
            queryset = CodeItem.objects.filter(
                Q(table__key=key, table__is_current=True, active=True) | Q(pk=current_id)
            )
            model_field = self.fields[name]
            # Regions are a tree: province → city/district.
            tree = {"table": key} if key in TREE_TABLES else {}
            self.fields[name] = (CodeItemTreeField if tree else CodeItemChoiceField)(
                queryset=queryset.order_by("sort_order", "code"),
                required=False,
                label=model_field.label,
                help_text=model_field.help_text,
                show_code=name == "region",
                empty_label="—",
                **tree,
            )
        for name in ("submission_deadline", "qa_deadline"):
            self.fields[name].input_formats = DATETIME_FORMATS
        self.fields["submission_deadline"].help_text = _(
            "Beijing time. No proposal can be submitted, changed or withdrawn after it."
        )

    def service_data(self) -> dict[str, Any]:
        """The cleaned values; of a form that failed its checks, a field that failed is None (unknown), so
        that the service does not check the other fields against its old value."""
        return {name: self.cleaned_data.get(name) for name in services.FORM_FIELDS}

    def _post_clean(self) -> None:
        # The service validates the model (with the owner set); the form only parses the input.
        pass


class ProposalForm(OneTimeFormMixin, NamedErrorsMixin, forms.ModelForm):
    """A bidder's proposal; `team_org` offers only the organisations the bidder may bid for."""

    wide_fields = WIDE_FIELDS

    upload = forms.FileField(
        label=_("PDF attachment"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text=_("Optional: the full proposal as a PDF. A new file replaces the old one."),
    )

    class Meta:
        model = Proposal
        fields = services.PROPOSAL_FIELDS
        widgets = {
            "members": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "approach": forms.Textarea(attrs={"rows": 8}),
        }
        field_classes = {"price_quote": WanYuanField}
        labels = {"price_quote": _("price quote (万元)")}
        help_texts = {"price_quote": _("In 万元 (10,000 yuan), e.g. 45 for 450,000 yuan.")}

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team_org"].queryset = organisations
        self.fields["team_org"].empty_label = _("— none: I bid as an individual —")
        self.fields["team_name"].required = True
        for name in services.PROPOSAL_REQUIRED_TO_SUBMIT:
            self.fields[name].help_text = self.fields[name].help_text or _("Required before submitting.")

    def service_data(self) -> dict[str, Any]:
        """The cleaned values; a field that failed the form's checks is None (see ChallengeForm)."""
        return {name: self.cleaned_data.get(name) for name in services.PROPOSAL_FIELDS}

    def _post_clean(self) -> None:
        pass


class QuestionForm(OneTimeFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Your question"), widget=forms.Textarea(attrs={"rows": 3}), max_length=services.TEXT_MAX
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=services.TEXT_MAX)


class AwardForm(forms.Form):
    """The winners (from the handed-in proposals) and the result published with them."""

    winners = forms.ModelMultipleChoiceField(
        label=_("Winning proposals"), queryset=Proposal.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    result_note = forms.CharField(
        label=_("Published result"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=services.TEXT_MAX,
        help_text=_("Everyone can read it on the challenge page, with the winners' team names and summaries."),
    )

    def __init__(self, *args: Any, proposals: QuerySet[Proposal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["winners"].queryset = proposals
        self.fields["winners"].label_from_instance = lambda p: p.team_name


class OwnerForm(forms.Form):
    """For people in several organisations: which one posts the challenge."""

    owner = forms.ModelChoiceField(
        label=_("posting organisation"), queryset=Organisation.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = organisations
