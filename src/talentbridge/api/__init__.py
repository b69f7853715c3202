"""The HTTP routes: parse, authorise, call the services and the match service."""
