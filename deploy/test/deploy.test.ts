import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, SERVICE_NAMES, type ServiceName } from '@ticketpro/shared';
import { passwordProblems } from '@ticketpro/identity/src/passwords/password-policy';
import {
  PROCESSES,
  REPO_ROOT,
  dockerIgnoreRules,
  dockerIgnores,
  filesUnder,
  loadYamlDocuments,
  missingServiceParts,
  parseDockerfile,
  readRepoFile,
  unknownVariables,
  workspaceFolders,
} from './support';

/**
 * Static checks of deploy/: no Docker engine or cluster runs here, so these read the files and
 * hold them to the code they deploy — the processes and their start scripts, the configuration
 * schema, the health endpoints of the operations contract — and to each other.
 */

const SERVICES = PROCESSES.filter((name) => name !== 'gateway');
const LIVE = '/health/live';
const READY = '/health/ready';
/** How long Moleculer waits for calls in flight when the broker stops (operations contract). */
const BROKER_STOP_SECONDS = 10;
/** The embedded mode's bundle, which `npm start` runs. */
const EMBEDDED_ENTRY = 'services/gateway/dist/main-embedded.js';

const rootPackage = JSON.parse(readRepoFile('package.json')) as {
  workspaces: string[];
  scripts: Record<string, string>;
};

describe('deploy/ YAML files', () => {
  const yamlFiles = filesUnder('deploy').filter((file) => /\.ya?ml$/.test(file));

  it('include compose, the Kubernetes manifests and the NATS Helm values', () => {
    expect(yamlFiles).toEqual(
      expect.arrayContaining([
        'deploy/docker-compose.yml',
        'deploy/k8s/kustomization.yaml',
        'deploy/k8s/nats-values.yaml',
      ]),
    );
  });

  it.each(yamlFiles)('%s parses, every document of it', (file) => {
    expect(loadYamlDocuments(file).length).toBeGreaterThan(0);
  });
});

/** What `npm run start:<name>`, `npm start` and the image's entrypoint run: the compiled bundle, with plain node. */
const compiledEntry = (name: string) => `services/${name}/dist/main.js`;
/** `exec`: npm relays a SIGTERM to the script's shell, which then no longer stands between it and node. */
const runCompiled = (entry: string) => `exec node --enable-source-maps ${entry}`;

describe('the processes', () => {
  it('are the gateway and every service registered in CONTRACTS, each a folder under services/', () => {
    const unregistered = PROCESSES.filter((name) => name !== 'gateway' && !SERVICE_NAMES.includes(name as ServiceName));
    expect(unregistered.map((name) => `services/${name} has a src/main.ts but no contract in CONTRACTS`)).toEqual([]);
    expect(SERVICE_NAMES.flatMap(missingServiceParts)).toEqual([]);
    expect(PROCESSES).toEqual(['gateway', ...SERVICE_NAMES].sort());
  });

  it('names, for a service registered without its folder, each piece it lacks', () => {
    expect(missingServiceParts('reviews')).toEqual([
      'services/reviews/package.json does not name the package @ticketpro/reviews',
      "services/reviews/package.json's main is not src/index.ts",
      'services/reviews/src/index.ts is missing',
      'services/reviews/src/main.ts is missing',
      'services/gateway/package.json does not depend on @ticketpro/reviews',
    ]);
  });

  it('each have a start script that runs its compiled main.js with plain node, and no other process has one', () => {
    const missing = PROCESSES.filter(
      (name) => rootPackage.scripts[`start:${name}`] !== runCompiled(compiledEntry(name)),
    ).map((name) => `package.json lacks "start:${name}": "${runCompiled(compiledEntry(name))}"`);
    expect(missing).toEqual([]);
    const startScripts = Object.keys(rootPackage.scripts).filter((script) => script.startsWith('start:'));
    expect(startScripts.map((script) => script.slice('start:'.length)).sort()).toEqual(PROCESSES);
  });

  it('are npm workspaces, through the services/* folder convention', () => {
    expect(rootPackage.workspaces).toContain('services/*');
    const workspaces = workspaceFolders(rootPackage.workspaces);
    for (const name of PROCESSES) expect(workspaces).toContain(`services/${name}`);
  });

  it('npm start builds first, then runs the compiled embedded mode', () => {
    expect(rootPackage.scripts.prestart).toBe(rootPackage.scripts.build);
    // --liftoff-only: the embedded databases' WebAssembly stays on V8's baseline compiler (docs/ARCHITECTURE.md).
    expect(rootPackage.scripts.start).toBe(runCompiled(`--liftoff-only ${EMBEDDED_ENTRY}`));
  });

  it('are exactly the ones deploy/entrypoint.sh accepts, and it execs node on the same main.js', () => {
    const entrypoint = readRepoFile('deploy/entrypoint.sh');
    const accepted = /^\s*([a-z|\s]+)\)\s*;;/m
      .exec(entrypoint)?.[1]
      .split('|')
      .map((name) => name.trim());
    expect(accepted?.sort()).toEqual(PROCESSES);
    expect(entrypoint).toMatch(/^exec node --enable-source-maps "services\/\$service\/dist\/main\.js"$/m);
  });
});

describe('npm run build', () => {
  const entries = [...PROCESSES.map(compiledEntry), EMBEDDED_ENTRY];

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'scripts/build.mjs')], { cwd: REPO_ROOT });
  });

  it.each(entries)('compiles %s from its main TypeScript file, with a source map back to it', (entry) => {
    const source = entry.replace('/dist/', '/src/').replace(/\.js$/, '.ts');
    expect(existsSync(path.join(REPO_ROOT, source))).toBe(true);
    expect(readRepoFile(entry)).toMatch(/\n\/\/# sourceMappingURL=main[\w-]*\.js\.map\n$/);
    const map = JSON.parse(readRepoFile(`${entry}.map`)) as { sources: string[] };
    const mapped = map.sources.map((file) => path.posix.join(path.posix.dirname(entry), file));
    expect(mapped).toContain(source);
    // The bundle holds our workspaces; npm packages stay outside it, loaded from node_modules.
    expect(mapped.filter((file) => file.includes('node_modules/'))).toEqual([]);
  });

  it.each(PROCESSES)(
    'leaves a %s bundle that plain node loads, reporting errors at their TypeScript lines',
    async (name) => {
      // A configuration error stops the process right after every module has loaded, before it connects anywhere.
      const run = promisify(execFile)(
        process.execPath,
        ['--enable-source-maps', path.join(REPO_ROOT, compiledEntry(name))],
        {
          cwd: os.tmpdir(),
          env: { PATH: process.env.PATH ?? '', PORT: 'not-a-port' },
        },
      );
      const failure = (await run.then(
        () => undefined,
        (err: { code: number; stderr: string }) => err,
      ))!;
      expect(failure.code).toBe(1);
      expect(failure.stderr).toContain('ConfigError: Invalid configuration: PORT');
      expect(failure.stderr).toContain(`services/${name}/src/main.ts:`);
    },
  );
});

describe('deploy/Dockerfile', () => {
  const stages = parseDockerfile(readRepoFile('deploy/Dockerfile'));
  const runtime = stages.at(-1) ?? [];
  const all = stages.flat();
  const last = (keyword: string) => runtime.filter((i) => i.keyword === keyword).at(-1);
  const contextCopies = all.filter((i) => i.keyword === 'COPY' && i.flags.from === undefined);
  const copiedSources = contextCopies.flatMap((i) => i.args.split(/\s+/).slice(0, -1));
  const stageNamed = (name: string) => stages.find((stage) => new RegExp(`\\sAS\\s+${name}$`, 'i').test(stage[0].args));
  const copiedFrom = (stage: string) =>
    runtime.filter((i) => i.keyword === 'COPY' && i.flags.from === stage).map((i) => i.args.split(/\s+/));
  const ignoreRules = dockerIgnoreRules(readRepoFile('.dockerignore'));
  const nodeMajor = readRepoFile('.nvmrc').trim();

  it(`builds in stages, every one on the same exactly pinned Node ${nodeMajor} (.nvmrc), and runs on its slim image`, () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    const images = stages.map((stage) => stage[0].args.split(/\s+/)[0]).filter((image) => image.startsWith('node:'));
    const versions = new Set(images.map((image) => /^node:(\d+\.\d+\.\d+)-/.exec(image)?.[1]));
    expect(versions.size).toBe(1);
    expect([...versions][0]).toMatch(new RegExp(`^${nodeMajor}\\.\\d+\\.\\d+$`));
    expect(runtime[0].args).toMatch(new RegExp(`^node:${nodeMajor}\\.\\d+\\.\\d+-[a-z]+-slim\\b`));
  });

  it('installs production dependencies for the runtime, with every workspace in place for npm ci', () => {
    const deps = stageNamed('deps');
    const install = deps?.find((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    expect(install?.args).toMatch(/npm ci --omit=dev\b/);
    for (const workspace of workspaceFolders(rootPackage.workspaces)) {
      expect(copiedSources).toContain(`${workspace}/package.json`);
    }
    expect(copiedSources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
    expect(copiedFrom('deps')).toEqual([['/app', './']]);
  });

  it("compiles every process's sources and migrations with npm run build in a stage of its own", () => {
    const build = stageNamed('build')!;
    expect(build).toBeDefined();
    expect(build.filter((i) => i.keyword === 'RUN').map((i) => i.args)).toEqual(
      expect.arrayContaining([expect.stringMatching(/\bnpm ci --no-audit\b/), 'npm run build']),
    );
    const buildCopies = build.filter((i) => i.keyword === 'COPY').flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(buildCopies).toEqual(expect.arrayContaining(['scripts/build.mjs', 'shared/src', 'tsconfig.json']));
    for (const name of PROCESSES) {
      expect(buildCopies).toContain(`services/${name}/src`);
      if (existsSync(path.join(REPO_ROOT, 'services', name, 'migrations'))) {
        expect(buildCopies).toContain(`services/${name}/migrations`);
      }
    }
  });

  it('puts only the compiled output of the build into the runtime image, no sources (the mail templates aside: data read at start)', () => {
    const built = copiedFrom('build').map(([source]) => source);
    expect(built.sort()).toEqual([...PROCESSES.map((name) => `/app/services/${name}/dist`), '/app/shared/dist'].sort());
    const runtimeContextCopies = runtime.filter((i) => i.keyword === 'COPY' && i.flags.from === undefined);
    expect(runtimeContextCopies.flatMap((i) => i.args.split(/\s+/).slice(0, -1))).toEqual([
      'services/notifications/templates',
      'deploy/entrypoint.sh',
      'deploy/healthcheck.js',
    ]);
  });

  it('runs as a numeric non-root user', () => {
    const user = last('USER')?.args.split(':')[0];
    expect(user).toMatch(/^\d+$/);
    expect(Number(user)).toBeGreaterThan(0);
  });

  it('copies only paths that exist and that .dockerignore lets into the build context', () => {
    for (const source of copiedSources) {
      expect(existsSync(path.join(REPO_ROOT, source))).toBe(true);
      expect(filesUnder(source).filter((file) => dockerIgnores(ignoreRules, file))).toEqual([]);
    }
  });

  it('keeps dependencies, local builds, git history, local data and .env out of the build context', () => {
    const kept = [
      'node_modules/x/index.js',
      'services/ordering/node_modules/x/index.js',
      'services/ordering/dist/main.js',
      '.git/HEAD',
      '.data/identity/PG_VERSION',
      '.env',
    ];
    for (const file of kept) {
      expect([file, dockerIgnores(ignoreRules, file)]).toEqual([file, true]);
    }
  });

  it('starts through tini and the entrypoint, checks health with node, and exposes both ports', () => {
    expect(last('ENTRYPOINT')?.args).toMatch(/^\["tini", "--", "\/app\/deploy\/entrypoint\.sh"\]$/);
    expect(copiedSources).toContain('deploy/entrypoint.sh');
    expect(last('HEALTHCHECK')?.args).toMatch(/CMD \["node", "\/app\/deploy\/healthcheck\.js"\]$/);
    expect(copiedSources).toContain('deploy/healthcheck.js');
    expect(last('EXPOSE')?.args.split(/\s+/).sort()).toEqual(['3000', '9464']);
    expect(last('WORKDIR')?.args).toBe('/app');
  });
});

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string | number | boolean | null>;
  healthcheck?: { test: string[] };
  restart?: string;
  container_name?: string;
  ports?: unknown[];
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  command?: string[];
}

describe('deploy/docker-compose.yml', () => {
  const [compose] = loadYamlDocuments('deploy/docker-compose.yml') as [
    { services: Record<string, ComposeService>; volumes: Record<string, unknown> },
  ];
  const services = compose.services;
  const environmentOf = (name: string) =>
    Object.fromEntries(
      Object.entries(services[name].environment ?? {}).map(([key, value]) => [key, String(value ?? '')]),
    );

  it('runs postgres, nats, a mail catcher and every TicketPro process', () => {
    expect(Object.keys(services).sort()).toEqual(['mailpit', 'nats', 'postgres', ...PROCESSES].sort());
  });

  it("sends notifications' mail to Mailpit over SMTP, whose web interface alone is published", () => {
    const environment = environmentOf('notifications');
    expect(environment.MAIL_PROVIDER).toBe('smtp');
    expect(new URL(environment.SMTP_URL).host).toBe('mailpit:1025');
    expect(services.notifications.depends_on).toMatchObject({ mailpit: { condition: 'service_healthy' } });
    expect(services.mailpit.ports).toEqual(['8025:8025']);
  });

  it.each(Object.keys(services))('%s has a health check and restarts unless stopped', (name) => {
    expect(services[name].healthcheck?.test.length).toBeGreaterThan(1);
    expect(services[name].restart).toBe('unless-stopped');
  });

  it.each(PROCESSES)('%s is built from the repository with deploy/Dockerfile and runs as itself', (name) => {
    const { build } = services[name];
    expect(path.resolve(REPO_ROOT, 'deploy', build!.context)).toBe(REPO_ROOT);
    expect(build!.dockerfile).toBe('deploy/Dockerfile');
    expect(environmentOf(name).SERVICE).toBe(name);
    expect(services[name].depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
      nats: { condition: 'service_healthy' },
    });
  });

  it('leaves the services free to scale: no container_name, no host ports', () => {
    for (const name of PROCESSES) expect([name, services[name].container_name]).toEqual([name, undefined]);
    for (const name of SERVICES) expect([name, services[name].ports]).toEqual([name, undefined]);
    expect(services.gateway.ports).toEqual(['3000:3000']);
  });

  it('sets only configuration keys (or SERVICE/NODE_OPTIONS), with values the configuration accepts', () => {
    for (const name of PROCESSES) {
      const environment = environmentOf(name);
      expect([name, unknownVariables(Object.keys(environment))]).toEqual([name, []]);
      expect(() => loadConfig(environment)).not.toThrow();
    }
  });

  it('points the services at the compose postgres and nats, with the ops port their health check asks', () => {
    for (const name of SERVICES) {
      const environment = environmentOf(name);
      expect(new URL(environment.DATABASE_URL).hostname).toBe('postgres');
      expect(new URL(environment.NATS_URL).hostname).toBe('nats');
      expect(environment.OPS_PORT).toBe('9464');
    }
    expect(new URL(environmentOf('gateway').NATS_URL).hostname).toBe('nats');
    // The gateway's metrics go to its ops port, which is not published; the API port has none.
    expect(environmentOf('gateway').OPS_PORT).toBe('9464');
    expect(environmentOf('gateway').METRICS_ON_API_PORT).toBeUndefined();
  });

  it("gives an example admin whose password identity's rules accept, so identity starts", () => {
    const { ADMIN_EMAIL, ADMIN_PASSWORD } = environmentOf('identity');
    expect(ADMIN_EMAIL).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
    expect(passwordProblems(ADMIN_PASSWORD)).toEqual([]);
  });

  it('creates, in the postgres init script, the role and database DATABASE_URL uses', () => {
    const url = new URL(environmentOf('ordering').DATABASE_URL);
    const init = readRepoFile('deploy/postgres/init.sql');
    const database = url.pathname.slice(1);
    expect(init).toContain(`CREATE ROLE ${url.username} LOGIN PASSWORD '${url.password}';`);
    expect(init).toContain(`CREATE DATABASE ${database} OWNER ${url.username};`);
    expect(services.postgres.volumes).toContain('./postgres/init.sql:/docker-entrypoint-initdb.d/10-ticketpro.sql:ro');
    expect(services.postgres.healthcheck?.test).toEqual(expect.arrayContaining(['pg_isready', database]));
  });

  it('runs NATS 2.10 or newer with deploy/nats/nats.conf and JetStream on a named volume', () => {
    const nats = services.nats;
    expect(natsVersionAtLeast210(nats.image!)).toBe(true);
    const mounts = (nats.volumes ?? []).map((volume) => volume.split(':'));
    const config = mounts.find(([source]) => source === './nats/nats.conf');
    expect(config).toBeDefined();
    expect(nats.command).toEqual(expect.arrayContaining(['--config', config![1]]));
    const storeDir = jetStreamSetting('store_dir');
    const dataMount = mounts.find(
      ([source, target]) => source in compose.volumes && storeDir?.startsWith(`${target}/`),
    );
    expect(dataMount).toBeDefined();
  });

  it('runs NATS on one Go processor, as measured for its CPU per message', () => {
    expect(environmentOf('nats').GOMAXPROCS).toBe('1');
  });
});

function natsVersionAtLeast210(image: string): boolean {
  const match = /:(\d+)\.(\d+)/.exec(image);
  return match !== null && (Number(match[1]) > 2 || (Number(match[1]) === 2 && Number(match[2]) >= 10));
}

/** A setting of the `jetstream { … }` block of deploy/nats/nats.conf. */
function jetStreamSetting(name: string): string | undefined {
  const block = /^jetstream\s*\{([^}]*)\}/m.exec(readRepoFile('deploy/nats/nats.conf'))?.[1] ?? '';
  const line = block.split('\n').find((l) => l.trim().startsWith(`${name}:`));
  return line?.split(':').slice(1).join(':').trim();
}

describe('NATS configuration', () => {
  it('enables JetStream with a store directory and a deliberate sync_interval', () => {
    expect(jetStreamSetting('store_dir')).toMatch(/^\/\S+$/);
    expect(jetStreamSetting('sync_interval')).toBe('always');
  });

  it('makes the same fsync and GOMAXPROCS choices in the Helm values, with JetStream on a PVC and NATS 2.10+', () => {
    const [values] = loadYamlDocuments('deploy/k8s/nats-values.yaml') as [
      {
        config: {
          jetstream: {
            enabled: boolean;
            fileStore: { enabled: boolean; pvc: { enabled: boolean } };
            merge: { sync_interval: string };
          };
        };
        container: { image: { tag: string }; env: Record<string, string> };
      },
    ];
    const { jetstream } = values.config;
    expect(jetstream.enabled).toBe(true);
    expect(jetstream.fileStore.enabled).toBe(true);
    expect(jetstream.fileStore.pvc.enabled).toBe(true);
    expect(jetstream.merge.sync_interval).toBe(jetStreamSetting('sync_interval'));
    expect(natsVersionAtLeast210(`nats:${values.container.image.tag}`)).toBe(true);
    expect(values.container.env.GOMAXPROCS).toBe('1');
  });
});

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef };
}
interface KeyRef {
  name: string;
  key: string;
  optional?: boolean;
}
interface Probe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string; optional?: boolean } }[];
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes?: { name: string; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    replicas?: number;
    selector?: Record<string, string> | { matchLabels: Record<string, string> };
    template?: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
    ports?: { name?: string; port: number; targetPort: string | number }[];
    scaleTargetRef?: { apiVersion: string; kind: string; name: string };
    rules?: {
      http: {
        paths: { path: string; backend: { service: { name: string; port: { name?: string; number?: number } } } }[];
      };
    }[];
  };
}

describe('deploy/k8s', () => {
  const k8sFiles = readdirSync(path.join(REPO_ROOT, 'deploy/k8s')).filter((file) => file.endsWith('.yaml'));
  const [kustomization] = loadYamlDocuments('deploy/k8s/kustomization.yaml') as [
    { namespace: string; resources: string[]; images: { name: string; newName: string; newTag: string }[] },
  ];
  const applied = kustomization.resources.flatMap((file) => loadYamlDocuments(`deploy/k8s/${file}`) as Manifest[]);
  const secrets = (loadYamlDocuments('deploy/k8s/secret.yaml') as Manifest[]).filter((m) => m.kind === 'Secret');
  const manifests = [...applied, ...secrets];
  const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);
  const deployments = ofKind('Deployment');
  const deployment = (name: string) => deployments.find((d) => d.metadata.name === name)!;
  const containerOf = (d: Manifest) => d.spec!.template!.spec.containers[0];
  const configMaps = ofKind('ConfigMap');
  const sharedConfig = configMaps.find((c) => c.metadata.name === 'ticketpro-config')!;
  const podLabels = deployments.map((d) => d.spec!.template!.metadata.labels);
  const selectsPods = (selector: Record<string, string>) =>
    podLabels.some((labels) => Object.entries(selector).every(([key, value]) => labels[key] === value));
  const plainEnvironment = (c: Container) =>
    Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
  /** A container port by the name or number a probe, Service or annotation gives. */
  const containerPort = (c: Container, port: string | number) =>
    c.ports?.find((p) => p.name === port || p.containerPort === Number(port))?.containerPort;

  it('applies, through kustomization.yaml, every manifest but the Secret template and the Helm values', () => {
    expect([...kustomization.resources].sort()).toEqual(
      k8sFiles.filter((file) => !['kustomization.yaml', 'secret.yaml', 'nats-values.yaml'].includes(file)).sort(),
    );
    expect(kustomization.images.map((image) => image.name)).toEqual(['ticketpro']);
  });

  it('keeps everything in the ticketpro namespace', () => {
    expect(ofKind('Namespace').map((n) => n.metadata.name)).toEqual([kustomization.namespace]);
    for (const m of manifests.filter((m) => m.kind !== 'Namespace')) {
      expect([m.kind, m.metadata.name, m.metadata.namespace]).toEqual([
        m.kind,
        m.metadata.name,
        kustomization.namespace,
      ]);
    }
  });

  it('has one Deployment and one Service per process, each Deployment running its own process', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(PROCESSES);
    expect(
      ofKind('Service')
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual(PROCESSES);
    for (const name of PROCESSES) {
      const containers = deployment(name).spec!.template!.spec.containers;
      expect(containers).toHaveLength(1);
      expect(plainEnvironment(containers[0]).SERVICE).toBe(name);
      expect(containers[0].image).toBe(kustomization.images[0].name);
      const { matchLabels } = deployment(name).spec!.selector as { matchLabels: Record<string, string> };
      expect(deployment(name).spec!.template!.metadata.labels).toMatchObject(matchLabels);
    }
  });

  it('sets only configuration keys (or SERVICE/NODE_OPTIONS), in the ConfigMap, Secrets taken whole, and Deployments', () => {
    const names = new Set<string>(Object.keys(sharedConfig.data ?? {}));
    for (const d of deployments) {
      const c = containerOf(d);
      for (const e of c.env ?? []) names.add(e.name);
      for (const source of c.envFrom ?? []) {
        const secret = secrets.find((s) => s.metadata.name === source.secretRef?.name);
        for (const key of Object.keys(secret?.stringData ?? {})) names.add(key);
      }
    }
    expect(unknownVariables(names)).toEqual([]);
  });

  it("gives every Deployment settings the configuration accepts, with the contract's drain time", () => {
    expect(sharedConfig.data?.SHUTDOWN_DRAIN_MS).toBe('5000');
    for (const d of deployments) {
      expect(() => loadConfig({ ...sharedConfig.data, ...plainEnvironment(containerOf(d)) })).not.toThrow();
    }
  });

  it('caps connections per client at the ingress, where the gateway behind it sees only the proxy', () => {
    expect(sharedConfig.data?.TRUST_PROXY).toBe('true');
    expect(sharedConfig.data?.HTTP_MAX_CONNECTIONS_PER_ADDRESS).toBe('0');
    const [ingress] = ofKind('Ingress');
    expect(Number(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/limit-connections'])).toBeGreaterThan(0);
  });

  it('refers only to ConfigMaps, Secrets and keys that exist', () => {
    const keysOf = (kind: string, name: string) => {
      const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
      return found ? Object.keys(found.data ?? found.stringData ?? {}) : undefined;
    };
    for (const d of deployments) {
      const c = containerOf(d);
      for (const e of c.env ?? []) {
        const secretRef = e.valueFrom?.secretKeyRef;
        if (secretRef)
          expect([e.name, keysOf('Secret', secretRef.name)]).toEqual([e.name, expect.arrayContaining([secretRef.key])]);
        const configRef = e.valueFrom?.configMapKeyRef;
        if (configRef)
          expect([e.name, keysOf('ConfigMap', configRef.name)]).toEqual([
            e.name,
            expect.arrayContaining([configRef.key]),
          ]);
      }
      for (const source of c.envFrom ?? []) {
        if (source.configMapRef) expect(keysOf('ConfigMap', source.configMapRef.name)).toBeDefined();
        if (source.secretRef) expect(keysOf('Secret', source.secretRef.name)).toBeDefined();
      }
      for (const volume of d.spec!.template!.spec.volumes ?? []) {
        if (!volume.secret) continue;
        const keys = keysOf('Secret', volume.secret.secretName);
        expect(keys).toEqual(expect.arrayContaining((volume.secret.items ?? []).map((item) => item.key)));
      }
    }
  });

  it('mounts every file a *_FILE variable names', () => {
    for (const d of deployments) {
      const { volumes = [] } = d.spec!.template!.spec;
      const c = containerOf(d);
      for (const [name, file] of Object.entries(plainEnvironment(c)).filter(([key]) => key.endsWith('_FILE'))) {
        const mount = c.volumeMounts?.find((m) => path.posix.dirname(file) === m.mountPath);
        const items = volumes.find((v) => v.name === mount?.name)?.secret?.items ?? [];
        expect([d.metadata.name, name, items.map((item) => item.path)]).toEqual([
          d.metadata.name,
          name,
          expect.arrayContaining([path.posix.basename(file)]),
        ]);
      }
    }
  });

  it.each(PROCESSES)(
    "%s has startup, readiness and liveness probes on the contract's endpoints and its own port",
    (name) => {
      const c = containerOf(deployment(name));
      const ownPort = name === 'gateway' ? Number(plainEnvironment(c).PORT) : Number(plainEnvironment(c).OPS_PORT);
      const opsPort = Number(plainEnvironment(c).OPS_PORT);
      expect([ownPort, opsPort]).toEqual([name === 'gateway' ? 3000 : 9464, 9464]);
      for (const [probe, endpoint] of [
        [c.startupProbe, LIVE],
        [c.readinessProbe, READY],
        [c.livenessProbe, LIVE],
      ] as const) {
        expect(probe?.httpGet.path).toBe(endpoint);
        expect(containerPort(c, probe!.httpGet.port)).toBe(ownPort);
      }
      const annotations = deployment(name).spec!.template!.metadata.annotations ?? {};
      expect(annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/metrics' });
      // Metrics on the ops port, for the gateway too: never on the API port.
      expect(Number(annotations['prometheus.io/port'])).toBe(opsPort);
      expect(containerPort(c, opsPort)).toBe(opsPort);
      expect(plainEnvironment(c).METRICS_ON_API_PORT).toBeUndefined();
    },
  );

  it.each(PROCESSES)('%s has resource requests and limits, runs as non-root, and has time to shut down', (name) => {
    const spec = deployment(name).spec!.template!.spec;
    const { resources } = spec.containers[0];
    expect(resources?.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(resources?.limits?.memory).toEqual(expect.any(String));
    expect(spec.securityContext?.runAsNonRoot).toBe(true);
    expect(spec.securityContext?.runAsUser).toBeGreaterThan(0);
    const drainSeconds = Number(sharedConfig.data?.SHUTDOWN_DRAIN_MS) / 1000;
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(drainSeconds + BROKER_STOP_SECONDS);
  });

  it('has Services that select existing pods on ports those pods open; the gateway on port 80', () => {
    for (const service of ofKind('Service')) {
      const selector = service.spec!.selector as Record<string, string>;
      expect([service.metadata.name, selectsPods(selector)]).toEqual([service.metadata.name, true]);
      const c = containerOf(deployment(service.metadata.name));
      for (const port of service.spec!.ports ?? []) expect(containerPort(c, port.targetPort)).toBeDefined();
    }
    const gateway = ofKind('Service').find((s) => s.metadata.name === 'gateway')!;
    expect(
      gateway.spec!.ports?.map((p) => [p.port, containerPort(containerOf(deployment('gateway')), p.targetPort)]),
    ).toEqual([[80, 3000]]);
  });

  it('autoscales the gateway and ordering, leaving their replica count to the autoscaler', () => {
    const autoscalers = ofKind('HorizontalPodAutoscaler');
    expect(autoscalers.map((h) => h.apiVersion)).toEqual(autoscalers.map(() => 'autoscaling/v2'));
    const targets = autoscalers.map((h) => h.spec!.scaleTargetRef!);
    expect(targets.map((t) => t.name).sort()).toEqual(['gateway', 'ordering']);
    for (const target of targets) {
      expect(target.kind).toBe('Deployment');
      expect(deployment(target.name)).toBeDefined();
      expect(deployment(target.name).spec!.replicas).toBeUndefined();
    }
    for (const name of SERVICES.filter((s) => !targets.some((t) => t.name === s))) {
      expect(deployment(name).spec!.replicas).toBeGreaterThanOrEqual(2);
    }
  });

  it('has disruption budgets that select existing pods', () => {
    const budgets = ofKind('PodDisruptionBudget');
    expect(budgets.length).toBeGreaterThan(0);
    for (const budget of budgets) {
      const { matchLabels } = budget.spec!.selector as { matchLabels: Record<string, string> };
      expect([budget.metadata.name, selectsPods(matchLabels)]).toEqual([budget.metadata.name, true]);
    }
  });

  it('exposes the gateway, and only the API, through the Ingress', () => {
    const [ingress] = ofKind('Ingress');
    const paths = ingress.spec!.rules!.flatMap((rule) => rule.http.paths);
    expect(paths.map((p) => p.path)).toEqual(['/api']);
    for (const { backend } of paths) {
      const service = ofKind('Service').find((s) => s.metadata.name === backend.service.name);
      expect(
        service?.spec!.ports?.some(
          (p) => p.name === backend.service.port.name || p.port === backend.service.port.number,
        ),
      ).toBe(true);
    }
  });

  it('ships only obvious placeholders in the Secret template, none of which could start identity', () => {
    const values = secrets.flatMap((secret) => Object.values(secret.stringData ?? {}));
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(value).toContain('REPLACE-ME');
    const admin = secrets.find((s) => s.metadata.name === 'ticketpro-admin')?.stringData;
    expect(passwordProblems(admin!.ADMIN_PASSWORD)).not.toEqual([]);
  });
});
