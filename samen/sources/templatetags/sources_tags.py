from django import template

register = template.Library()


@register.filter
def lookup(mapping: dict, key: str) -> object:
    """``{{ labels|lookup:stream.kind }}``"""
    return mapping.get(key, key)
