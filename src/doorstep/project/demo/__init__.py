"""The demo company that `doorstep demo` loads: a home-services firm in Denver, Colorado.

Every name, address, phone number and serial number in it is invented.

- data.py: the fixed data (company, technicians, service types, streets, businesses)
- geography.py: Denver's time zone and address grid
- accounts.py: the plan of the customers; visits.py and planner.py: the plan of the visits,
  the sign-ins' story first; diary.py: the technicians' free time the visits go into
- records.py, bookings.py: turning the plans into rows; loader.py: `load_demo()`
"""

from doorstep.project.demo.loader import DemoSummary, load_demo
from doorstep.project.demo.records import DEMO_PASSWORD, SignIn

__all__ = ["DEMO_PASSWORD", "DemoSummary", "SignIn", "load_demo"]
