"""Web pages of trust & safety: the moderator console, the notice form, statements."""
