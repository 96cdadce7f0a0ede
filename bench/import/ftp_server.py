"""Anonymous, read-only pyftpdlib on 127.0.0.1 for the import benchmark: ftp_server.py ROOT.
Prints 'READY <port>' once it listens; exits when its stdin (a pipe from the benchmark) closes."""
import os
import sys
import threading

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

authorizer = DummyAuthorizer()
authorizer.add_anonymous(sys.argv[1], perm='elr')
FTPHandler.authorizer = authorizer
server = FTPServer(('127.0.0.1', 0), FTPHandler)
server.max_cons = 256
print('READY', server.socket.getsockname()[1], flush=True)
# the benchmark holds our stdin open: when it ends, however it ended, so do we
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
server.serve_forever(timeout=0.5)
