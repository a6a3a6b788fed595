"""Pure domain: the standard library and pydantic only, no I/O, no clock."""
