import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Peer } from '../../support/peers.js';
import { freePort } from '../../support/ports.js';

/*
 * A real vsftpd (Debian package `vsftpd`) on loopback for FTPS: standalone (listen=YES,
 * background=NO) from a config file of the test's own, anonymous read-only logins that must
 * use explicit AUTH TLS for the login and for every data connection, passive mode only.
 * It runs as vsftpd is meant to: started by root, anonymous sessions chrooted into the served
 * folder as the user `ftp` (made by the package), the listener as `nobody`. Hence root:
 * with run_as_launching_user=YES (no root needed) vsftpd does not chroot, and `/path` in a
 * URL would be the machine's /path. vsftpd refuses a chroot root that the user `ftp` can
 * write to, and its seccomp sandbox fails in containers (seccomp_sandbox=NO).
 */

const VSFTPD = '/usr/sbin/vsftpd';

/**
 * vsftpd writes its messages (`-v`, `500 OOPS: …`) to fd 0, the control connection in inetd
 * mode; a shell points fd 0 at stderr so that they can be read.
 */
function vsftpdArgs(...args: string[]): [string, string[]] {
  return ['/bin/sh', ['-c', `exec ${VSFTPD} "$@" 0>&2`, 'vsftpd', ...args]];
}

/** The vsftpd peer for needPeer(): usable when `vsftpd -v` runs and the tests run as root. */
export function vsftpdPeer(): Peer {
  const r = spawnSync(...vsftpdArgs('-v'), { encoding: 'utf8', timeout: 30_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  const why =
    r.status !== 0 || !/vsftpd: version/.test(out)
      ? out.split('\n').slice(-1)[0] || `${VSFTPD} did not run`
      : process.getuid?.() !== 0
        ? 'the tests do not run as root: vsftpd must start as root to chroot anonymous users'
        : undefined;
  return { name: 'vsftpd, started by root', install: 'vsftpd', available: !why, ...(why ? { why } : {}) };
}

export interface VsftpdPeer {
  readonly port: number;
  /** `ftps://127.0.0.1:port` */
  readonly url: string;
  stop(): Promise<void>;
}

export interface VsftpdOptions {
  /** The folder anonymous users see as `/`: readable by the user `ftp`, writable only by root. */
  readonly root: string;
  /** PEM server certificate (with its chain) and its private key. */
  readonly certFile: string;
  readonly keyFile: string;
  /** A folder of the test's own for the config file and the empty secure_chroot_dir. */
  readonly dir: string;
}

function config(o: VsftpdOptions, port: number, pasvMin: number): string {
  const lines: Record<string, string | number> = {
    listen: 'YES',
    listen_ipv6: 'NO',
    listen_address: '127.0.0.1',
    listen_port: port,
    background: 'NO',
    seccomp_sandbox: 'NO',
    secure_chroot_dir: join(o.dir, 'empty'),
    anonymous_enable: 'YES',
    anon_root: o.root,
    local_enable: 'NO',
    write_enable: 'NO',
    connect_from_port_20: 'NO',
    port_enable: 'NO',
    pasv_enable: 'YES',
    pasv_address: '127.0.0.1',
    // vsftpd tries other ports of the range when one is taken
    pasv_min_port: pasvMin,
    pasv_max_port: pasvMin + 49,
    ssl_enable: 'YES',
    allow_anon_ssl: 'YES',
    force_anon_logins_ssl: 'YES',
    force_anon_data_ssl: 'YES',
    // vsftpd's default, said here because the test relies on it: a data connection must resume
    // the control connection's TLS session, which basic-ftp does (TLS 1.2; the plugin caps it)
    require_ssl_reuse: 'YES',
    // 3.0.3's default is DES-CBC3-SHA, which OpenSSL 3 and Node no longer offer
    ssl_ciphers: 'HIGH',
    rsa_cert_file: o.certFile,
    rsa_private_key_file: o.keyFile,
    xferlog_enable: 'NO',
    dirmessage_enable: 'NO',
  };
  return `${Object.entries(lines)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

/** Resolves when the server greets (220) on `port`; rejects when the process exits first. */
function greeted(child: ChildProcess, port: number, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 15_000;
    const exited = () => reject(new Error(`vsftpd exited with ${child.exitCode ?? child.signalCode}: ${output().trim()}`));
    child.once('close', exited);
    const attempt = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const sock = connect(port, '127.0.0.1');
      let got = '';
      const retry = () => {
        sock.destroy();
        if (Date.now() > deadline) {
          child.off('close', exited);
          reject(new Error(`vsftpd did not greet on 127.0.0.1:${port} within 15 s: ${output().trim()}`));
        } else setTimeout(attempt, 100);
      };
      sock.on('error', retry);
      sock.on('data', (d) => {
        got += String(d);
        if (!got.includes('\n')) return;
        sock.destroy();
        if (got.startsWith('220')) {
          child.off('close', exited);
          resolve();
        } else retry();
      });
    };
    attempt();
  });
}

/**
 * Start vsftpd serving `root` over FTPS on a free loopback port; a port taken between the
 * choice and vsftpd's bind is tried again with another one.
 */
export async function startVsftpdPeer(o: VsftpdOptions): Promise<VsftpdPeer> {
  mkdirSync(join(o.dir, 'empty'), { recursive: true });
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const pasvMin = 20_000 + Math.floor(Math.random() * 40_000);
    const file = join(o.dir, `vsftpd-${port}.conf`);
    writeFileSync(file, config(o, port, pasvMin), { mode: 0o600 });
    const child = spawn(...vsftpdArgs(file), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d) => (output += String(d)));
    child.stderr!.on('data', (d) => (output += String(d)));
    try {
      await greeted(child, port, () => output);
    } catch (err) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      lastError = err as Error;
      if (/could not bind/.test(output)) continue;
      throw err;
    }
    return {
      port,
      url: `ftps://127.0.0.1:${port}`,
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        // vsftpd's session processes end when their connection closes
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
  }
  throw lastError ?? new Error('vsftpd did not start');
}
