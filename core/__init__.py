"""Shared foundations: settings, types, errors, token counting, providers, metadata DB, vector stores."""
