"""The improvement loop (改进系统): the monthly review (述职) of a period's results against the
plans, and what changed between two versions of a strategy."""
