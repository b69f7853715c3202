"""TalentBridge: skilled workers from India matched with vacancies in Japan."""

__version__ = "0.1.0"
