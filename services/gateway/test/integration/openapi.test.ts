import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CONTRACTS, createAjv } from '@ticketpro/shared';
import { operationIdOf } from '../../src/routes/service-route';
import { healthOnly, IdentityStandIn, SAMPLE_REGISTRATION, startGateway, type Gateway } from '../support/gateway';

const ROOT = path.resolve(__dirname, '../../../..');
const REDOCLY = path.join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Routes that forward to no action, so name their operations themselves. */
const OWN_OPERATION_IDS = ['welcome', 'health', 'liveness', 'readiness', 'metrics'];

/** A media type whose examples would be bytes, not text: described, not exemplified. */
const BINARY_MEDIA_TYPES = ['image/png', 'application/pdf'];

interface Media {
  schema: object;
  example?: unknown;
}
interface Operation {
  operationId?: string;
  description?: string;
  tags: string[];
  parameters?: { name: string; in: string; required: boolean; schema: object; example?: unknown }[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
}

const execFileAsync = promisify(execFile);

describe('gateway: the OpenAPI document', () => {
  let gw: Gateway;
  let doc: any;
  let operations: { where: string; op: Operation }[];

  beforeAll(async () => {
    // With metrics on the API port, so /metrics is documented and checked too.
    gw = await startGateway(
      [new IdentityStandIn().schema(), healthOnly('catalog'), healthOnly('ordering'), healthOnly('ticketing')],
      { METRICS_ON_API_PORT: true },
    );
    // Over HTTP, as clients fetch it (jest cannot load the ESM-only `cookie` that `app.inject` needs).
    const res = await gw.api('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body;
    operations = Object.entries(doc.paths).flatMap(([url, item]) =>
      Object.entries(item as Record<string, Operation>)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, op]) => ({ where: `${method.toUpperCase()} ${url}`, op })),
    );
  });
  afterAll(() => gw.close());

  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'openapi-lint-'));
    try {
      await writeFile(path.join(dir, 'openapi.json'), JSON.stringify(doc));
      // The project's configuration and its list of accepted problems, as a developer runs it.
      for (const file of ['redocly.yaml', '.redocly.lint-ignore.yaml']) {
        await copyFile(path.join(ROOT, file), path.join(dir, file));
      }
      const { stdout } = await execFileAsync(process.execPath, [REDOCLY, 'lint', 'openapi.json', '--format=json'], {
        cwd: dir,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      }).catch((err: { stdout: string }) => err);
      const report = JSON.parse(stdout);
      const problems = report.problems.map(
        (p: { ruleId: string; message: string; location: { pointer: string }[] }) =>
          `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`,
      );
      expect(problems).toEqual([]);
      expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 5 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("names its license, as the project's package.json does, and the server that serves it", async () => {
    const { license } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
    expect(doc.info.license).toEqual({ name: license, identifier: license });
    expect(doc.servers).toEqual([{ url: '/', description: expect.any(String) }]);
  });

  it('names each operation after its contract action, or explicitly where it has none', () => {
    const actionIds = Object.entries(CONTRACTS).flatMap(([service, contract]) =>
      Object.keys(contract.actions).map((local) => operationIdOf(`${service}.${local}` as never)),
    );
    for (const { where, op } of operations) {
      const allowed = op.tags[0] === 'operations' ? OWN_OPERATION_IDS : actionIds;
      expect([where, allowed.includes(op.operationId as string)]).toEqual([where, true]);
    }
    expect(doc.paths['/api/v1/orders/{id}/refund'].post.operationId).toBe('orderingOrdersRefund');
    expect(doc.paths['/health/live'].get.operationId).toBe('liveness');
  });

  it('describes every operation beyond its summary', () => {
    const undescribed = operations.filter(({ op }) => !op.description?.trim()).map(({ where }) => where);
    expect(undescribed).toEqual([]);
  });

  it('shows an example of every request body, path parameter, required header and response body', () => {
    const missing: string[] = [];
    for (const { where, op } of operations) {
      for (const p of op.parameters ?? []) {
        if ((p.in === 'path' || p.required) && p.example === undefined) missing.push(`${where}: ${p.in} ${p.name}`);
      }
      const media = [
        ...Object.entries(op.requestBody?.content ?? {}).map(([type, m]) => [`request ${type}`, m] as const),
        ...Object.entries(op.responses).flatMap(([status, r]) =>
          Object.entries(r.content ?? {}).map(([type, m]) => [`${status} ${type}`, m] as const),
        ),
      ];
      for (const [what, m] of media) {
        if (m.example === undefined && !BINARY_MEDIA_TYPES.some((t) => what.endsWith(t)))
          missing.push(`${where}: ${what}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('shows only examples that its own schemas accept, checked as the gateway validates', () => {
    // The document as one schema, so that `#/components/schemas/...` resolves within it.
    const ajv = createAjv({ coerce: false });
    ajv.addSchema({ ...doc, $id: 'openapi.json' });
    const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
    const invalid: string[] = [];
    // Most places hold one of a few schemas (the problem `$ref` on every route): each distinct
    // one is compiled once. Every `$ref` in the document points from its root, so two places
    // with the same schema text validate alike.
    const validators = new Map<string, NonNullable<ReturnType<typeof ajv.getSchema>>>();
    const check = (where: string, at: string, example: unknown) => {
      const schema = at
        .split('/')
        .reduce<any>((node, part) => node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
      if (schema === undefined) throw new Error(`No schema at ${at}`);
      const text = JSON.stringify(schema);
      let validate = validators.get(text);
      if (!validate) {
        validate = ajv.getSchema(`openapi.json#/${at}`);
        if (!validate) throw new Error(`No schema at ${at}`);
        validators.set(text, validate);
      }
      if (!validate(example)) invalid.push(`${where} ${at}: ${ajv.errorsText(validate.errors)}`);
    };
    let checked = 0;
    for (const [url, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${url}`;
        const base = pointer('paths', url, method);
        (op.parameters ?? []).forEach((p, i) => {
          if (p.example === undefined) return;
          check(where, `${base}/parameters/${i}/schema`, p.example);
          checked++;
        });
        for (const [type, m] of Object.entries(op.requestBody?.content ?? {})) {
          if (m.example === undefined) continue;
          check(where, `${base}/requestBody/content/${pointer(type)}/schema`, m.example);
          checked++;
        }
        for (const [status, r] of Object.entries(op.responses)) {
          for (const [type, m] of Object.entries(r.content ?? {})) {
            if (m.example === undefined) continue;
            check(where, `${base}/responses/${status}/content/${pointer(type)}/schema`, m.example);
            checked++;
          }
        }
      }
    }
    expect(invalid).toEqual([]);
    expect(checked).toBeGreaterThan(operations.length * 3);
  });

  it('publishes no keyword of the validator that JSON Schema lacks, while validation still uses it', async () => {
    expect(JSON.stringify(doc)).not.toContain('"errorMessage"');
    // `Text` fields give their own message for a blank value through `errorMessage`.
    const res = await gw.api('POST', '/api/v1/auth/register', { body: { ...SAMPLE_REGISTRATION, firstname: '  ' } });
    expect(res.status).toBe(422);
    expect(res.body.errors).toContainEqual({ field: 'firstname', message: expect.stringMatching(/not blank/) });
  });
});
