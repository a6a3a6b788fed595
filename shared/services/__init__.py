"""Use cases. Each takes its ports (repositories, publisher, clock) by injection."""
