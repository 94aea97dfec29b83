"""Forms of the web UI."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from parley.posts.models import Visibility
from parley.posts.polls import PollSpec


class SignupForm(forms.Form):
    username = forms.CharField(max_length=30, help_text="Letters, digits and underscores.")
    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text="At least 8 characters; not a common password, not "
                               "only digits, not like your username.")
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             label="Why do you want to join? (if sign-ups need approval)")

    def clean(self) -> dict:
        data = super().clean()
        password = data.get("password")
        if password:
            from parley.accounts.models import User

            candidate = User(username=data.get("username", ""), email=data.get("email", ""))
            try:
                validate_password(password, candidate)
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(label="Your email address")


VISIBILITY_CHOICES = [
    (Visibility.PUBLIC, "Public"), (Visibility.UNLISTED, "Unlisted"),
    (Visibility.PRIVATE, "Followers only"), (Visibility.DIRECT, "Mentioned people only"),
]


POLL_DURATIONS = [
    (300, "5 minutes"), (1800, "30 minutes"), (3600, "1 hour"), (6 * 3600, "6 hours"),
    (86400, "1 day"), (3 * 86400, "3 days"), (7 * 86400, "7 days"),
]


class ComposeForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           label="What's on your mind?")
    spoiler_text = forms.CharField(required=False, max_length=500, label="Content warning")
    # Not required: left out, create_post picks the default (a reply keeps its parent's).
    visibility = forms.ChoiceField(choices=VISIBILITY_CHOICES, required=False)
    image = forms.ImageField(required=False, label="Image")
    image_description = forms.CharField(required=False, max_length=1500, label="Image description")
    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    poll_expires_in = forms.TypedChoiceField(choices=POLL_DURATIONS, coerce=int, required=False,
                                             empty_value=86400, label="Poll ends in")
    poll_multiple = forms.BooleanField(required=False, label="Allow several choices")
    poll_hide_totals = forms.BooleanField(required=False,
                                          label="Hide the counts until the poll ends")

    def poll_option_values(self) -> list[str]:
        """The four option boxes of the compose form, with what was typed (a kept draft)."""
        typed = list(self.initial.get("poll_options") or [])[:4]
        return typed + [""] * (4 - len(typed))

    def poll_spec(self, options: list[str]) -> PollSpec | None:
        """The poll asked for: none unless an option box was filled in."""
        filled = [option for option in options if option.strip()]
        if not filled:
            return None
        return PollSpec(filled, self.cleaned_data["poll_expires_in"],
                        self.cleaned_data["poll_multiple"], self.cleaned_data["poll_hide_totals"])


class ProfileForm(forms.Form):
    display_name = forms.CharField(required=False, max_length=100)
    bio = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    avatar = forms.ImageField(required=False)
    header = forms.ImageField(required=False, label="Header image",
                              help_text="A wide picture shown at the top of your profile.")
    locked = forms.BooleanField(required=False, label="Approve new followers (lock account)")
    posting_visibility = forms.ChoiceField(choices=VISIBILITY_CHOICES[:3], required=False,
                                           label="Who can see your posts, unless you pick")
    posting_sensitive = forms.BooleanField(required=False,
                                           label="Mark your media as sensitive by default")
    posting_language = forms.CharField(required=False, max_length=8, label="Posting language",
                                       help_text="A two-letter code such as en or de; "
                                       "empty for none.")


class ReportForm(forms.Form):
    category = forms.ChoiceField(
        choices=[
            ("spam", "It is spam"), ("violation", "It breaks the server's rules"),
            ("legal", "It is illegal"), ("other", "Something else"),
        ],
        widget=forms.RadioSelect, label="What is wrong?",
        error_messages={"required": "Choose what is wrong with it."},
    )
    rules = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                      label="Which rules does it break?")
    comment = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(
        attrs={"rows": 3}), label="Anything else we should know?")
    post_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ImportListForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("following", "Follows (following_accounts.csv)"),
                 ("blocks", "Blocks (blocked_accounts.csv)"),
                 ("mutes", "Mutes (muted_accounts.csv)"),
                 ("lists", "Lists (lists.csv)"),
                 ("bookmarks", "Bookmarks (bookmarks.csv)")],
        label="What the file lists",
    )
    file = forms.FileField(label="CSV file", help_text="A file exported from Parley or "
                           "Mastodon. Accounts in it are added; none are removed.")


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
