"""Simplified Chinese formats: Django's, with numbers grouped by thousands ("1,000,000"), as Chinese
business and accounting software writes them. Django's own locale groups nothing."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
