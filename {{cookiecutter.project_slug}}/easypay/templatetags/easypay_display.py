"""Template filters for the shop pages and the admin: amount|krw, paid_at|kst, and friends."""

from django import template

from .. import display

register = template.Library()


@register.filter
def krw(amount):
    return display.krw(amount)


@register.filter
def kst(moment):
    return display.kst_datetime(moment)


@register.filter
def masked_card(number):
    return display.masked_card(number)


@register.filter
def pay_method(code):
    return display.pay_method_label(code)


@register.filter
def kst_date(moment):
    return display.kst_datetime(moment, "%Y-%m-%d")
