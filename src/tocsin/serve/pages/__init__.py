"""The desk's pages, one module per part: each has its ``routes``."""
