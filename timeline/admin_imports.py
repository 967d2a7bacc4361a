"""The admin's import pages: upload a file, preview what it would do, then confirm or cancel.

Between the preview and the confirmation the file's text travels in a hidden field, signed
for this editor with django.core.signing: the server only ever imports a file it read
itself, and only the changes it showed (it plans again and compares before writing).
"""

from collections import Counter, defaultdict

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from . import imports
from .models import Citation, Event
from .text_diff import marked_versions

EVENT_PERMISSIONS = ("timeline.add_event", "timeline.change_event")
CITATION_PERMISSIONS = ("timeline.add_citation", "timeline.change_citation")
PREVIEW_MAX_AGE = 60 * 60  # seconds within which a preview may be confirmed
OUTCOMES = {
    imports.CREATE: "will be created",
    imports.UPDATE: "will be updated",
    imports.UNCHANGED: "unchanged",
    imports.REJECT: "rejected",
}
# Rows shown one by one per outcome; the rest are counted (rejected ones by reason), so the
# preview of a large file stays a readable page.
DETAILED_ROWS = 100
REASONS_SHOWN = 20


def signing_salt(user) -> str:
    return f"timeline.import:{user.pk}"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        help_text="An events CSV, a citations CSV or a TimelineJS JSON file, as the timeline's "
        f"downloads write them (UTF-8, at most 2 MB and {imports.MAX_ROWS:,} rows)."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_FILE_SIZE:
            raise forms.ValidationError("The file is larger than 2 MB.")
        data = upload.read()
        try:
            self.import_file = imports.read_file(data)
        except imports.ImportFileError as error:
            raise forms.ValidationError(str(error)) from None
        self.text = data.decode("utf-8-sig")
        return upload


class ImportConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_payload(self):
        try:
            data = signing.loads(
                self.cleaned_data["payload"],
                salt=signing_salt(self.user),
                max_age=PREVIEW_MAX_AGE,
            )
            self.import_file = imports.read_file(data["content"].encode())
        except signing.SignatureExpired:
            raise forms.ValidationError(
                "This preview is more than an hour old. Upload the file again."
            ) from None
        except (signing.BadSignature, imports.ImportFileError, KeyError, TypeError):
            raise forms.ValidationError(
                "This preview could not be verified. Upload the file again."
            ) from None
        self.content = data["content"]
        self.filename, self.digest = data.get("filename", ""), data.get("digest", "")
        return self.cleaned_data["payload"]


def check_permissions(request, kind=imports.EVENTS):
    needed = EVENT_PERMISSIONS + (CITATION_PERMISSIONS if kind == imports.CITATIONS else ())
    if not request.user.has_perms(needed):
        raise PermissionDenied


def changelist_url(kind) -> str:
    model = Citation if kind == imports.CITATIONS else Event
    return reverse(f"admin:timeline_{model._meta.model_name}_changelist")


def page_context(request, model_admin, title, **extra):
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Event._meta,
        "title": title,
        **extra,
    }


def render_upload(request, model_admin, form, status=200, problem=""):
    context = page_context(
        request, model_admin, "Import events or citations", form=form, problem=problem
    )
    return TemplateResponse(request, "admin/timeline/import_upload.html", context, status=status)


def split_rows(rows):
    """The rows shown one by one (the first of each outcome, in file order) and a summary
    of the others: per outcome, how many and where; rejected ones grouped by reason."""
    detailed, hidden, counts = [], defaultdict(list), Counter()
    for row in rows:
        counts[row.action] += 1
        if counts[row.action] <= DETAILED_ROWS:
            detailed.append(row)
        else:
            hidden[row.action].append(row)
    summary = []
    for action, outcome in OUTCOMES.items():
        if not hidden[action]:
            continue
        reasons = Counter(reason for row in hidden[action] for reason in row.reasons)
        examples = defaultdict(list)
        for row in hidden[action]:
            for reason in row.reasons:
                if len(examples[reason]) < 3:
                    examples[reason].append(row.where)
        common = reasons.most_common(REASONS_SHOWN)
        summary.append(
            {
                "outcome": outcome,
                "action": action,
                "count": len(hidden[action]),
                "first": hidden[action][0].where,
                "last": hidden[action][-1].where,
                "reasons": [(reason, count, examples[reason]) for reason, count in common],
                "other_reasons": sum(reasons.values()) - sum(count for _, count in common),
            }
        )
    return detailed, summary


def render_preview(request, model_admin, plan, filename, content, status=200, changed=False):
    payload = signing.dumps(
        {"filename": filename, "content": content, "digest": plan.digest},
        salt=signing_salt(request.user),
        compress=True,
    )
    detailed, not_shown = split_rows(plan.rows)
    rows = [
        {
            "row": row,
            "outcome": OUTCOMES[row.action],
            "changes": [name.replace("_", " ") for name in row.changes],
            "differences": [
                (name.replace("_", " "), *marked_versions(old, new))
                for name, old, new in row.differences
            ],
        }
        for row in detailed
    ]
    context = page_context(
        request,
        model_admin,
        f"Preview: {plan.kind} from a {plan.format} file",
        plan=plan,
        rows=rows,
        not_shown=not_shown,
        detailed_rows=DETAILED_ROWS,
        filename=filename,
        form=ImportConfirmForm(initial={"payload": payload}, user=request.user),
        changed=changed,
    )
    return TemplateResponse(request, "admin/timeline/import_preview.html", context, status=status)


@require_http_methods(["GET", "POST"])
def upload(request, model_admin):
    check_permissions(request)
    if request.method == "GET":
        return render_upload(request, model_admin, ImportUploadForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_upload(request, model_admin, form, status=400)
    check_permissions(request, form.import_file.kind)
    plan = imports.plan_import(form.import_file)
    return render_preview(request, model_admin, plan, form.cleaned_data["file"].name, form.text)


@require_POST
def confirm(request, model_admin):
    check_permissions(request)
    if request.POST.get("action") == "cancel":
        messages.info(request, "Import cancelled: nothing was written.")
        return HttpResponseRedirect(reverse("admin:timeline_event_changelist"))
    form = ImportConfirmForm(request.POST, user=request.user)
    if not form.is_valid():
        problem = " ".join(form.errors["payload"])
        return render_upload(request, model_admin, ImportUploadForm(), status=400, problem=problem)
    import_file = form.import_file
    check_permissions(request, import_file.kind)
    try:
        plan = imports.import_as_previewed(import_file, form.digest, request.user)
    except imports.PlanChanged as changed:
        # Someone edited the data meanwhile: show what the file would do now instead.
        return render_preview(
            request,
            model_admin,
            changed.plan,
            form.filename,
            form.content,
            status=409,
            changed=True,
        )
    counts = plan.counts
    rejected = counts[imports.REJECT]
    messages.success(
        request,
        f"Imported {plan.kind} from {form.filename}: {counts[imports.CREATE]} created, "
        f"{counts[imports.UPDATE]} updated, {counts[imports.UNCHANGED]} unchanged; "
        f"{rejected} rejected row{'' if rejected == 1 else 's'} skipped.",
    )
    return HttpResponseRedirect(changelist_url(plan.kind))
