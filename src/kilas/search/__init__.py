"""Search (Bahasa Indonesia aware), topics, trending hashtags and the Discover page.

Importing the package installs the hook that keeps the search index current (`kilas.search.index`).
"""

from kilas.search import index as index
