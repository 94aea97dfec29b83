"""Screening data: word/phrase rules, hash lists, removed-content fingerprints."""
