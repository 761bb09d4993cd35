"""Clientela: the ISO 9001 customer-management process (PSC 004) as a web application."""
