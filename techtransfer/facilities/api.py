"""Shared facilities API (/api/v1/facilities/...): one class per operation, each calling one selector or service.

Reads go through the selectors (a facility or booking the caller may not see is a 404); writes go through the
services (403 for who, 409 for when, 400 for what). The same fields as the pages: a facility's listing is
public in full once published; a booking is read only by its parties, who all see the same fields.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.accounts.models import Organisation
from techtransfer.api.fields import ChoiceLabelField, CodeField, CodeLabelField, StrictInputMixin
from techtransfer.api.pagination import LimitOffsetPagination, Window, paginated_response
from techtransfer.api.schema import NOT_FOUND, VALIDATION_ERROR, WRITE_ERRORS
from techtransfer.api.serializers import OrganisationRefSerializer
from techtransfer.api.workflow import AllowedActionsField, step_api_routes
from techtransfer.facilities import permissions as perms
from techtransfer.facilities import selectors, services
from techtransfer.facilities.choices import BookingStatus, FacilityKind, FacilityStatus
from techtransfer.facilities.models import Booking
from techtransfer.facilities.search import facility_search
from techtransfer.facilities.workflows import BOOKING_FLOW, FACILITY_FLOW
from techtransfer.lib.validators import DB_ID_MAX, NOTE_MAX_LENGTH, SUMMARY_MAX_LENGTH

TAGS = ["facilities"]
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal(0)}
NOTHING_TO_CHANGE = _("Send at least one field to change.")
NOT_A_MANAGER = perms.NOT_A_MANAGER
NO_UNIT = _("You manage no unit's facilities; give `owner`, a unit whose TTO officer you are.")
SEARCH_FILTERS = {"kind": "type", "field": "field", "district": "district"}
SEARCH_FILTER_UNSUPPORTED = _("This filter cannot be combined with q; with q you can filter by kind, field, district.")


# ---------------------------------------------------------------- output


@extend_schema_serializer(component_name="OpeningWindow")
class OpeningWindowSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 is Monday, 6 is Sunday.")
    opens = serializers.TimeField(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"])
    closes = serializers.TimeField(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"])


@extend_schema_serializer(component_name="Facility")
class FacilityOutputSerializer(serializers.Serializer):
    """A shared facility, as its page shows it."""

    id = serializers.IntegerField()
    status = serializers.CharField(help_text=", ".join(FacilityStatus.values))
    status_label = ChoiceLabelField("status")
    owner = OrganisationRefSerializer()
    name = serializers.CharField()
    name_en = serializers.CharField()
    kind = serializers.CharField(help_text=", ".join(FacilityKind.values))
    kind_label = ChoiceLabelField("kind")
    field = CodeField("high_tech_field", read_only=True, allow_null=True)
    field_label = CodeLabelField(source="field", allow_null=True)
    specifications = serializers.CharField()
    model_number = serializers.CharField()
    maker = serializers.CharField()
    address = serializers.CharField()
    district = CodeField("region", read_only=True, allow_null=True)
    district_label = CodeLabelField(source="district", allow_null=True)
    fee_inside = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="元 per hour, own users.")
    fee_outside = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="元 per hour, outside users.")
    sharing_rules = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    contact_email = serializers.CharField()
    opening_hours = OpeningWindowSerializer(many=True)
    published_at = serializers.DateTimeField(allow_null=True)
    allowed_actions = AllowedActionsField()


def _facility(request: Request, pk: int) -> dict[str, Any]:
    return FacilityOutputSerializer(selectors.facility_get(user=request.user, pk=pk), context={"request": request}).data


@extend_schema_serializer(component_name="Booking")
class BookingOutputSerializer(serializers.Serializer):
    """A booking, as its parties (the user's unit, the facility's managers) read it."""

    id = serializers.IntegerField()
    status = serializers.CharField(help_text=", ".join(BookingStatus.values))
    status_label = ChoiceLabelField("status")
    facility = serializers.IntegerField(source="facility_id")
    facility_name = serializers.CharField(source="facility.name")
    provider = OrganisationRefSerializer(source="facility.owner")
    organisation = OrganisationRefSerializer(help_text="The unit the booking is for.")
    booked_by = serializers.CharField(source="booked_by.display_name")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    purpose = serializers.CharField()
    outside = serializers.BooleanField(help_text="Booked by another unit than the facility's (outside rate).")
    rate = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="元 per hour.")
    estimated_fee = serializers.DecimalField(max_digits=14, decimal_places=2)
    hours_used = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    fee = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    used_at = serializers.DateTimeField(allow_null=True)
    created = serializers.DateTimeField()
    allowed_actions = AllowedActionsField()


def _booking(request: Request, pk: int, *_args: Any) -> dict[str, Any]:
    return BookingOutputSerializer(selectors.booking_get(user=request.user, pk=pk), context={"request": request}).data


# ---------------------------------------------------------------- facilities


class FacilityFieldsInputSerializer(StrictInputMixin, serializers.Serializer):
    """The listing's fields, all optional (PATCH sends only what changes). Codes, not ids."""

    name = serializers.CharField(max_length=200, required=False)
    name_en = serializers.CharField(max_length=300, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=FacilityKind.choices, required=False)
    field = CodeField("high_tech_field", required=False, allow_null=True)
    specifications = serializers.CharField(max_length=SUMMARY_MAX_LENGTH, required=False, allow_blank=True)
    model_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    maker = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    district = CodeField("region", required=False, allow_null=True)
    fee_inside = serializers.DecimalField(**MONEY, required=False, help_text="元 per hour.")
    fee_outside = serializers.DecimalField(**MONEY, required=False, help_text="元 per hour.")
    sharing_rules = serializers.CharField(max_length=SUMMARY_MAX_LENGTH, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    opening_hours = OpeningWindowSerializer(many=True, required=False, help_text="Replaces the stored windows.")


def _split(validated: dict[str, Any]) -> tuple[dict[str, Any], list[services.Window] | None]:
    data = dict(validated)
    hours = data.pop("opening_hours", None)
    windows = None if hours is None else [services.Window(w["weekday"], w["opens"], w["closes"]) for w in hours]
    return data, windows


class FacilityListApi(APIView):
    """Facilities you may see (anonymous: the published ones), by name; with `q`, the public search."""

    pagination_class = LimitOffsetPagination
    OutputSerializer = FacilityOutputSerializer

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(
            required=False, allow_blank=True,
            help_text="Full-text search (Chinese word segmentation) over published facilities, best match first; "
                      "combines with kind, field and district, and the response then also has `facets`.",
        )
        kind = serializers.ChoiceField(choices=FacilityKind.choices, required=False)
        field = CodeField("high_tech_field", required=False)
        district = CodeField("region", required=False)
        owner = serializers.IntegerField(required=False, min_value=1, max_value=DB_ID_MAX, help_text="Unit id.")
        status = serializers.ChoiceField(choices=FacilityStatus.choices, required=False)

    @extend_schema(
        operation_id="facilities_list",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), 400: VALIDATION_ERROR},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        filters = {
            name: value.code if hasattr(value, "code") else value
            for name, value in serializer.validated_data.items()
            if value not in (None, "")
        }
        query = str(filters.pop("q", "")).strip()
        if query:
            unsupported = sorted(set(filters) - set(SEARCH_FILTERS))
            if unsupported:
                raise serializers.ValidationError({name: [SEARCH_FILTER_UNSUPPORTED] for name in unsupported})
            window = Window(request)
            result = facility_search(
                query=query, filters={SEARCH_FILTERS[k]: [v] for k, v in filters.items()},
                limit=window.limit, offset=window.offset,
            )
            ids = [hit.facility.pk for hit in result.hits]
            loaded = selectors.facility_list(user=request.user).in_bulk(ids)
            facilities = [loaded[pk] for pk in ids if pk in loaded]
            results = self.OutputSerializer(facilities, many=True, context={"request": request}).data
            facets = {
                name: [{"value": f.value, "label": f.label, "count": f.count} for f in values]
                for name, values in result.facets.items()
            }
            return window.response(count=result.total, results=results, facets=facets, match_mode=result.mode)
        facilities = selectors.facility_list(user=request.user, filters=filters)
        return paginated_response(queryset=facilities, serializer_class=self.OutputSerializer, request=request,
                                  view=self)


class FacilityCreateApi(APIView):
    """List a facility as a draft for your unit (or `owner`, a unit whose TTO officer you are)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="FacilityCreate")
    class InputSerializer(FacilityFieldsInputSerializer):
        owner = serializers.IntegerField(required=False, min_value=1, max_value=DB_ID_MAX,
                                         help_text="Default: the first unit you manage.")
        name = serializers.CharField(max_length=200)
        kind = serializers.ChoiceField(choices=FacilityKind.choices)

    @extend_schema(
        operation_id="facilities_create", request=InputSerializer,
        responses={201: FacilityOutputSerializer, **WRITE_ERRORS}, tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, windows = _split(serializer.validated_data)
        owner_id = data.pop("owner", None) or min(perms.managed_ids(request.user), default=None)
        if owner_id is None:
            raise PermissionDenied(NO_UNIT)
        owner = Organisation.objects.filter(pk=owner_id).first()
        if owner is None:
            raise serializers.ValidationError({"owner": [_("No such organisation.")]})
        facility = services.facility_create(by=request.user, owner=owner, data=data, opening_hours=windows)
        return Response(_facility(request, facility.pk), status=status.HTTP_201_CREATED)


class FacilityDetailApi(APIView):
    """One facility."""

    @extend_schema(operation_id="facilities_retrieve", responses={200: FacilityOutputSerializer, 404: NOT_FOUND},
                   tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_facility(request, pk))


class FacilityUpdateApi(APIView):
    """Change the listing; `opening_hours`, when sent, replaces the stored windows."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="FacilityUpdate")
    class InputSerializer(FacilityFieldsInputSerializer):
        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs:
                raise serializers.ValidationError(NOTHING_TO_CHANGE)
            return attrs

    @extend_schema(
        operation_id="facilities_partial_update", request=InputSerializer,
        responses={200: FacilityOutputSerializer, **WRITE_ERRORS}, tags=TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        facility = selectors.facility_get(user=request.user, pk=pk)
        if not perms.can_edit_facility(request.user, facility):
            raise PermissionDenied(NOT_A_MANAGER)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, windows = _split(serializer.validated_data)
        services.facility_update(facility=facility, by=request.user, data=data, opening_hours=windows)
        return Response(_facility(request, pk))


@extend_schema_serializer(component_name="CalendarDay")
class CalendarDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    windows = serializers.SerializerMethodField()
    busy = serializers.SerializerMethodField(help_text="Time held by waiting or confirmed bookings (no names).")

    def get_windows(self, day: selectors.CalendarDay) -> list[dict[str, str]]:
        return [{"opens": f"{o:%H:%M}", "closes": f"{c:%H:%M}"} for o, c in day.windows]

    def get_busy(self, day: selectors.CalendarDay) -> list[dict[str, Any]]:
        return [{"start": b.start.isoformat(), "end": b.end.isoformat(), "confirmed": b.confirmed} for b in day.busy]


class FacilityCalendarApi(APIView):
    """The facility's opening windows and held time, day by day (public for a published facility)."""

    class FilterSerializer(serializers.Serializer):
        start = serializers.DateField(required=False, help_text="First day (default today).")
        days = serializers.IntegerField(required=False, min_value=1, max_value=selectors.CALENDAR_MAX_DAYS)

    @extend_schema(
        operation_id="facilities_calendar", parameters=[FilterSerializer],
        responses={200: CalendarDaySerializer(many=True), 400: VALIDATION_ERROR, 404: NOT_FOUND}, tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        facility = selectors.facility_get(user=request.user, pk=pk)
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        start = serializer.validated_data.get("start") or timezone.localdate()
        days = selectors.facility_calendar(
            facility=facility, start=max(start, datetime.date(2000, 1, 1)),
            days=serializer.validated_data.get("days", selectors.CALENDAR_DAYS),
        )
        return Response(CalendarDaySerializer(days, many=True).data)


FACILITY_STEP_ROUTES = step_api_routes(
    FACILITY_FLOW,
    detail=lambda request, pk, result: _facility(request, pk),
    resource="facilities",
    operation_prefix="facilities",
    component_prefix="Facility",
    response=FacilityOutputSerializer,
    tags=TAGS,
)


# ---------------------------------------------------------------- bookings


class BookingListApi(APIView):
    """Bookings you may see, soonest first: those you or your unit made, and those of facilities you manage."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = LimitOffsetPagination

    class FilterSerializer(serializers.Serializer):
        side = serializers.ChoiceField(choices=["mine", "provider"], required=False,
                                       help_text="mine: made by you or your units; provider: of your facilities.")
        status = serializers.ChoiceField(choices=BookingStatus.choices, required=False)
        facility = serializers.IntegerField(required=False, min_value=1, max_value=DB_ID_MAX)

    @extend_schema(
        operation_id="facility_bookings_list", parameters=[FilterSerializer],
        responses={200: BookingOutputSerializer(many=True), 400: VALIDATION_ERROR}, tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        bookings = selectors.booking_list(user=request.user, filters=serializer.validated_data)
        return paginated_response(queryset=bookings, serializer_class=BookingOutputSerializer, request=request,
                                  view=self)


class BookingCreateApi(APIView):
    """Book a published facility for a time range inside its opening hours (no overlap with another waiting or
    confirmed booking: 409)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="BookingCreate")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        facility = serializers.IntegerField(min_value=1, max_value=DB_ID_MAX)
        start = serializers.DateTimeField(help_text="With its UTC offset, e.g. 2026-03-05T09:00:00+08:00.")
        end = serializers.DateTimeField()
        purpose = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")
        organisation = serializers.IntegerField(required=False, min_value=1, max_value=DB_ID_MAX,
                                                help_text="The unit the booking is for (default: your first).")

    @extend_schema(
        operation_id="facility_bookings_create", request=InputSerializer,
        responses={201: BookingOutputSerializer, **WRITE_ERRORS}, tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        facility = selectors.facility_get(user=request.user, pk=data["facility"])
        organisation = None
        if data.get("organisation"):
            organisation = perms.booking_organisations(request.user).filter(pk=data["organisation"]).first()
            if organisation is None:
                raise PermissionDenied(services.NOT_YOUR_UNIT)
        booking = services.booking_create(
            by=request.user, facility=facility, start=data["start"], end=data["end"], purpose=data["purpose"],
            organisation=organisation,
        )
        return Response(_booking(request, booking.pk), status=status.HTTP_201_CREATED)


class BookingDetailApi(APIView):
    """One booking (its parties only)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="facility_bookings_retrieve",
                   responses={200: BookingOutputSerializer, 404: NOT_FOUND}, tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_booking(request, pk))


class BookingUsageApi(APIView):
    """The provider records the hours used and the fee (default: hours × the booking's rate)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="BookingUsage")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        hours_used = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal(0))
        fee = serializers.DecimalField(**MONEY, required=False, allow_null=True, help_text="元.")
        note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="facility_bookings_usage", request=InputSerializer,
        responses={200: BookingOutputSerializer, **WRITE_ERRORS}, tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        booking: Booking = selectors.booking_get(user=request.user, pk=pk)
        if not perms.is_provider(request.user, booking):
            raise PermissionDenied(perms.NOT_A_MANAGER)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.booking_record_usage(
            booking=booking, by=request.user, hours_used=data["hours_used"], fee=data.get("fee"), note=data["note"]
        )
        return Response(_booking(request, pk))


BOOKING_STEP_ROUTES = step_api_routes(
    BOOKING_FLOW,
    detail=_booking,
    resource="facilities/bookings",
    operation_prefix="facility_bookings",
    component_prefix="Booking",
    response=BookingOutputSerializer,
    tags=TAGS,
    input_help={"decline": "Why the booking is declined; the user reads it."},
)


# ---------------------------------------------------------------- open-sharing statistics


@extend_schema_serializer(component_name="SharingMonth")
class SharingMonthSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    bookings = serializers.IntegerField()
    hours_booked = serializers.DecimalField(max_digits=12, decimal_places=2)
    hours_used = serializers.DecimalField(max_digits=12, decimal_places=2)
    fees = serializers.DecimalField(max_digits=16, decimal_places=2)
    outside_bookings = serializers.IntegerField()
    outside_units = serializers.IntegerField()


@extend_schema_serializer(component_name="SharingFacility")
class SharingFacilitySerializer(serializers.Serializer):
    facility = serializers.IntegerField(source="facility.pk")
    name = serializers.CharField(source="facility.name")
    bookings = serializers.IntegerField()
    hours_booked = serializers.DecimalField(max_digits=12, decimal_places=2)
    hours_used = serializers.DecimalField(max_digits=12, decimal_places=2)
    fees = serializers.DecimalField(max_digits=16, decimal_places=2)
    outside_units = serializers.IntegerField()


@extend_schema_serializer(component_name="SharingStats")
class SharingStatsSerializer(serializers.Serializer):
    organisation = OrganisationRefSerializer()
    year = serializers.IntegerField()
    total = SharingMonthSerializer()
    months = SharingMonthSerializer(many=True)
    facilities = SharingFacilitySerializer(many=True)


class SharingStatsApi(APIView):
    """A unit's open-sharing statistics of a year, by month and by facility (its TTO officers; commission)."""

    permission_classes = [permissions.IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        organisation = serializers.IntegerField(min_value=1, max_value=DB_ID_MAX)
        year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)

    @extend_schema(
        operation_id="facilities_sharing_stats", parameters=[FilterSerializer],
        responses={200: SharingStatsSerializer, 400: VALIDATION_ERROR, 403: WRITE_ERRORS[403]}, tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        organisation_id = serializer.validated_data["organisation"]
        if not perms.sees_stats(request.user, organisation_id):
            raise PermissionDenied(perms.NOT_A_MANAGER)
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise Http404("No such organisation")
        year = serializer.validated_data.get("year") or timezone.localdate().year
        stats = selectors.sharing_stats(organisation=organisation, year=year)
        return Response(SharingStatsSerializer(stats).data)

