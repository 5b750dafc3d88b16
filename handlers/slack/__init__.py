"""The Slack channel (slack-bolt): DMs, mentions, /privacy, buttons, App Home, agent notifications.

Kept import-light: building the `privacy-bot` command line loads no Slack code.
"""
