"""The core package: domain, use cases and adapters. Never imports azure.functions."""
