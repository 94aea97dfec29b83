"""Forms of the moderator console and the public safety pages."""

from __future__ import annotations

from datetime import timedelta

from django import forms

from parley.safety.cases.models import ActionKind
from parley.safety.policy import POLICY

SUSPENSIONS = {"1": timedelta(days=1), "7": timedelta(days=7), "30": timedelta(days=30),
               "permanent": None}
BULK_KINDS = [
    (ActionKind.REMOVE, "Remove posts"),
    (ActionKind.HOLD, "Hold posts"),
    (ActionKind.LIMIT_REACH, "Limit reach"),
    (ActionKind.STRIKE, "Strike"),
    (ActionKind.DISMISS, "Dismiss (no violation)"),
]


def category_choices() -> list[tuple[str, str]]:
    return [(name, rule.label) for name, rule in POLICY.items()]


class NoticeForm(forms.Form):
    """DSA Art. 16: a notice anyone can send, with or without an account."""

    url = forms.CharField(max_length=1000, label="Exact URL of the content",
                          help_text="The address of the post or profile, as shown in your "
                                    "browser's address bar.")
    category = forms.ChoiceField(label="What kind of problem is it?")
    explanation = forms.CharField(
        max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
        label="Why is this content illegal or against the rules?",
        help_text="Explain as precisely as you can; name the law if you know it.")
    name = forms.CharField(required=False, max_length=200, label="Your name (optional)")
    email = forms.EmailField(required=False, label="Your email (optional)",
                             help_text="We send your receipt and the outcome here.")
    good_faith = forms.BooleanField(
        label="I confirm in good faith that the information and allegations in this notice "
              "are accurate and complete.",
        error_messages={"required": "Please confirm this statement to send the notice."})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Choose a category"), *category_choices()]


class ActionForm(forms.Form):
    """One moderation action on a case; the pressed button names the kind."""

    kind = forms.ChoiceField(choices=ActionKind.choices)
    reason = forms.CharField(required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             label="Reason (optional; included in the statement of reasons)")
    category = forms.ChoiceField(required=False, label="Category")
    content_warning = forms.CharField(required=False, max_length=500,
                                      label="Content warning text")
    on_account = forms.BooleanField(
        required=False, label="Apply the content warning or reach limit to the whole account")
    duration = forms.ChoiceField(required=False, initial="7", label="Suspension length", choices=[
        ("1", "1 day"), ("7", "7 days"), ("30", "30 days"), ("permanent", "Permanent")])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == ActionKind.CONTENT_WARNING and not data.get("content_warning"):
            self.add_error("content_warning", "Write the content warning to add.")
        data["duration_delta"] = (SUSPENSIONS.get(data.get("duration") or "permanent")
                                  if data.get("kind") == ActionKind.SUSPEND else None)
        return data


class BulkActionForm(forms.Form):
    kind = forms.ChoiceField(choices=BULK_KINDS, label="Action")
    reason = forms.CharField(required=False, max_length=2000, label="Reason (optional)")


class AppealForm(forms.Form):
    text = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                           label="Why should this decision be reversed?")


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("uphold", "Uphold"), ("reverse", "Reverse")])
    text = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                           label="Reasons for the decision (sent to the appellant)")


class RuleForm(forms.Form):
    """An instance rule, as members see it in the report form and the API."""

    text = forms.CharField(max_length=300, label="Rule",
                           help_text="Short, as members will cite it in reports.")
    hint = forms.CharField(required=False, max_length=1000, label="Explanation (optional)",
                           widget=forms.Textarea(attrs={"rows": 2}))
