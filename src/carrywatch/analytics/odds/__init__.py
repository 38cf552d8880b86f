"""Policy odds per meeting: the FedWatch probability tree on fed funds futures or on a path
of expected overnight rates, prediction-market distributions, and the two side by side.

Modules, each named after what it holds:

* :mod:`.conventions`: :class:`Conventions` (chain, announcement day, step), documented once.
* :mod:`.tree`: the probability tree over expected period averages (the shared core).
* :mod:`.policy_odds`: its result, :class:`PolicyOdds`, per trade date and meeting.
* :mod:`.futures`: ZQ contracts and the futures engine (CME FedWatch).
* :mod:`.rate_path`: expected overnight rate paths (OIS, TONA) and the path engine.
* :mod:`.distribution`: one meeting's distribution from any source, its JSON and text.
* :mod:`.prediction_markets`: Kalshi and Polymarket quotes as distributions.
* :mod:`.comparison`: one meeting's distributions side by side.
* :mod:`.summary`: P(cut) / P(hold) / P(hike) and expected moves per meeting.
"""
