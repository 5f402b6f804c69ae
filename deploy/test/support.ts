import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigSchema } from '@ticketpro/shared';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export function readRepoFile(relative: string): string {
  return readFileSync(path.join(REPO_ROOT, relative), 'utf8');
}

/** Every file under `relative` (a directory of the repository), as repository-relative paths. */
export function filesUnder(relative: string): string[] {
  const absolute = path.join(REPO_ROOT, relative);
  if (!statSync(absolute).isDirectory()) return [relative];
  return readdirSync(absolute)
    .filter((entry) => entry !== 'node_modules')
    .flatMap((entry) => filesUnder(path.posix.join(relative, entry)));
}

/**
 * Every document of a YAML file as plain data, with merge keys (`<<: *anchor`) resolved as
 * docker compose resolves them. A syntax error in any document throws, naming the file.
 */
export function loadYamlDocuments(relative: string): unknown[] {
  const documents = parseAllDocuments(readRepoFile(relative), { merge: true });
  const problems = documents.flatMap((document) => document.errors.map((error) => error.message));
  if (problems.length > 0) throw new Error(`${relative} does not parse: ${problems.join('; ')}`);
  return documents.map((document) => document.toJS() as unknown).filter((data) => data != null);
}

/** The TicketPro processes: every `services/<name>` with a `src/main.ts`. */
export const PROCESSES = readdirSync(path.join(REPO_ROOT, 'services'))
  .filter((name) => existsSync(path.join(REPO_ROOT, 'services', name, 'src/main.ts')))
  .sort();

/**
 * What a registered service lacks of its folder (`services/<name>/`): a package named
 * `@ticketpro/<name>` whose entry is `src/index.ts`, a `src/main.ts` for its own process, and the
 * gateway's dependency on it (the embedded process imports it). One message per missing piece.
 */
export function missingServiceParts(name: string): string[] {
  const folder = `services/${name}`;
  const readPackage = (file: string) =>
    existsSync(path.join(REPO_ROOT, file))
      ? (JSON.parse(readRepoFile(file)) as { name?: string; main?: string; dependencies?: Record<string, string> })
      : undefined;
  const servicePackage = readPackage(`${folder}/package.json`);
  const problems: string[] = [];
  if (servicePackage?.name !== `@ticketpro/${name}`)
    problems.push(`${folder}/package.json does not name the package @ticketpro/${name}`);
  if (servicePackage?.main !== 'src/index.ts') problems.push(`${folder}/package.json's main is not src/index.ts`);
  for (const file of ['src/index.ts', 'src/main.ts']) {
    if (!existsSync(path.join(REPO_ROOT, folder, file))) problems.push(`${folder}/${file} is missing`);
  }
  if (!readPackage('services/gateway/package.json')?.dependencies?.[`@ticketpro/${name}`])
    problems.push(`services/gateway/package.json does not depend on @ticketpro/${name}`);
  return problems;
}

/** The folders the root package.json's workspaces name, their globs (`services/*`) expanded as npm does. */
export function workspaceFolders(patterns: string[]): string[] {
  return patterns.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(path.join(REPO_ROOT, parent))
      .filter((entry) => existsSync(path.join(REPO_ROOT, parent, entry, 'package.json')))
      .map((entry) => `${parent}/${entry}`);
  });
}

/** Variables the deployment may set besides ConfigSchema's: read by the entrypoint and health check, and by node. */
const DEPLOYMENT_VARIABLES = ['SERVICE', 'NODE_OPTIONS'];

/** Names that are neither a configuration key nor one of the deployment's own variables. */
export function unknownVariables(names: Iterable<string>): string[] {
  const known = new Set([...Object.keys(ConfigSchema.properties), ...DEPLOYMENT_VARIABLES]);
  return [...names].filter((name) => !known.has(name));
}

export interface DockerInstruction {
  keyword: string;
  /** `--name=value` options such as COPY's `--from` or RUN's `--mount`. */
  flags: Record<string, string>;
  args: string;
}

/** A Dockerfile's instructions, grouped by build stage (each starting at its FROM). */
export function parseDockerfile(text: string): DockerInstruction[][] {
  const logicalLines = text
    .split(/\r?\n/)
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const stages: DockerInstruction[][] = [];
  for (const line of logicalLines) {
    const [keyword, ...rest] = line.split(/\s+/);
    const flags: Record<string, string> = {};
    while (rest[0]?.startsWith('--')) {
      const [name, value = ''] = rest.shift()!.slice(2).split(/=(.*)/s);
      flags[name] = value;
    }
    const instruction = { keyword: keyword.toUpperCase(), flags, args: rest.join(' ') };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

/**
 * Whether `.dockerignore`'s rules keep `file` out of the build context: the last rule matching
 * the file or one of its parent directories decides, and `!` rules put paths back.
 */
export function dockerIgnores(rules: string[], file: string): boolean {
  const prefixes = file.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    const negated = rule.startsWith('!');
    const pattern = globToRegExp(negated ? rule.slice(1) : rule);
    if (prefixes.some((prefix) => pattern.test(prefix))) ignored = !negated;
  }
  return ignored;
}

export function dockerIgnoreRules(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .map((line) => line.replace(/^(!?)\/+/, '$1'));
}

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i];
    if (glob.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
