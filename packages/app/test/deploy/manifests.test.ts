import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  CONFIG_VARIABLES,
  type Env,
  knownVariableNames,
  loadConfig,
  SECRET_VARIABLES,
} from '../../src/index.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

/** What the image sets (Dockerfile ENV), under whatever the manifests add. */
const IMAGE_ENV: Env = {
  NODE_ENV: 'production',
  LISTEN_ADDR: '0.0.0.0:5379',
  LESS_SYNC_DATA_DIR: '/var/lib/less-sync',
};

/** Values an operator supplies through compose interpolation (`${NAME:?…}` / `${NAME:-default}`). */
const OPERATOR_VALUES: Record<string, string> = {
  TRUSTED_ISSUERS: 'https://accounts.example.com',
  IDENTITY_HASH_KEY: 'ab'.repeat(32),
  AUDIENCES: 'my-app',
  BROKER_URL: 'redis://redis:6379',
};

/** Stand-ins for secret files, by the secret variable they feed. */
const SECRET_SAMPLES: Record<string, string> = {
  DATABASE_URL: 'postgres://u:p@db.example.internal:5432/less_sync',
  IDENTITY_HASH_KEY: 'cd'.repeat(32),
  FILE_S3_ACCESS_KEY: 'AKIAEXAMPLE',
  FILE_S3_SECRET_KEY: 'example-secret',
  FEDERATION_FST_SECRET: 'example-fst',
  FEDERATION_FST_PREVIOUS_SECRET: 'example-fst-previous',
};

function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}/g, (_m, name: string) => {
    const supplied = OPERATOR_VALUES[name];
    if (supplied === undefined) throw new Error(`no test value for the interpolated variable ${name}`);
    return supplied;
  });
}

/** Every variable must be in the reference, every required one set, and the whole set must load. */
function validate(
  where: string,
  env: Record<string, string>,
  readSecretFile: (path: string) => string,
): void {
  const known = knownVariableNames();
  const unknown = Object.keys(env).filter((name) => !known.has(name));
  expect(unknown, `${where}: variables not in the configuration reference`).toEqual([]);
  for (const variable of CONFIG_VARIABLES.filter((v) => v.requiredInProduction)) {
    const set = variable.names.some((n) => env[n] !== undefined || env[`${n}_FILE`] !== undefined);
    expect(set, `${where}: ${variable.label} is required`).toBe(true);
  }
  expect(() => loadConfig({ ...IMAGE_ENV, ...env }, { readSecretFile }), where).not.toThrow();
}

describe('OPS-DEPLOY-01 docker-compose.yml', () => {
  const compose = parse(readFileSync(`${REPO}docker-compose.yml`, 'utf8'), { merge: true }) as {
    services: Record<
      string,
      { build?: unknown; image?: string; environment?: Record<string, string | number> }
    >;
  };
  const instances = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

  it('OPS-DEPLOY-01 two less-sync instances on one database (the second in the scale profile), PostgreSQL and MinIO', () => {
    expect(instances.map(([name]) => name)).toEqual(['less-sync', 'less-sync-2']);
    for (const service of ['postgres', 'minio']) expect(compose.services).toHaveProperty(service);
  });

  it('OPS-DEPLOY-01 every variable it sets exists, the required ones are set, and the configuration loads', () => {
    for (const [name, service] of instances) {
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]),
      );
      validate(`compose service ${name}`, env, () => {
        throw new Error('compose sets no _FILE secrets');
      });
      expect(env.DATABASE_URL).toMatch(/@postgres:5432\//);
      expect(env.FILE_S3_ENDPOINT).toBe('http://minio:9000');
    }
  });
});

interface K8sDoc {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    template: {
      spec: {
        containers: Array<{
          env?: Array<{ name: string; value?: string }>;
          envFrom?: Array<{ configMapRef?: { name: string } }>;
          ports: Array<{ name: string; containerPort: number }>;
          startupProbe: { httpGet: { path: string; port: string } };
          livenessProbe: { httpGet: { path: string; port: string } };
          readinessProbe: { httpGet: { path: string; port: string } };
          volumeMounts: Array<{ name: string; mountPath: string }>;
        }>;
        volumes: Array<{ name: string; secret?: { secretName: string } }>;
      };
    };
  };
}

describe('OPS-DEPLOY-02 Kubernetes manifests', () => {
  const docs = parseAllDocuments(readFileSync(`${REPO}deploy/kubernetes/less-sync.yaml`, 'utf8')).map(
    (d) => d.toJSON() as K8sDoc,
  );
  const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
  const deployment = byKind('Deployment')[0];
  const container = deployment?.spec?.template.spec.containers[0];

  it('OPS-DEPLOY-02 the probes are /startupz, /livez and /readyz on the port LISTEN_ADDR binds', () => {
    expect(container?.startupProbe.httpGet.path).toBe('/startupz');
    expect(container?.livenessProbe.httpGet.path).toBe('/livez');
    expect(container?.readinessProbe.httpGet.path).toBe('/readyz');
    const port = container?.ports.find((p) => p.name === container.readinessProbe.httpGet.port);
    const listen = container?.env?.find((e) => e.name === 'LISTEN_ADDR')?.value;
    expect(listen?.endsWith(`:${port?.containerPort}`)).toBe(true);
  });

  it('OPS-DEPLOY-02 every variable it sets exists, secrets come from mounted files, and the configuration loads', () => {
    const env: Record<string, string> = {};
    for (const from of container?.envFrom ?? []) {
      const map = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === from.configMapRef?.name);
      expect(map, `ConfigMap ${from.configMapRef?.name}`).toBeDefined();
      Object.assign(env, map?.data);
    }
    for (const entry of container?.env ?? []) env[entry.name] = entry.value ?? '';

    // Each *_FILE path must be a key of the Secret mounted at its directory.
    const secretFiles = new Map<string, string>();
    for (const mount of container?.volumeMounts ?? []) {
      const volume = deployment?.spec?.template.spec.volumes.find((v) => v.name === mount.name);
      const secret = docs.find((d) => d.kind === 'Secret' && d.metadata.name === volume?.secret?.secretName);
      for (const key of Object.keys(secret?.stringData ?? {}))
        secretFiles.set(`${mount.mountPath}/${key}`, key);
    }
    const pathToVariable = new Map<string, string>();
    for (const name of SECRET_VARIABLES) {
      const path = env[`${name}_FILE`];
      if (path === undefined) continue;
      expect(secretFiles.has(path), `${name}_FILE=${path} is not a mounted secret key`).toBe(true);
      pathToVariable.set(path, name);
    }
    expect(pathToVariable.size).toBeGreaterThanOrEqual(3);
    validate('Kubernetes Deployment', env, (path) => {
      const variable = pathToVariable.get(path);
      if (variable === undefined) throw new Error(`unexpected secret file ${path}`);
      return `${SECRET_SAMPLES[variable]}\n`;
    });
  });

  it('OPS-DEPLOY-02 the validation itself rejects an unknown variable and a missing required one', () => {
    expect(() => validate('bad', { TRUSTED_ISSUER: 'https://x.example' }, () => '')).toThrow();
  });
});
