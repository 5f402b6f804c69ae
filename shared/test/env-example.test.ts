import { readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { ConfigSchema, loadConfig } from '@ticketpro/shared';

/** `.env.example` must list exactly the variables `loadConfig` reads, so the two cannot drift. */
const text = readFileSync(path.resolve(__dirname, '../../.env.example'), 'utf8');
const lines = text.split(/\r?\n/);
const KEY_LINE = /^(#\s*)?([A-Z][A-Z0-9_]*)=/;

const keyLines = lines.flatMap((line, index) => {
  const match = KEY_LINE.exec(line);
  return match ? [{ key: match[2], commented: match[1] !== undefined, index }] : [];
});
const properties = ConfigSchema.properties as Record<string, { default?: unknown }>;

describe('.env.example', () => {
  it("lists exactly ConfigSchema's keys, each once", () => {
    const keys = keyLines.map((l) => l.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(Object.keys(properties).sort());
  });

  it('comments out exactly the keys without a default', () => {
    const commented = keyLines.filter((l) => l.commented).map((l) => l.key);
    const withoutDefault = Object.keys(properties).filter((key) => properties[key].default === undefined);
    expect(commented.sort()).toEqual(withoutDefault.sort());
  });

  it('gives each key its default, so copying it to .env changes nothing', () => {
    expect(loadConfig(dotenv.parse(text))).toEqual(loadConfig({}));
  });

  it('explains each key in a comment line just above it', () => {
    const unexplained = keyLines.filter(({ index }) => {
      const above = lines[index - 1] ?? '';
      return !above.startsWith('# ') || KEY_LINE.test(above);
    });
    expect(unexplained.map((l) => l.key)).toEqual([]);
  });
});
