"""The kernel every feature stands on: database, caches, breakers, Redis, settings, domain
exceptions, observability, security primitives. It imports no feature and no web framework."""
