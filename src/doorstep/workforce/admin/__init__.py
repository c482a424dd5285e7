"""Back office pages for technicians, their skills, working hours and time off."""

from doorstep.workforce.admin import skills_and_time_off, technicians
from doorstep.workforce.admin.technicians import app_setup_url

__all__ = ["app_setup_url", "skills_and_time_off", "technicians"]
