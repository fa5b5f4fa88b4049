"""`{% cachedfragment "name" vary… %}…{% endcachedfragment %}` (core.fragments).

    {% load fragment_cache %}
    {% cachedfragment "signature-tables" declaration sorting.value status %}
      …
    {% endcachedfragment %}

The name is a quoted string, unique within its template; the other arguments
are what the output depends on besides the content it reads with SQL inside
the block (see core/fragments.py). The view must hand the block lazy
querysets or objects, so that its database work happens inside the block,
on a miss only.

A CSRF token may never be inside: it is per visitor. A staff preview, and a
template rendered without a request (an error page), render every fragment
afresh and store none.
"""

from django import template
from django.template.defaulttags import CsrfTokenNode

from core.fragments import cached_render

register = template.Library()


class CachedFragmentNode(template.Node):
    def __init__(self, name, vary, nodelist):
        self.name = name
        self.vary = vary
        self.nodelist = nodelist

    def render(self, context):
        # A preview shows a draft. Without a request (an error page, an
        # email) the context processors did not run, so the same fragment
        # would render differently from a page's: neither is stored.
        if context.get("is_preview") or context.get("request") is None:
            return self.nodelist.render(context)
        values = [expression.resolve(context) for expression in self.vary]
        origin = getattr(self.origin, "template_name", None) or ""
        return cached_render(
            f"{origin}:{self.name}",
            values,
            lambda: self.nodelist.render(context),
            request=context.get("request"),
        )


@register.tag("cachedfragment")
def cachedfragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][:1] not in "\"'" or bits[1][-1:] != bits[1][:1]:
        raise template.TemplateSyntaxError(
            f"{bits[0]} needs a quoted name first: "
            '{% cachedfragment "what-it-shows" vary-on… %}'
        )
    nodelist = parser.parse(("endcachedfragment",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(CsrfTokenNode):
        raise template.TemplateSyntaxError(
            "A cached fragment may not hold {% csrf_token %}: a token is per visitor."
        )
    vary = [parser.compile_filter(bit) for bit in bits[2:]]
    return CachedFragmentNode(bits[1][1:-1], vary, nodelist)
