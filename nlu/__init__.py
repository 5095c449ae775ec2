"""Chinese NLU: text normalisation, domain tokenizer and the knowledge-base entity ruler."""
