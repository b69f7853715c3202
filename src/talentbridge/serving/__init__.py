"""The match service: the in-memory index kept in step with the database, who sees what
of a match, the match endpoints' shapes."""
