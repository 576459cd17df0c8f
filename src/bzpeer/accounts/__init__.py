"""The account's own pages beyond allauth's: its data as JSON, and deletion."""
