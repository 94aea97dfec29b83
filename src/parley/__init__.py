"""Parley: a self-hostable microblogging server with trust & safety built into its core."""

__version__ = "0.1.0"
