"""Read-only API over the code tables: which tables exist, and the items of their current versions."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.api.pagination import LimitOffsetPagination, paginated_response
from techtransfer.api.schema import READ_ERRORS
from techtransfer.core.models import CodeItem, CodeTable


class CodeTableListApi(APIView):
    """The current version of every code table."""

    pagination_class = LimitOffsetPagination

    @extend_schema_serializer(component_name="CodeTable")
    class OutputSerializer(serializers.Serializer):
        key = serializers.CharField()
        version = serializers.CharField()
        name = serializers.CharField()
        name_en = serializers.CharField()
        source = serializers.CharField()
        confirmed = serializers.BooleanField(help_text="False where the values could not be confirmed officially.")
        effective_from = serializers.DateField(allow_null=True)
        url = serializers.SerializerMethodField()

        def get_url(self, table: CodeTable) -> str:
            return self.context["request"].build_absolute_uri(reverse("api:code-table", args=[table.key]))

    @extend_schema(operation_id="code_tables_list", responses=OutputSerializer(many=True), tags=["code-tables"])
    def get(self, request: Request) -> Response:
        tables = CodeTable.objects.filter(is_current=True).order_by("key")
        return paginated_response(queryset=tables, serializer_class=self.OutputSerializer, request=request, view=self)


class CodeTableDetailApi(APIView):
    """One code table's current version with all its active items, in their order."""

    @extend_schema_serializer(component_name="CodeTableDetail")
    class OutputSerializer(CodeTableListApi.OutputSerializer):
        @extend_schema_serializer(component_name="CodeItem")
        class ItemSerializer(serializers.Serializer):
            code = serializers.CharField()
            label = serializers.CharField(help_text="In the request's language (Accept-Language; Chinese by default).")
            label_zh = serializers.CharField()
            label_en = serializers.CharField()
            parent = serializers.CharField(source="parent.code", allow_null=True, default=None)

        items = ItemSerializer(many=True, source="current_items")

    @extend_schema(
        operation_id="code_tables_retrieve", responses={200: OutputSerializer, **READ_ERRORS}, tags=["code-tables"]
    )
    def get(self, request: Request, key: str) -> Response:
        table = CodeTable.objects.filter(key=key, is_current=True).first()
        if table is None:
            raise Http404
        table.current_items = list(CodeItem.objects.filter(table=table, active=True).select_related("parent"))
        return Response(self.OutputSerializer(table, context={"request": request}).data)
