"""Operations: metrics, request ids and logs, health details, backups, cleanup."""
