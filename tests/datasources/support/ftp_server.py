"""A real FTP server (pyftpdlib) for the data-source tests, on 127.0.0.1.

Usage: ftp_server.py ROOT USER PASSWORD [CERTFILE]
With CERTFILE (certificate and key in one PEM) the server speaks FTPS (AUTH TLS) and requires it.
Anonymous users may read ROOT; USER/PASSWORD may read it too. Names are sent as the bytes
they have on disk (surrogateescape), so a file whose name is not UTF-8 can be listed and
fetched. The folder named 'hostile' also lists names a malicious server could send
('../../etc/passwd', 'a/../../b'). Prints 'READY <port>' once it listens, then 'LOGIN <user>'
for every login.
"""
import os
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.filesystems import AbstractedFS
from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
from pyftpdlib.servers import FTPServer

root, user, password = sys.argv[1:4]
certfile = sys.argv[4] if len(sys.argv) > 4 else None


class HostileFS(AbstractedFS):
    def listdir(self, path):
        names = super().listdir(path)
        if os.path.basename(path.rstrip('/')) == 'hostile':
            names = names + ['../../etc/passwd', 'a/../../b']
        return names


class Handler(TLS_FTPHandler if certfile else FTPHandler):
    abstracted_fs = HostileFS
    unicode_errors = 'surrogateescape'
    passive_ports = None

    def on_login(self, username):
        # counted by the tests: an import should reuse its connections, not log in per file
        print('LOGIN', username, flush=True)


authorizer = DummyAuthorizer()
authorizer.add_user(user, password, root, perm='elr')
authorizer.add_anonymous(root, perm='elr')
Handler.authorizer = authorizer
if certfile:
    Handler.certfile = certfile
    Handler.tls_control_required = True
    Handler.tls_data_required = True
Handler.banner = 'vocloud test FTP server'
server = FTPServer(('127.0.0.1', 0), Handler)
server.max_cons = 256
print('READY', server.socket.getsockname()[1], flush=True)
server.serve_forever(timeout=0.5)
