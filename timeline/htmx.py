"""One view, one template: an htmx request that targets a part of the page gets that part's
partial (``{% partialdef %}``), any other request the whole page."""

from django.shortcuts import render


def requested_partial(request, partials):
    """The partial an htmx request targets, out of ``partials`` (target id → partial name).
    History restores and boosted links get the whole page."""
    htmx = request.htmx
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        return partials.get(htmx.target)
    return None


def render_for_target(request, template, context, partials):
    """Render the whole page, or only the partial an htmx request targets."""
    partial = requested_partial(request, partials)
    return render(request, f"{template}#{partial}" if partial else template, context)
