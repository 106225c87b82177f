"""Hybrid search, access filters, result shaping and context assembly."""
