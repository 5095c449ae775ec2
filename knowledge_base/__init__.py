"""The knowledge base: editable YAML, validated and loaded through SQLAlchemy."""
