"""The one scheduler: claims due deadlines from the database and fires each exactly once."""
