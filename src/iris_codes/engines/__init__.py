"""Analysis engines: ``structural`` (offline, tree-sitter) and ``llm`` (OpenAI-compatible)."""
