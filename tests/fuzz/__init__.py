"""Fuzzing the wire: requests generated from botocore's models for every operation the
server registers, mutated, and raw; see ``test_wire_fuzz``."""
