"""A SAMP hub with the Web Profile, and a desktop-tool stand-in on it, for the browser tests.

Run with Debian's python (/usr/bin/python3, python3-astropy). The hub is astropy's
SAMPHubServer with web_profile=True on the standard web port 21012, with a consent dialog that
accepts every web client (a human would click "yes"). The stand-in client ("topcat-standin")
registers over the standard profile, subscribes to the messages vocloud sends, fetches each URL
it receives (as TOPCAT would) and reports it; it sends messages on command.

Protocol: JSON lines. Commands on stdin: {"cmd": "clients"}, {"cmd": "serve", "dir": path},
{"cmd": "send", "to": "vocloud", "mtype": ..., "params": {...}}, {"cmd": "quit"}.
Events on stdout: ready, clients, serving, sent, received, fetched, error.
"""
import functools
import http.server
import json
import os
import sys
import tempfile
import threading
import time
import urllib.request

from astropy.samp import SAMPHubServer, SAMPIntegratedClient
from astropy.samp.hub import WebProfileDialog

out_lock = threading.Lock()


def emit(event, **fields):
    with out_lock:
        sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
        sys.stdout.flush()


class AcceptEveryone(WebProfileDialog):
    def show_dialog(self, samp_name, details, client, origin):
        emit("consent", name=samp_name, origin=origin)
        self.consent()


def poll_dialog(dialog):
    while True:
        dialog.handle_queue()
        time.sleep(0.05)


def main():
    tmp = tempfile.mkdtemp(prefix="vocloud-samp-")
    dialog = AcceptEveryone()
    hub = SAMPHubServer(web_profile=True, web_profile_dialog=dialog, lockfile=os.path.join(tmp, "samp.lock"), addr="127.0.0.1")
    hub.start(wait=False)
    if hub._web_profile_server is None:
        emit("error", message="the SAMP web profile port 21012 is in use; stop the other hub")
        hub.stop()
        return 1
    threading.Thread(target=poll_dialog, args=(dialog,), daemon=True).start()

    client = SAMPIntegratedClient(name="topcat-standin", description="a desktop tool stand-in for tests")
    client.connect(hub=hub)

    def receive(private_key, sender_id, msg_id, mtype, params, extra):
        emit("received", mtype=mtype, params=params, sender=sender_id)
        if msg_id is not None:
            client.reply(msg_id, {"samp.status": "samp.ok", "samp.result": {}})
        try:
            with urllib.request.urlopen(params["url"], timeout=10) as r:
                data = r.read()
            emit("fetched", url=params["url"], size=len(data), head=data[:10].decode("latin1"))
        except Exception as e:  # report, the test decides
            emit("error", message=f"cannot fetch {params.get('url')}: {e}")

    for mtype in ("table.load.votable", "spectrum.load.ssa-generic", "table.load.fits"):
        client.bind_receive_notification(mtype, lambda pk, s, mt, p, x: receive(pk, s, None, mt, p, x))
        client.bind_receive_call(mtype, receive)
    emit("ready", hub=hub.params["samp.hub.xmlrpc.url"])

    httpd = None
    for line in sys.stdin:
        try:
            cmd = json.loads(line)
            if cmd["cmd"] == "quit":
                break
            if cmd["cmd"] == "clients":
                ids = [c for c in client.get_registered_clients()]
                emit("clients", clients=[{"id": c, "name": client.get_metadata(c).get("samp.name", "")} for c in ids])
            elif cmd["cmd"] == "serve":
                handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=cmd["dir"])
                handler.log_message = lambda *a: None
                httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
                threading.Thread(target=httpd.serve_forever, daemon=True).start()
                emit("serving", url=f"http://127.0.0.1:{httpd.server_address[1]}/")
            elif cmd["cmd"] == "send":
                to = [c for c in client.get_registered_clients() if client.get_metadata(c).get("samp.name") == cmd["to"]]
                if not to:
                    emit("error", message=f"no client named {cmd['to']}")
                    continue
                client.notify(to[0], {"samp.mtype": cmd["mtype"], "samp.params": cmd["params"]})
                emit("sent", to=to[0])
        except Exception as e:
            emit("error", message=str(e))
    if httpd:
        httpd.shutdown()
    client.disconnect()
    hub.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
