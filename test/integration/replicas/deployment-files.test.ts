/**
 * The deployment files agree with the code: no Docker engine or cluster runs here, so this reads the
 * Kubernetes manifests, docker-compose.yml and the Dockerfile and checks what an operator would trip
 * over: YAML that does not parse, probes on paths or ports the bot does not serve, environment
 * variables the bot does not know, a config file it would reject, SQLite run by two pods at once.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { envSchema } from "../../../src/config/env.js";
import { loadConfig } from "../../../src/config/load.js";
import { healthRoutes } from "../../../src/runtime/health.js";
import type { OutloudMetrics } from "../../../src/runtime/metrics.js";
import { isPostgresUrl } from "../../../src/storage/database.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const K8S = join(ROOT, "deploy/k8s");
const KNOWN_ENV = new Set(Object.keys(envSchema.shape));
const SERVED_PATHS = new Set(
  healthRoutes({ metrics: {} as OutloudMetrics, checks: [] }).map((route) => route.path),
);

// biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field below.
type Manifest = any;

function parseYamlFile(path: string): Manifest[] {
  const docs = parseAllDocuments(readFileSync(path, "utf8"));
  for (const doc of docs) expect(doc.errors, path).toEqual([]);
  return docs.map((d) => d.toJS()).filter((d) => d !== null);
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFilesUnder(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** What `kubectl apply -k dir` would apply: the kustomization's resources, following directories. */
function kustomize(dir: string): Manifest[] {
  const [kustomization] = parseYamlFile(join(dir, "kustomization.yaml"));
  return (kustomization.resources as string[]).flatMap((entry) => {
    const path = resolve(dir, entry);
    expect(existsSync(path), `${dir}: resource ${entry} exists`).toBe(true);
    return statSync(path).isDirectory() ? kustomize(path) : parseYamlFile(path);
  });
}

function one(manifests: Manifest[], kind: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found.map((m) => m.kind)).toEqual([kind]);
  return found[0];
}

function envValue(container: Manifest, name: string): string | undefined {
  return container.env?.find((e: Manifest) => e.name === name)?.value;
}

describe("Kubernetes manifests", () => {
  it("all parse as YAML", () => {
    const files = yamlFilesUnder(K8S);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) parseYamlFile(file);
  });

  for (const variant of ["sqlite", "postgres"]) {
    describe(`the ${variant} variant`, () => {
      const manifests = kustomize(join(K8S, variant));
      const deployment = one(manifests, "Deployment");
      const pod = deployment.spec.template.spec;
      const container = pod.containers[0];
      const secret = one(manifests, "Secret");
      const configMap = one(manifests, "ConfigMap");

      it("probes /healthz for liveness and /readyz for readiness, on the port the bot listens on", () => {
        const port = container.ports.find((p: Manifest) => p.name === container.livenessProbe.httpGet.port);
        expect(port?.containerPort).toBe(Number(envValue(container, "PORT")));
        expect(container.livenessProbe.httpGet.path).toBe("/healthz");
        expect(container.readinessProbe.httpGet.path).toBe("/readyz");
        expect(container.readinessProbe.httpGet.port).toBe(port.name);
        for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
          expect(SERVED_PATHS).toContain(probe.httpGet.path);
        }
      });

      it("routes the Service to the pods' http port", () => {
        const service = one(manifests, "Service");
        expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
        expect(deployment.spec.selector.matchLabels).toEqual(service.spec.selector);
        const names = container.ports.map((p: Manifest) => p.name);
        for (const p of service.spec.ports) expect(names).toContain(p.targetPort);
      });

      it("only sets environment variables the bot knows, secrets from the Secret", () => {
        const names = [
          ...(container.env ?? []).map((e: Manifest) => e.name),
          ...Object.keys(secret.stringData),
        ];
        for (const name of names) expect(KNOWN_ENV, `unknown variable ${name}`).toContain(name);
        expect(container.envFrom).toEqual([{ secretRef: { name: secret.metadata.name } }]);
      });

      it("mounts a config file the bot accepts where it looks for it", () => {
        const text = configMap.data["outloud.yaml"];
        const result = loadConfig([{ path: "outloud.yaml", text }], {});
        expect(result.ok ? [] : result.problems).toEqual([]);
        const mount = container.volumeMounts.find((m: Manifest) => m.mountPath === "/app/config");
        const volume = pod.volumes.find((v: Manifest) => v.name === mount.name);
        expect(volume.configMap.name).toBe(configMap.metadata.name);
        // /app is the image's working directory; the bot reads config/outloud.yaml from there.
        expect(readFileSync(join(ROOT, "Dockerfile"), "utf8")).toMatch(/^WORKDIR \/app$/m);
      });

      it("runs as a non-root user and keeps the data directory on a volume", () => {
        expect(pod.securityContext.runAsNonRoot).toBe(true);
        expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
        const dataDir = envValue(container, "OUTLOUD_DATA_DIR");
        expect(container.volumeMounts.map((m: Manifest) => m.mountPath)).toContain(dataDir);
      });
    });
  }

  it("runs SQLite as one pod at a time, on a persistent volume", () => {
    const manifests = kustomize(join(K8S, "sqlite"));
    const deployment = one(manifests, "Deployment");
    const claim = one(manifests, "PersistentVolumeClaim");
    expect(deployment.spec.replicas).toBe(1);
    // A rolling update would run the new pod beside the old one on the same database file.
    expect(deployment.spec.strategy.type).toBe("Recreate");
    const container = deployment.spec.template.spec.containers[0];
    const dataMount = container.volumeMounts.find(
      (m: Manifest) => m.mountPath === envValue(container, "OUTLOUD_DATA_DIR"),
    );
    const volume = deployment.spec.template.spec.volumes.find((v: Manifest) => v.name === dataMount.name);
    expect(volume.persistentVolumeClaim.claimName).toBe(claim.metadata.name);
    expect(one(manifests, "Secret").stringData.DATABASE_URL).toBeUndefined();
  });

  it("runs several replicas on PostgreSQL, never falling back to SQLite", () => {
    const manifests = kustomize(join(K8S, "postgres"));
    const deployment = one(manifests, "Deployment");
    expect(deployment.spec.replicas).toBeGreaterThan(1);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(isPostgresUrl(one(manifests, "Secret").stringData.DATABASE_URL)).toBe(true);
    expect(one(manifests, "PodDisruptionBudget").spec.selector).toEqual(deployment.spec.selector);
  });
});

describe("docker-compose.yml", () => {
  const [compose] = parseYamlFile(join(ROOT, "docker-compose.yml"));
  const bot = compose.services.outloud;
  const postgres = compose.services.postgres;

  it("starts the bot once PostgreSQL is healthy, and keeps PostgreSQL's data in a volume", () => {
    expect(postgres.healthcheck.test.join(" ")).toMatch(/pg_isready/);
    expect(bot.depends_on.postgres.condition).toBe("service_healthy");
    const [volume] = postgres.volumes[0].split(":");
    expect(Object.keys(compose.volumes)).toContain(volume);
  });

  it("points the bot at that PostgreSQL with variables the bot knows", () => {
    const url = bot.environment.DATABASE_URL as string;
    expect(isPostgresUrl(url)).toBe(true);
    expect(new URL(url.replace(/\$\{[^}]+\}/, "x")).hostname).toBe("postgres");
    for (const name of Object.keys(bot.environment)) expect(KNOWN_ENV).toContain(name);
    expect(bot.ports).toContain(`${bot.environment.PORT}:${bot.environment.PORT}`);
  });
});

describe("Dockerfile", () => {
  const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1) ?? "";

  it("builds in one stage and runs in another, as a non-root user", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]).toMatch(/npm ci --omit=dev/);
    expect(stages[0]).toMatch(/better-sqlite3/);
    expect(runtime).toMatch(/COPY --from=build \/app\/node_modules/);
    const user = runtime.match(/^USER (\S+)$/m)?.[1];
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user);
  });

  it("checks health through /healthz on the port it exposes", () => {
    const port = runtime.match(/PORT=(\d+)/)?.[1];
    expect(runtime).toMatch(new RegExp(`^EXPOSE ${port}$`, "m"));
    expect(runtime).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect(SERVED_PATHS).toContain("/healthz");
  });

  it("copies what `npm start` needs and runs exactly what `npm start` runs", () => {
    const start = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.start as string;
    const command = JSON.parse(/^CMD (\[.*\])$/m.exec(runtime)?.[1] ?? "[]") as string[];
    expect(command).toEqual(start.split(" "));
    for (const dir of ["src", "migrations", "config"])
      expect(runtime).toMatch(new RegExp(`^COPY ${dir} `, "m"));
    expect(existsSync(join(ROOT, dirname(command[command.length - 1]!)))).toBe(true);
  });

  it("keeps secrets and local data out of the build context", () => {
    const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n");
    for (const path of [".env", "data", "node_modules", ".git", "*.sqlite"]) expect(ignored).toContain(path);
  });
});
