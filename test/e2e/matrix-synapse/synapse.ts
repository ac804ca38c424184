/**
 * One real Synapse 1.67.0 for the whole suite, started by `../shared/homeservers/synapse.sh` (it installs
 * Debian's python3 packages the first time) in a fresh data directory on a free port, and accounts on it
 * registered through the shared-secret admin API, as an admin would (see the script's header).
 */
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "../../helpers/processes.js";

/**
 * Where a clone finds the shared homeservers: `shared/` beside the clone, or `OUTLOUD_SHARED_DIR`
 * (set by .ci/run for a clone made elsewhere than beside it).
 */
export const SYNAPSE_SCRIPT = resolve(
  process.cwd(),
  process.env.OUTLOUD_SHARED_DIR ?? "../shared",
  "homeservers/synapse.sh",
);

export interface SynapseServer {
  url: string;
  sharedSecret: string;
  dataDir: string;
}

/** Starts Synapse, or throws saying why it could not (never a silent skip: CI must see it). */
export async function startSynapse(): Promise<SynapseServer> {
  if (!existsSync(SYNAPSE_SCRIPT))
    throw new Error(
      `The Synapse suite needs ${SYNAPSE_SCRIPT} (the shared homeservers beside this clone); it is missing.`,
    );
  const dataDir = mkdtempSync(join(tmpdir(), "outloud-synapse-"));
  const port = await freePort();
  const { code, stdout, stderr } = await run("bash", [SYNAPSE_SCRIPT, "start", dataDir, String(port)]);
  const value = (key: string) => new RegExp(`^${key}=(.*)$`, "m").exec(stdout)?.[1];
  const url = value("SYNAPSE_URL");
  const sharedSecret = value("SYNAPSE_SHARED_SECRET");
  if (code !== 0 || !url || !sharedSecret) {
    const log = ["homeserver.log", "stdout.log"]
      .map((f) => join(dataDir, f))
      .filter((f) => existsSync(f))
      .map((f) => `--- ${f}\n${readFileSync(f, "utf8").slice(-2000)}`)
      .join("\n");
    throw new Error(
      `Synapse did not start (synapse.sh exited ${code}); the Synapse suite cannot run.\n${stderr.slice(-2000)}\n${log}`,
    );
  }
  return { url, sharedSecret, dataDir };
}

/** Stops the server and, once it has exited, removes its data directory. */
export async function stopSynapse(server: SynapseServer): Promise<void> {
  const pidFile = join(server.dataDir, "synapse.pid");
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8")) : undefined;
  await run("bash", [SYNAPSE_SCRIPT, "stop", server.dataDir]);
  for (let i = 0; pid && i < 100 && isRunning(pid); i++) await new Promise((r) => setTimeout(r, 100));
  rmSync(server.dataDir, { recursive: true, force: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A registered account: its id and an access token (one device). */
export interface Account {
  userId: string;
  accessToken: string;
  deviceId: string;
}

/**
 * Registers `username` with the shared secret (POST /_synapse/admin/v1/register: a nonce, then an
 * HMAC-SHA1 over nonce, user, password and admin flag). Registration through the admin API is not
 * rate-limited, so a suite may register as many accounts as it needs.
 */
export async function register(
  server: SynapseServer,
  username: string,
  options: { admin?: boolean; displayName?: string } = {},
): Promise<Account> {
  const endpoint = `${server.url}/_synapse/admin/v1/register`;
  const { nonce } = (await (await fetch(endpoint)).json()) as { nonce: string };
  const password = `pw-${username}`;
  const admin = options.admin ?? false;
  const mac = createHmac("sha1", server.sharedSecret)
    .update(`${nonce}\0${username}\0${password}\0${admin ? "admin" : "notadmin"}`)
    .digest("hex");
  const res = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ nonce, username, password, admin, mac, displayname: options.displayName }),
  });
  const body = (await res.json()) as { user_id?: string; access_token?: string; device_id?: string };
  if (!res.ok || !body.user_id || !body.access_token)
    throw new Error(`could not register ${username}: ${res.status} ${JSON.stringify(body)}`);
  return { userId: body.user_id, accessToken: body.access_token, deviceId: body.device_id ?? "" };
}

/** Lifts Synapse's message rate limit for `userId` (people in the tests type faster than people do). */
export async function liftRateLimit(server: SynapseServer, admin: Account, userId: string): Promise<void> {
  const res = await fetch(
    `${server.url}/_synapse/admin/v1/users/${encodeURIComponent(userId)}/override_ratelimit`,
    {
      method: "POST",
      headers: { authorization: `Bearer ${admin.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ messages_per_second: 0, burst_count: 0 }),
    },
  );
  if (!res.ok) throw new Error(`could not lift the rate limit of ${userId}: ${res.status}`);
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
  });
}
