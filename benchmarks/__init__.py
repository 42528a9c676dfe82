"""Peerscope benchmark: a seeded synthetic OpenAlex corpus, imported through the CLI, and cold-cache page timings.

``python -m benchmarks --size 10k`` generates the corpus (``benchmarks.generate``), imports it, measures each page
kind in a fresh process (``benchmarks.measure``) and writes JSON, a Markdown table and a plot (``benchmarks.report``).
"""
