"""The agent console: server-rendered pages at /console, a JSON API at /api/agent/, CLI commands.

Kept import-free so `privacy-bot agent ...` does not load the web stack; app.py includes
`handlers.console.routes.router`.
"""
