"""A small local Azure Functions host (Python v2 model) for machines without Core Tools.

Run it with `python -m tools.localhost`. Reusable pieces: `start_host_process` / `HostProcess`
(fixtures), `LocalHost` (in-process), `validate_functions`, `parse_host_json`, `Router`.
"""
