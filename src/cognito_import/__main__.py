from __future__ import annotations

from cognito_import.cli import main

main()
