"""`python -m flows.cli`: the temuship command."""

from flows.cli.app import main

main()
