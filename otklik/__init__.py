"""The `otklik` command line."""
