"""`parley bench load`: generate a community, then drive a running server over HTTP with wrk."""
