"""The admin's "Propose citations" page for an essay: the citations timeline.suggest proposes
from its text, each passage shown in its paragraph, to accept (as proposed, with the passage
edited, or for another event) or reject; the rejected ones, to propose again; and the dated
passages no event matches, each a link to a new event with its date and passage filled in.

Each form carries a fingerprint of the essay's text: a text changed since the page was shown
refuses the form rather than citing a passage it may no longer hold (optimistic locking, as
for events), and the essay's row is locked while a citation is written.
"""

import hashlib
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote as admin_quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, router, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from . import dates
from .essay_reading import PARAGRAPH_BREAK, shown_text
from .models import Citation, CitationRejection, Essay, Event
from .quotes import normalise
from .suggest import MAX_QUOTE, proposals_for_essay
from .typography import in_quotes

CONTEXT_CHARACTERS = 220  # of the paragraph shown before and after a passage


def text_fingerprint(essay) -> str:
    return hashlib.sha256(essay.text.encode()).hexdigest()[:20]


class ProposalForm(forms.Form):
    """One proposal as the editor accepts it: the event (the proposed one or another) and the
    passage, which must be the essay's own words."""

    event = forms.ModelChoiceField(
        queryset=Event.objects.filter(synthetic=False).order_by("start", "title"),
        help_text="Pick another event if the passage refers to a different one.",
    )
    quote = forms.CharField(
        label="Quotation",
        max_length=MAX_QUOTE,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80, "data-count": ""}),
        help_text="The essay's exact words, at most 300 characters: shorten it if you like.",
    )
    proposed = forms.IntegerField(widget=forms.HiddenInput)
    fingerprint = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, essay, **kwargs):
        self.essay = essay
        super().__init__(*args, **kwargs)

    def clean_quote(self):
        quote = " ".join(self.cleaned_data["quote"].split())
        if normalise(quote) not in normalise(self.essay.text):
            raise ValidationError(
                "These words are not in the essay's text: a quotation must be its exact words "
                "(spaces, quote marks and dashes may differ).",
                code="not_verbatim",
            )
        return quote

    def clean_fingerprint(self):
        if self.cleaned_data["fingerprint"] != text_fingerprint(self.essay):
            raise ValidationError(
                "The essay's text was changed since this page was shown, so nothing was saved. "
                "The proposals below are made from the text as it is now.",
                code="changed_meanwhile",
            )
        return self.cleaned_data["fingerprint"]


def in_context(shown: str, start: int, quote: str):
    """(before, passage, after): the passage at ``start`` of the text as shown, with up to
    CONTEXT_CHARACTERS of its paragraph on each side."""
    end = start + len(quote)
    paragraph_start = max(
        (match.end() for match in PARAGRAPH_BREAK.finditer(shown, 0, start)), default=0
    )
    following = PARAGRAPH_BREAK.search(shown, end)
    paragraph_end = following.start() if following else len(shown)
    before = shown[paragraph_start:start]
    after = shown[end:paragraph_end]
    if len(before) > CONTEXT_CHARACTERS:
        before = "…" + before[-CONTEXT_CHARACTERS:].split(" ", 1)[-1]
    if len(after) > CONTEXT_CHARACTERS:
        after = after[:CONTEXT_CHARACTERS].rsplit(" ", 1)[0] + "…"
    return before, shown[start:end], after


def new_event_link(essay, unplaced) -> str:
    """The admin's new event form with the passage's date, a title drawn from it and the
    essay's citation of it filled in."""
    span = unplaced.span
    precision = dates.DAY if span.precision == "day" else dates.MONTH
    query = {
        "title": unplaced.title,
        "start": span.first.isoformat(),
        "start_precision": precision,
        "citation_essay": essay.pk,
        "citation_quote": unplaced.quote,
    }
    return f"{reverse('admin:timeline_event_add')}?{urlencode(query)}"


def proposals_url(essay, anchor="") -> str:
    url = reverse("admin:timeline_essay_proposals", args=[admin_quote(essay.pk)])
    return f"{url}#{anchor}" if anchor else url


def proposals(request, object_id, model_admin):
    essay = get_object_or_404(Essay, pk=object_id)
    if not (
        model_admin.has_change_permission(request, essay)
        and request.user.has_perm("timeline.add_citation")
    ):
        raise PermissionDenied
    failed = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "restore":
            CitationRejection.objects.filter(essay=essay, pk=request.POST.get("rejection")).delete()
            messages.success(request, "Proposed again when it is found in the text.")
            return HttpResponseRedirect(proposals_url(essay))
        form = ProposalForm(request.POST, essay=essay)
        if action == "reject":
            return reject(request, essay)
        if action == "accept":
            done = accept(request, essay, form, model_admin)
            if done:
                return done
            failed = form
    return TemplateResponse(
        request,
        "admin/timeline/essay/proposals.html",
        page_context(request, essay, model_admin, failed),
    )


def reject(request, essay):
    proposed = Event.objects.filter(pk=request.POST.get("proposed")).first()
    if proposed is None:
        messages.error(request, "That event no longer exists: nothing to reject.")
        return HttpResponseRedirect(proposals_url(essay))
    CitationRejection.objects.get_or_create(
        essay=essay,
        event=proposed,
        defaults={"quote": request.POST.get("quote", "")[:MAX_QUOTE], "rejected_by": request.user},
    )
    messages.success(
        request,
        f"Rejected: {in_quotes(proposed.title)} will not be proposed for this essay again "
        "(see “Rejected proposals” at the foot of the page to undo).",
    )
    return HttpResponseRedirect(proposals_url(essay, "proposals"))


def accept(request, essay, form, model_admin):
    """The citation the form accepts, written with the essay's row locked; None if refused
    (the form then carries why)."""
    with transaction.atomic(using=router.db_for_write(Citation)):
        # Locked so that a text saved meanwhile is seen, or waits for this citation.
        essay = Essay.objects.select_for_update().get(pk=essay.pk)
        form.essay = essay
        if not form.is_valid():
            return None
        event = form.cleaned_data["event"]
        existing = Citation.objects.filter(essay=essay, event=event).first()
        if existing is not None:
            form.add_error(
                "event",
                f"This essay already cites {in_quotes(event.title)} "
                f"(“{existing.quote}”): edit that citation in the essay's form instead.",
            )
            return None
        citation = Citation(essay=essay, event=event, quote=form.cleaned_data["quote"])
        try:
            citation.full_clean()
            citation.save()
        except ValidationError as error:
            form.add_error(None, error)
            return None
        except IntegrityError:
            form.add_error("event", "This essay cited this event meanwhile.")
            return None
        CitationRejection.objects.filter(essay=essay, event=event).delete()
    model_admin.log_addition(request, citation, [{"added": {}}])
    messages.success(request, f"Cited: {in_quotes(event.title)}, “{citation.quote}”.")
    if citation.cites_a_later_event:
        messages.warning(request, citation.later_event_warning)
    return HttpResponseRedirect(proposals_url(essay, "proposals"))


def page_context(request, essay, model_admin, failed):
    entries, unplaced = [], []
    if essay.text:
        found, unplaced = proposals_for_essay(essay)
        shown = shown_text(essay.text)
        fingerprint = text_fingerprint(essay)
        failed_for = failed and failed.data.get("proposed")
        for proposal in found:
            if failed_for == str(proposal.event.pk):
                form = failed
            else:
                form = ProposalForm(
                    essay=essay,
                    initial={
                        "event": proposal.event.pk,
                        "quote": proposal.quote,
                        "proposed": proposal.event.pk,
                        "fingerprint": fingerprint,
                    },
                )
            entries.append((proposal, form, in_context(shown, proposal.start, proposal.quote)))
        can_add_event = request.user.has_perm("timeline.add_event")
        unplaced = [
            (item, new_event_link(essay, item) if can_add_event else None) for item in unplaced
        ]
    opts = Essay._meta
    # Every proposal's form offers the same events: read once.
    event_choices = [
        (event.pk, f"{event.date_display} · {event.title}")
        for event in ProposalForm.base_fields["event"].queryset.only(
            "title", "start", "start_precision", "end", "end_precision", "approximate"
        )
    ]
    return {
        "event_choices": event_choices,
        **model_admin.admin_site.each_context(request),
        "title": f"Propose citations: {essay.title}",
        "opts": opts,
        "original": essay,
        "essay": essay,
        "entries": entries,
        "unplaced": unplaced,
        "rejections": essay.rejections.select_related("event", "rejected_by"),
        "cited_count": essay.citations.count(),
        "failed": failed,
    }
