"""Operation handlers: validated request members in, response members out."""
