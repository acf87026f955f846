"""Experiments the chapters run: small, seeded, measured functions that return data.

Each module serves a group of chapters and returns plain results (arrays,
trajectories, dicts of numbers) that ``course_lib.plots`` can draw; no
plotting happens here.
"""
