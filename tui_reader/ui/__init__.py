"""The reader app (Textual). Nothing outside this package imports Textual."""
