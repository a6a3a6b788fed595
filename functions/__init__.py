"""Thin trigger adapters: parse the input, call one use case, map the result or error."""
