"""Forms of the web UI."""

from __future__ import annotations

from django import forms

from parley.posts.models import Visibility


class SignupForm(forms.Form):
    username = forms.CharField(max_length=30, help_text="Letters, digits and underscores.")
    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput, min_length=8)
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             label="Why do you want to join? (if sign-ups need approval)")


class ComposeForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           label="What's on your mind?")
    spoiler_text = forms.CharField(required=False, max_length=500, label="Content warning")
    visibility = forms.ChoiceField(choices=[
        (Visibility.PUBLIC, "Public"), (Visibility.UNLISTED, "Unlisted"),
        (Visibility.PRIVATE, "Followers only"), (Visibility.DIRECT, "Mentioned people only"),
    ])
    image = forms.ImageField(required=False, label="Image")
    image_description = forms.CharField(required=False, max_length=1500, label="Image description")
    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ProfileForm(forms.Form):
    display_name = forms.CharField(required=False, max_length=100)
    bio = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    avatar = forms.ImageField(required=False)


class ReportForm(forms.Form):
    category = forms.ChoiceField(choices=[
        ("violation", "It breaks the rules"), ("legal", "It is illegal"),
        ("spam", "It is spam"), ("other", "Something else"),
    ])
    rules = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    comment = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(
        attrs={"rows": 3}), label="Anything else we should know?")
    post_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
