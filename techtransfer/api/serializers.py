"""Serializers that several apps' APIs share: the error shape and a reference to an organisation."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    """Every error: a message for people and details for programs (validation: extra.fields)."""

    message = serializers.CharField()
    extra = serializers.DictField(help_text='For validation errors: {"fields": {"<field>": ["<why>", ...]}}.')


@extend_schema_serializer(component_name="OrganisationRef")
class OrganisationRefSerializer(serializers.Serializer):
    """An organisation as other objects point at it."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    name_en = serializers.CharField()
