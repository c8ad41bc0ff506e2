"""`python -m benchmarks`: latency, throughput, storage cost, memory, start-up and nudge fan-out
of the bot, measured side by side on the embedded store and on the Cosmos DB protocol server.

Prints one table and writes it, with the machine and the method, to docs/benchmarks.md.
"""
