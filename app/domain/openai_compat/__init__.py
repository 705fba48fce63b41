"""OpenAI-compatible chat: the companion for any OpenAI SDK (`/v1`)."""
