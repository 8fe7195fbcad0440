"""The import engine in one package: the worker loop, the job runner, the parser
pipeline, parsing a row in isolation, and the ordered decision step."""
