"""Rasa input/output channels: web widget, WeChat Official Account, Telegram."""
