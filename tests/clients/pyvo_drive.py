"""Drive one existing UWS job with pyvo's AsyncTAPJob, the way a VO user's script would.

Usage: /usr/bin/python3 pyvo_drive.py JOB_URL (complete|abort)
Prints one JSON object with what pyvo saw at each step. pyvo creates nothing itself.
"""
import datetime
import json
import os
import sys

import requests
from pyvo.dal.tap import AsyncTAPJob

url, mode = sys.argv[1], sys.argv[2]
seen = {"version": __import__("pyvo").__version__}

# Credentials the way VO users pass them: a requests session with HTTP Basic (user:password or
# user:API-token) or an Authorization header carrying a personal API token.
session = requests.Session()
if os.environ.get("VOCLOUD_BASIC"):
    user, password = os.environ["VOCLOUD_BASIC"].split(":", 1)
    session.auth = (user, password)
if os.environ.get("VOCLOUD_TOKEN"):
    session.headers["Authorization"] = "Bearer " + os.environ["VOCLOUD_TOKEN"]

job = AsyncTAPJob(url, session=session)
seen["initial_phase"] = job.phase
seen["job_id"] = job.job_id

job.execution_duration = 90
seen["execution_duration"] = float(job.execution_duration.sec)

wanted = (datetime.datetime.utcnow() + datetime.timedelta(days=2)).replace(microsecond=123456)
job.destruction = wanted
got = job.destruction
seen["destruction_sent"] = wanted.isoformat()
seen["destruction_got"] = got.isot if got is not None else None

job.run()
if mode == "abort":
    job.abort()
    seen["phase_after_abort"] = job.phase
else:
    job.wait(timeout=60)
    seen["final_phase"] = job.phase
    seen["result_uris"] = list(job.result_uris)
    seen["results"] = {uri.rsplit("/", 1)[-1]: session.get(uri, timeout=30).text for uri in job.result_uris}
    seen["owner"] = job.owner
    seen["uws_version"] = str(job.uws_version)

job.delete()
seen["status_after_delete"] = session.get(url, timeout=30).status_code
print(json.dumps(seen))
