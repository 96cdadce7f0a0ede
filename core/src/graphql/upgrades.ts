import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

function isWebSocketTo(request: IncomingMessage, path: string): boolean {
  return String(request.headers.upgrade ?? '').toLowerCase() === 'websocket' && (request.url ?? '').split('?')[0] === path;
}

function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * mercurius's WebSocket support (@fastify/websocket) listens to the server's 'upgrade' event,
 * and once anyone listens, Node hands over *every* request with an Upgrade header — WebSocket
 * or not (`curl --http2` sends `Upgrade: h2c`), to any path. @fastify/websocket answers those
 * through fastify but leaves their socket paused and open: a client's next request on it hangs,
 * and the server can never close. So only WebSocket upgrades to `path` reach it; any other
 * upgrade request is answered as the plain HTTP request it also is (Node's behaviour when
 * nobody listens), on a connection that closes afterwards. Returns the undo.
 */
export function confineUpgrades(server: Server, path: string): () => void {
  const upgraders = server.listeners('upgrade') as UpgradeListener[];
  for (const l of upgraders) server.removeListener('upgrade', l);
  const route: UpgradeListener = (request, socket, head) => {
    if (isWebSocketTo(request, path)) {
      for (const l of upgraders) l.call(server, request, socket, head);
      return;
    }
    if (hasBody(request)) {
      // the body is no longer parsed by Node once a request counts as an upgrade
      const message = 'a request with a body cannot ask for a protocol upgrade here; send it without the Upgrade header\n';
      socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`);
      return;
    }
    const response = new ServerResponse(request);
    response.shouldKeepAlive = false;
    response.assignSocket(socket as Socket);
    response.once('finish', () => {
      response.detachSocket(socket as Socket);
      socket.end();
    });
    server.emit('request', request, response);
  };
  server.on('upgrade', route);
  return () => {
    server.removeListener('upgrade', route);
  };
}
