"""Paths the channels serve on the Rasa server, in a module light enough for the supervising
``ippc run`` process to import without loading Rasa."""

WEBCHAT_PREFIX = "/webhooks/webchat"
DEMO_PAGE_PATH = WEBCHAT_PREFIX + "/demo"
SCRIPT_PATH = WEBCHAT_PREFIX + "/widget.js"
