"""A real FTP server (pyftpdlib) for the data-source tests, on 127.0.0.1.

Usage: ftp_server.py ROOT USER PASSWORD [CERTFILE]
With CERTFILE (certificate and key in one PEM) the server speaks FTPS (AUTH TLS) and requires it.
Anonymous users may read ROOT; USER/PASSWORD may read it too. Names are sent as the bytes
they have on disk (surrogateescape), so a file whose name is not UTF-8 can be listed and
fetched. The folder named 'hostile' also lists names a malicious server could send
('../../etc/passwd', 'a/../../b'). A LIST, MLSD or RETR of a name containing 'drop-once' closes the
control connection without a reply the first time (as a server does when it restarts, or when
it cannot open a passive data port), and of one containing 'drop-always' every time. Prints
'READY <port>' once it listens, then 'LOGIN <user>' for every login and 'DROP <path>' for
every connection it drops.
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


dropped = set()


class Handler(TLS_FTPHandler if certfile else FTPHandler):
    abstracted_fs = HostileFS
    unicode_errors = 'surrogateescape'
    passive_ports = None

    def on_login(self, username):
        # counted by the tests: an import should reuse its connections, not log in per file
        print('LOGIN', username, flush=True)

    def drops(self, path):
        name = os.path.basename(path.rstrip('/'))
        if 'drop-always' in name or ('drop-once' in name and path not in dropped):
            dropped.add(path)
            print('DROP', path, flush=True)
            self.close()
            return True
        return False

    def ftp_LIST(self, path):
        return None if self.drops(path) else super().ftp_LIST(path)

    def ftp_MLSD(self, path):
        return None if self.drops(path) else super().ftp_MLSD(path)

    def ftp_RETR(self, file):
        return None if self.drops(file) else super().ftp_RETR(file)


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
