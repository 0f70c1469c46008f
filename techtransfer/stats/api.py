"""Technology-market statistics API (/api/v1/stats/...): the same figures as the statistics pages.

Reads only, open to everyone, aggregates only: every answer is computed with public=True, so a cell built from
fewer than STATS_MIN_CELL contracts is suppressed (`suppressed: true`, its figures null) for every caller, as
on the pages. Money is in 元 (decimal strings); the pages show the same amounts in 万元. Every endpoint takes
the pages' filters (period and codes, repeatable or comma-separated).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.api.schema import VALIDATION_ERROR
from techtransfer.stats import queries as Q
from techtransfer.stats import views as pages

TAGS = ["stats"]
MONEY = {"max_digits": 20, "decimal_places": 2, "allow_null": True}

FILTER_PARAMETERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="First registration date counted (YYYY-MM-DD)."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Last registration date counted (YYYY-MM-DD)."),
    *[
        OpenApiParameter(
            name, OpenApiTypes.STR, many=True, explode=True,
            description=f"{label} (code; repeat the parameter or separate codes with commas).",
        )
        for name, label in (
            ("category", "Contract category: development, transfer, licence, consulting, service"),
            ("subtype", "Contract sub-type"),
            ("tech_field", "Technology field (contract_tech_field code table)"),
            ("seller_group", "Seller nature, rolled up as published (enterprise, institute, university, ...)"),
            ("buyer_group", "Buyer nature, rolled up as published"),
            ("ip_type", "Intellectual property type (contract_ip_type code table)"),
            ("plan_source", "Plan source, top level (contract_plan_source code table)"),
            ("objective", "Socio-economic objective (socio_economic_objective code table)"),
            ("industry", "Industry, GB/T 4754 section letter"),
            ("seller_district", "Seller's Beijing district, 6-digit GB/T 2260 code"),
            ("buyer_province", "Buyer's province, first 2 digits of GB/T 2260"),
            ("buyer_scope", "Buyer location: beijing, other_province, hmt, abroad"),
            ("region_group", "Buyer region group: east, central, west, northeast, jjj, jinji, yrd, gba, hmt, abroad"),
            ("affiliation", "Seller central or local: central, local"),
        )
    ],
    OpenApiParameter(
        "landed_beijing", OpenApiTypes.BOOL, description="Only contracts landed in Beijing (1) or not (0)."
    ),
]


class CellSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The dimension's code (empty: not stated).")
    label = serializers.CharField(help_text="In the request's language.")
    contracts = serializers.IntegerField(allow_null=True)
    turnover = serializers.DecimalField(**MONEY, help_text="Contract turnover, 元.")
    technical_value = serializers.DecimalField(**MONEY, help_text="Technical transaction value, 元.")
    average_turnover = serializers.DecimalField(**MONEY, help_text="Turnover per contract, 元.")
    suppressed = serializers.BooleanField(help_text="Too few contracts to publish: the figures are null.")


class PreviousSerializer(serializers.Serializer):
    contracts = serializers.IntegerField(allow_null=True)
    turnover = serializers.DecimalField(**MONEY)
    technical_value = serializers.DecimalField(**MONEY)
    average_turnover = serializers.DecimalField(**MONEY)
    suppressed = serializers.BooleanField()


class TotalsSerializer(PreviousSerializer):
    previous = PreviousSerializer(allow_null=True, help_text="The same period one year earlier.")
    growth_contracts = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True,
                                                help_text="Percent on the year before.")
    growth_turnover = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    growth_technical_value = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)


class SummarySerializer(TotalsSerializer):
    gdp_share = serializers.DecimalField(
        max_digits=12, decimal_places=4, allow_null=True,
        help_text="Turnover as a percentage of Beijing's GDP, when the period is one calendar year with a figure.",
    )
    gdp_confirmed = serializers.BooleanField(allow_null=True, help_text="Whether that GDP figure was checked.")


class BreakdownSerializer(serializers.Serializer):
    by = serializers.CharField()
    total = TotalsSerializer()
    cells = CellSerializer(many=True)


class FlowsSerializer(serializers.Serializer):
    direction = serializers.CharField()
    total = TotalsSerializer()
    provinces = CellSerializer(many=True, help_text="out: buyers' provinces (2 digits); in: sellers' provinces.")
    abroad = CellSerializer(many=True, help_text="out: buyers abroad by customs country code.")
    districts = CellSerializer(many=True, help_text="Beijing districts (out: sellers'; in: buyers').")


class LiveItemSerializer(serializers.Serializer):
    time = serializers.CharField()
    datetime = serializers.CharField()
    category = serializers.CharField()
    field = serializers.CharField()
    district = serializers.CharField(source="from")
    turnover_band = serializers.CharField(source="turnover_text", help_text="A band in 万元, not the amount.")


class LiveSerializer(serializers.Serializer):
    day = serializers.DateField()
    as_of = serializers.DateTimeField()
    contracts = serializers.IntegerField(allow_null=True)
    turnover = serializers.DecimalField(**MONEY)
    technical_value = serializers.DecimalField(**MONEY)
    suppressed = serializers.BooleanField()
    provinces_reached = serializers.IntegerField()
    latest = LiveItemSerializer(many=True, help_text="The latest registrations, without project or parties.")
    flows = FlowsSerializer()


def stat_filter(request: Request) -> Q.StatFilter:
    try:
        return Q.StatFilter.from_query(request.query_params)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.message_dict) from error


class SummaryApi(APIView):
    @extend_schema(
        operation_id="stats_summary",
        summary="Contracts, turnover, technical value and average, with growth on the year before",
        parameters=FILTER_PARAMETERS,
        responses={200: SummarySerializer, 400: VALIDATION_ERROR},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        from techtransfer.stats import exporting as X

        f = stat_filter(request)
        totals = Q.summary(f, public=True)
        data: dict[str, Any] = totals.as_dict()
        year = X.whole_year(f)
        share = X.gdp_share(totals.turnover, year) if year else None
        data["gdp_share"] = share[0] if share else None
        data["gdp_confirmed"] = share[1] if share else None
        return Response(SummarySerializer(data).data)


class BreakdownApi(APIView):
    @extend_schema(
        operation_id="stats_breakdown",
        summary="The contracts by one dimension",
        parameters=[
            OpenApiParameter("by", OpenApiTypes.STR, required=True, enum=list(Q.DIMENSIONS),
                             description="The dimension (year and month give the trend)."),
            *FILTER_PARAMETERS,
        ],
        responses={200: BreakdownSerializer, 400: VALIDATION_ERROR},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        by = request.query_params.get("by", "")
        if by not in Q.DIMENSIONS:
            raise serializers.ValidationError({"by": [f"Give one of: {', '.join(Q.DIMENSIONS)}."]})
        f = stat_filter(request)
        result = Q.overview(f, by=[by], public=True)
        return Response(BreakdownSerializer(
            {"by": by, "total": result.summary.as_dict(), "cells": [c.as_dict() for c in result.breakdowns[by]]}
        ).data)


class FlowsApi(APIView):
    @extend_schema(
        operation_id="stats_flows",
        summary="Technology flows of Beijing: by province, abroad by country, by Beijing district",
        parameters=[
            OpenApiParameter(
                "direction", OpenApiTypes.STR, enum=["out", "in"], default="out",
                description="out (输出): Beijing's sellers by buyer; in (吸纳): Beijing's buyers by seller.",
            ),
            *FILTER_PARAMETERS,
        ],
        responses={200: FlowsSerializer, 400: VALIDATION_ERROR},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        direction = request.query_params.get("direction", "out")
        if direction not in ("out", "in"):
            raise serializers.ValidationError({"direction": ["Give out or in."]})
        flows = Q.flows(stat_filter(request), direction, public=True)
        return Response(FlowsSerializer(flows.as_dict()).data)


class RegionGroupsApi(APIView):
    @extend_schema(
        operation_id="stats_region_groups",
        summary="The buyers' region groups: 东部/中部/西部/东北, 京津冀, 津冀, 长三角, 粤港澳, 港澳台, 国外",
        parameters=FILTER_PARAMETERS,
        responses={200: CellSerializer(many=True), 400: VALIDATION_ERROR},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        cells = Q.region_groups(stat_filter(request), public=True)
        return Response(CellSerializer([c.as_dict() for c in cells], many=True).data)


class LiveApi(APIView):
    @extend_schema(
        operation_id="stats_live",
        summary="Today's registrations: totals, the latest (no project names), today's outflow",
        responses={200: LiveSerializer},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        live = Q.live(None)
        payload = pages.live_payload(request._request, live)
        data = {
            **payload,
            "turnover": live.totals.turnover,
            "technical_value": live.totals.technical_value,
            "flows": live.flows.as_dict(),
        }
        response = Response(LiveSerializer(data).data)
        response["Cache-Control"] = "no-store"
        return response
