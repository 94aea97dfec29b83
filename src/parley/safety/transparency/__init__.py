"""Transparency: the public moderation report and the DSA statements-of-reasons export."""
