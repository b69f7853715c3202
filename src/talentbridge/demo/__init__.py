"""`talentbridge demo`: a believable programme (organisations, people, vacancies, history).

Everything is planned first from one seeded `random.Random` (plan.py, from cast.py and
history.py, with the names and sentences in data/), embedded in batches outside any
transaction, then written in one transaction through the real services (write.py).
Shortlists only ever pair a candidate with a vacancy that passes the matching engine's gates.
Running it again finds the marker organisation, leaves the data alone and prints fresh keys
(command.py).
"""

from talentbridge.demo.command import DemoSummary, run_demo
from talentbridge.demo.plan import make_plan
from talentbridge.demo.write import MARKER

__all__ = ["MARKER", "DemoSummary", "make_plan", "run_demo"]
