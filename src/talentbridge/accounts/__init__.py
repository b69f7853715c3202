"""People of an organisation (admins and members), their passwords and sessions."""
