"""Assessment -> text for people: Markdown (and HTML, table rows) in bokmål or English.
No widgets here; views and reports call these functions."""
from .markdown import to_markdown

__all__ = ["to_markdown"]
