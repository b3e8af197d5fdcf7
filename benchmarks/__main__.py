"""`python -m benchmarks`: train, rank and serve synthetic lists of each size and print tables."""

from benchmarks.run import main

main()
