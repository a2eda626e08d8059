"""Fixtures shared by every test of the project."""
