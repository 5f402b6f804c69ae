import MailComposer from 'nodemailer/lib/mail-composer';
import type MimeNode from 'nodemailer/lib/mime-node';
import * as base64 from 'nodemailer/lib/base64';
import * as qp from 'nodemailer/lib/qp';
import type { OutgoingMail } from './provider';
import { toNodemailerMessage } from './nodemailer-message';

/** The line length nodemailer's encoders wrap at. */
const LINE_LENGTH = 76;

/**
 * Our message as nodemailer composes it (SMTP's bytes, an `.eml` file): nodemailer builds the
 * MIME tree and every header, and the tree is written out here in one synchronous pass with
 * nodemailer's own encoders. Its `build()` streams the same bytes through a pipeline of streams
 * per part with a turn of the event loop between parts: about 0.65 ms of CPU for a confirmation
 * against 0.25 ms here (docs/PERFORMANCE.md, issue 14 sixth pass). Our parts are strings and
 * Buffers, never streams, files or URLs; a test holds the bytes equal to `build()`'s.
 */
export function mimeMessage(mail: OutgoingMail): Buffer {
  return writeMimeTree(new MailComposer(toNodemailerMessage(mail)).compile());
}

/** A compiled tree's message, byte for byte what its `build()` gives. */
export function writeMimeTree(root: MimeNode): Buffer {
  const message = writeNode(root);
  // As build() ends it: with a line break, whatever the last part ended with.
  const ending = message.endsWith('\n') ? '' : message.endsWith('\r') ? '\n' : '\r\n';
  return Buffer.from(message + ending);
}

/** A node and everything under it; all of it is ASCII once encoded (headers included). */
function writeNode(node: MimeNode): string {
  // Built first: the headers decide the transfer encoding, the multipart type and the boundary.
  const headers = node.buildHeaders();
  if (!node.multipart) return `${headers}\r\n\r\n${encodedContent(node)}`;
  const parts = node.childNodes.map((child) => `--${node.boundary}\r\n${writeNode(child)}`);
  return `${headers}\r\n\r\n${parts.join('\r\n')}\r\n--${node.boundary}--\r\n`;
}

function encodedContent(node: MimeNode): string {
  const { content } = node;
  if (content === undefined) return '';
  if (typeof content !== 'string' && !Buffer.isBuffer(content)) {
    throw new Error('a message part must be a string or a Buffer');
  }
  // buildHeaders() has just set it from getTransferEncoding(), whose choice for a text part scans
  // the whole body again when it is 7bit.
  switch (node.getHeader('Content-Transfer-Encoding')) {
    case 'quoted-printable':
      return qp.wrap(qp.encode(content), LINE_LENGTH);
    case 'base64':
      return base64.wrap(base64.encode(content), LINE_LENGTH);
    default:
      // 7bit: plain ASCII in lines short enough, passed as it is.
      return content.toString();
  }
}
