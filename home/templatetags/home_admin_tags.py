"""Template tags for the editors' admin pages that gather from every app."""

from django import template

from home.data_quality import data_quality_report as build_report

register = template.Library()


@register.simple_tag
def data_quality_report():
    """`{% data_quality_report as report %}`: the data-quality problems."""
    return build_report()
