import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inject, injectable } from 'tsyringe';
import { TOKENS } from '../tokens.js';
import type { LoadedConfig } from '../config/load.js';

/**
 * The server's secret key: signs short-lived file URLs and encrypts credentials stored for
 * users (AES-256-GCM). From `secrets.key` (base64, 32 bytes; every node of a cluster needs the
 * same) or, on one machine, a key file created at the first start in dataDir (mode 0600).
 */
@injectable()
export class ServerKey {
  private readonly key: Buffer;

  constructor(@inject(TOKENS.Config) config: LoadedConfig) {
    const configured = config.config.secrets.key;
    if (configured) {
      this.key = Buffer.from(configured, 'base64');
    } else {
      const file = join(config.paths.dataDir, 'secret.key');
      if (!existsSync(file)) {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
      }
      this.key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    }
    if (this.key.length !== 32) throw new Error('secrets.key must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)');
  }

  /** A signed, expiring token carrying `payload` (readable, not secret). */
  sign(payload: Record<string, unknown>, ttlSeconds: number): string {
    const body = Buffer.from(JSON.stringify({ ...payload, exp: Math.floor(Date.now() / 1000) + ttlSeconds })).toString('base64url');
    const mac = createHmac('sha256', this.key).update(body).digest('base64url');
    return `${body}.${mac}`;
  }

  /** The payload of a token this server signed, or null when forged, damaged or expired. */
  verify<T extends Record<string, unknown>>(token: string): (T & { exp: number }) | null {
    const dot = token.indexOf('.');
    if (dot < 0) return null;
    const body = token.slice(0, dot);
    const mac = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = createHmac('sha256', this.key).update(body).digest();
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return null;
    try {
      const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T & { exp: number };
      return typeof payload.exp === 'number' && payload.exp * 1000 > Date.now() ? payload : null;
    } catch {
      return null;
    }
  }

  /** Encrypt a secret for storage: `v1:` + base64(iv | tag | ciphertext). */
  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1:${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64')}`;
  }

  decrypt(stored: string): string {
    if (!stored.startsWith('v1:')) throw new Error('unknown secret format');
    const raw = Buffer.from(stored.slice(3), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
