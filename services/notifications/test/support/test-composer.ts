import type { Composer } from '../../src/messages/compose';
import { MessageTemplates } from '../../src/messages/templates';
import { formatting } from '../../src/messages/formatting';

/** The composer the dispatcher tests send with: the real templates, Harare's time, a test sender. */
export function testComposer(): Composer {
  return {
    templates: new MessageTemplates(),
    format: formatting('Africa/Harare'),
    from: 'TicketPro <tickets@ticketpro.test>',
    messageIdDomain: 'ticketpro.test',
  };
}
