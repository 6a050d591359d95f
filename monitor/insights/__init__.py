"""Insights: trends, forecasts, seasonal baselines, anomalies and advice over the history.

One import path for the maths: `regression` (least squares, trends, anomalies), `calibration`
(crossing times and their intervals from simulated futures),
`forecast` (backtested forecasts, table growth), `seasonal` (the same hour of past weeks),
`advice` (what to do, ranked), `findings` (the report the API and the Insights page show).
May import the store, the config and the alerts. Nothing is imported here, so a light import
of `monitor.insights.seasonal` (the alerts') does not pull numpy in.
"""
