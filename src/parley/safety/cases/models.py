"""Notices, cases, decisions, statements of reasons, appeals, strikes, notifiers."""
