"""Limit/offset pagination for every API list: {"count", "next", "previous", "results"}."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import pagination, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.lib.validators import DB_ID_MAX


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = 20
    max_limit = 200


def paginated_response(
    *,
    queryset: QuerySet[Any],
    serializer_class: type[serializers.BaseSerializer],
    request: Request,
    view: APIView,
    context: dict[str, Any] | None = None,
) -> Response:
    paginator = LimitOffsetPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    serializer = serializer_class(page, many=True, context={"request": request, **(context or {})})
    return paginator.get_paginated_response(serializer.data)


class Window:
    """The requested page of a list that something other than a queryset pages (e.g. the search index)."""

    def __init__(self, request: Request) -> None:
        self._paginator = LimitOffsetPagination()
        self._paginator.request = request
        self.limit: int = self._paginator.get_limit(request) or LimitOffsetPagination.default_limit
        self.offset: int = self._paginator.get_offset(request)
        if self.offset > DB_ID_MAX:  # the search would hand it to the database, which cannot hold it (a 500)
            message = _("Give an offset from 0 to %(max)d.") % {"max": DB_ID_MAX}
            raise serializers.ValidationError({"offset": [message]})
        self._paginator.limit, self._paginator.offset = self.limit, self.offset

    def response(self, *, count: int, results: list[Any], **extra: Any) -> Response:
        self._paginator.count = count
        response = self._paginator.get_paginated_response(results)
        response.data.update(extra)
        return response
