"""PDF uploads are parsed with pypdf: files that are not readable PDFs, password-protected ones and ones
with JavaScript or actions that run by themselves are refused, naming the field. The files are real PDFs,
written here with pypdf."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from techtransfer.achievements import services as achievement_services
from techtransfer.achievements.models import Attachment
from techtransfer.challenges import services as challenge_services
from techtransfer.challenges.tests.helpers import make_open_challenge
from techtransfer.lib.uploads import pdf_upload_check
from techtransfer.market.tests.helpers import make_enterprise
from techtransfer.testing import Personas, blank_pdf, make_achievement


def _pdf(change: Callable[[PdfWriter], None] | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if change is not None:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _launch_on_open(writer: PdfWriter) -> None:
    launch = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("C:\\Windows\\calc.exe")}
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(launch)


def _script_on_page_open(writer: PdfWriter) -> None:
    script = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): script})


def _open_at_first_page(writer: PdfWriter) -> None:
    # An /OpenAction that is only a destination (show page 1, fit the window) is harmless and common.
    writer._root_object[NameObject("/OpenAction")] = ArrayObject(
        [writer.pages[0].indirect_reference, NameObject("/Fit")]
    )


def _link_to_website(writer: PdfWriter) -> None:
    uri = DictionaryObject({NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("https://x.cn")})
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(50), NumberObject(50)]),
            NameObject("/A"): uri,
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])


def _upload(content: bytes, name: str = "proof.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _refusal(content: bytes, field: str = "file") -> str:
    with pytest.raises(ValidationError) as caught:
        pdf_upload_check(_upload(content), field=field)
    return " ".join(caught.value.message_dict[field])


class TestPdfUploadCheck:
    def test_it_accepts_a_plain_pdf_and_returns_its_sha256(self) -> None:
        assert len(pdf_upload_check(_upload(blank_pdf(pages=2)))) == 64

    @pytest.mark.parametrize("change", [_open_at_first_page, _link_to_website])
    def test_it_accepts_navigation(self, change: Callable[[PdfWriter], None]) -> None:
        assert len(pdf_upload_check(_upload(_pdf(change)))) == 64

    def test_it_refuses_a_file_that_only_starts_like_a_pdf(self) -> None:
        message = _refusal(b"%PDF-1.7\n" + b"this is not a PDF at all\n" * 20)
        assert message == "proof.pdf is not a valid PDF: it cannot be read (damaged or not really a PDF)."

    def test_it_refuses_a_truncated_pdf(self) -> None:
        content = blank_pdf(pages=3)
        assert "is not a valid PDF" in _refusal(content[: len(content) // 3])

    def test_it_refuses_document_javascript(self) -> None:
        script = JavaScript("app.launchURL('https://evil.example');")
        message = _refusal(_pdf(lambda writer: writer.add_open_action(script)), "attachment")
        assert "contains JavaScript or actions that run when it is opened" in message

    def test_it_refuses_an_open_action_that_launches_a_program(self) -> None:
        assert "(/OpenAction)" in _refusal(_pdf(_launch_on_open)) or "(/Launch)" in _refusal(_pdf(_launch_on_open))

    def test_it_refuses_additional_actions_on_a_page(self) -> None:
        assert "run when it is opened" in _refusal(_pdf(_script_on_page_open))

    def test_it_refuses_a_password_protected_pdf(self) -> None:
        assert "is password-protected" in _refusal(_pdf(lambda writer: writer.encrypt("secret", algorithm="RC4-128")))

    def test_it_still_refuses_other_files_by_their_first_bytes(self) -> None:
        assert "Only PDF files can be attached" in _refusal(b"PK\x03\x04 a zip file")


class TestWhereUploadsArrive:
    def test_an_achievement_attachment_with_javascript_is_not_stored(self, p: Personas) -> None:
        achievement = make_achievement(p, attach=False)
        with pytest.raises(ValidationError) as caught:
            achievement_services.attachment_add(
                achievement=achievement, by=p.tto_officer, upload=_upload(_pdf(_launch_on_open)), kind="evaluation"
            )
        assert "file" in caught.value.message_dict
        assert not Attachment.objects.filter(achievement=achievement).exists()

    def test_a_proposal_attachment_that_is_not_a_pdf_is_refused_on_the_attachment_field(self, p: Personas) -> None:
        challenge = make_open_challenge(make_enterprise(), p.commission_admin)
        with pytest.raises(ValidationError) as caught:
            challenge_services.proposal_create(
                challenge=challenge,
                by=p.researcher,
                data={"team_name": "团队", "summary": "方案", "approach": "路线"},
                upload=_upload(b"%PDF-1.4\nnot really"),
            )
        assert "is not a valid PDF" in " ".join(caught.value.message_dict["attachment"])
