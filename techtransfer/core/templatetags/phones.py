"""`{{ number|phone_link }}`: a phone number as a tel: link that dials it, or as plain text if it is not one."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from techtransfer.lib.validators import normalise_phone_number

register = template.Library()


@register.filter
def phone_link(value: str) -> SafeString:
    # The link dials the normalised number (+861062780000); the page shows it as it was written. A stored
    # value that is not a phone number (entered before numbers were checked) gets no link.
    number = normalise_phone_number(value or "")
    if not number:
        return format_html("{}", value or "")
    return format_html('<a href="tel:{}">{}</a>', number, value)
