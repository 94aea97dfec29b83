"""Error messages of the web UI in plain words (the API keeps Mastodon's wording)."""

from __future__ import annotations

import re

from django import forms

# Mastodon's API messages, reworded for people; the rest only lose the "Validation failed".
PLAIN_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Text can't be blank"), "Your post is empty. Write something or add an image."),
    (
        re.compile(r"Text character limit of (\d+) exceeded"),
        r"Your post is too long: at most \1 characters (every link counts as 23). "
        "Your text is still here; shorten it and post again.",
    ),
    (re.compile(r"unknown visibility"), "Choose who can see your post."),
]


def plain_error(message: str) -> str:
    """A service's error message as a sentence a member understands."""
    text = re.sub(r"^Validation failed:\s*", "", message).strip()
    for pattern, replacement in PLAIN_WORDS:
        match = pattern.search(text)
        if match:
            return match.expand(replacement)
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def form_error_text(form: forms.Form) -> str:
    """All errors of a bound form, one sentence per problem, named by the field's label."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in errors:
            parts.append(f"{label}: {error}" if label else str(error))
    return " ".join(parts)
