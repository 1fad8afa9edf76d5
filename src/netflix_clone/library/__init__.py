"""Member library: My List, ratings, viewing progress and history, browse rows (per profile)."""
