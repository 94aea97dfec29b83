"""Members' content filters (Mastodon's filters v2): keywords and statuses that warn or hide."""
