"""Today's date in Beijing. Rules take `today` as an argument; only views and jobs ask here,
so tests can freeze the clock (freezegun) at one place."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return datetime.now(LOCAL_TZ).date()
