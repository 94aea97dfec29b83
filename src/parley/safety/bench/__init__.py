"""`parley bench safety`: replay a community against a running server and measure the process."""
