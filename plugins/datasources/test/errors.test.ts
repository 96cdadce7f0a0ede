import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { asItemError } from '../src/common/errors.js';

/** The real error of a connection the system refuses, from node:net. */
function connectionError(options: Parameters<typeof connect>[0]): Promise<NodeJS.ErrnoException> {
  return new Promise((resolve, reject) => {
    const socket = connect(options);
    socket.once('connect', () => {
      socket.destroy();
      reject(new Error('connected'));
    });
    socket.once('error', resolve);
  });
}

describe('which failures an import tries again', () => {
  it('no local address for a connection (EADDRNOTAVAIL, as when the ephemeral ports are used up) is transient', async () => {
    // 192.0.2.1 (TEST-NET-1) is not this machine's: binding to it fails as a used-up port range does.
    const err = await connectionError({ host: '127.0.0.1', port: 9, localAddress: '192.0.2.1' });
    expect(err.code).toBe('EADDRNOTAVAIL');
    const item = asItemError(err);
    expect(item.transient).toBe(true);
    expect(item.message).toMatch(/^no local port was free for a new connection/);
  });

  it('a refused connection is transient', async () => {
    const refused = await connectionError({ host: '127.0.0.1', port: 9 });
    expect([refused.code, asItemError(refused).transient]).toEqual(['ECONNREFUSED', true]);
  });
});
