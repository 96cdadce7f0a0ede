"""Anonymous, read-only pyftpdlib on 127.0.0.1 for the import benchmark: ftp_server.py ROOT.
Prints 'READY <port>' once it listens."""
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

authorizer = DummyAuthorizer()
authorizer.add_anonymous(sys.argv[1], perm='elr')
FTPHandler.authorizer = authorizer
server = FTPServer(('127.0.0.1', 0), FTPHandler)
server.max_cons = 256
print('READY', server.socket.getsockname()[1], flush=True)
server.serve_forever(timeout=0.5)
