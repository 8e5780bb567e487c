"""``{% fragment part %} … {% endfragment %}``: a page part cached under the data version (``spm.fragments``).

``part`` is a :class:`spm.fragments.Fragment` from the view, or None (the part is rendered as usual from the
page's context: a form with errors, a page that must not be cached). On a miss the fragment's computed
context is pushed for the part only, so the view's own context (the form, the request) stays visible in it.
"""

from django import template
from django.utils.safestring import mark_safe

from spm.fragments import CSRF_PLACEHOLDER

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist: template.NodeList, part: template.base.FilterExpression) -> None:
        self.nodelist = nodelist
        self.part = part

    def render(self, context: template.Context) -> str:
        part = self.part.resolve(context)
        if not part:  # None, or not in the context at all (a page re-rendered with a bound form)
            return self.nodelist.render(context)

        def render_part(data: dict) -> str:
            with context.push(data, csrf_token=CSRF_PLACEHOLDER):
                return self.nodelist.render(context)

        html = part.render(render_part)
        if CSRF_PLACEHOLDER in html:
            html = html.replace(CSRF_PLACEHOLDER, str(context.get("csrf_token", "")))
        return mark_safe(html)  # noqa: S308 - rendered by our own template, escaped there


@register.tag("fragment")
def do_fragment(parser: template.base.Parser, token: template.base.Token) -> FragmentNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% fragment %} takes one argument: the Fragment from the view")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, parser.compile_filter(bits[1]))
