/**
 * Encrypts Slack installations (they hold bot tokens) at rest with AES-256-GCM. The key comes from
 * OUTLOUD_ENCRYPTION_KEY: 32 bytes, as 64 hex characters or base64. The workspace id is bound in as
 * associated data, so a row copied onto another workspace's key fails to decrypt instead of leaking.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = "v1";

export class TokenCipher {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32)
      throw new Error("OUTLOUD_ENCRYPTION_KEY must be 32 bytes (64 hex characters or base64)");
    this.key = key;
  }

  /** Parses the environment variable's value; throws a message naming the variable when it is unusable. */
  static fromEnv(value: string | undefined): TokenCipher {
    if (!value)
      throw new Error(
        "OUTLOUD_ENCRYPTION_KEY is required to store Slack installations (32 bytes, hex or base64)",
      );
    const trimmed = value.trim();
    const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
      ? Buffer.from(trimmed, "hex")
      : Buffer.from(trimmed, "base64");
    return new TokenCipher(key);
  }

  encrypt(plain: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(boundTo, "utf8"));
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
  }

  decrypt(sealed: string, boundTo: string): string {
    const [version, data] = sealed.split(":", 2);
    if (version !== VERSION || !data) throw new Error("unknown encrypted installation format");
    const raw = Buffer.from(data, "base64");
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(boundTo, "utf8"));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  }
}
