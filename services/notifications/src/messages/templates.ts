import { readFileSync } from 'node:fs';
import path from 'node:path';
import Mustache from 'mustache';
import { NOTIFICATION_KINDS, type NotificationKind } from '@ticketpro/shared';

type Format = 'html' | 'txt';

/** Every template of one format: the layout, the shared partials and each kind's body. */
interface TemplateSet {
  layout: string;
  partials: Record<string, string>;
  bodies: Record<NotificationKind, string>;
}

/** The rendered parts of one message. */
export interface RenderedMessage {
  html: string;
  text: string;
}

/**
 * The template files live beside the package's sources (services/notifications/templates), found
 * through the package, so that the same path holds for the sources, a service's own bundle and
 * the embedded one (whose file is the gateway's).
 */
function templatesDirectory(): string {
  return path.join(path.dirname(require.resolve('@ticketpro/notifications/package.json')), 'templates');
}

function readSet(directory: string, format: Format): TemplateSet {
  const read = (name: string) => readFileSync(path.join(directory, `${name}.${format}`), 'utf8');
  return {
    layout: read('layout'),
    partials: { event: read('event.partial'), items: read('items.partial'), tickets: read('tickets.partial') },
    bodies: Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, read(kind)])) as Record<
      NotificationKind,
      string
    >,
  };
}

/** Plain text takes values as they are; HTML escapes every one (Mustache's default `{{ }}`). */
const AS_IS = { escape: (value: unknown) => String(value) };

/**
 * The message templates, read once at start (a missing file fails the start, not a send). Each
 * kind's body is rendered inside the one layout, as HTML and as plain text, from the same view.
 * No template uses triple braces: every value, user-supplied or not, is escaped in the HTML.
 */
export class MessageTemplates {
  private readonly html: TemplateSet;
  private readonly text: TemplateSet;

  constructor(directory = templatesDirectory()) {
    this.html = readSet(directory, 'html');
    this.text = readSet(directory, 'txt');
  }

  render(kind: NotificationKind, view: object): RenderedMessage {
    const html = Mustache.render(this.html.layout, view, { ...this.html.partials, body: this.html.bodies[kind] });
    const text = Mustache.render(
      this.text.layout,
      view,
      { ...this.text.partials, body: this.text.bodies[kind] },
      AS_IS,
    );
    return { html, text: text.replace(/\n{3,}/g, '\n\n') };
  }
}
