"""The AWS JSON 1.1 wire protocol: request parsing, shape validation and responses."""
