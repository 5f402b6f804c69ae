import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { IdParams, ListUsersQuery, Page, UpdateUserBody, UserSchema } from '@ticketpro/shared';
import { EXAMPLE_USER, pageExample } from './examples';
import { serviceRoute } from './service-route';

const TAGS = ['users'];
const User = Type.Ref(UserSchema);

/** `/users`: accounts. Who may see or change which account is identity's decision. */
export const userRoutes: FastifyPluginAsync = async (app) => {
  app.route(
    serviceRoute({
      method: 'GET',
      url: '',
      summary: 'List users (admin), filtered by role or a search on name and email',
      description:
        'Admins only (403 otherwise). `search` matches first name, surname and email; `role` keeps one role.',
      tags: TAGS,
      auth: true,
      action: 'identity.users.list',
      examples: { response: pageExample(EXAMPLE_USER) },
      status: 200,
      querystring: ListUsersQuery,
      response: { ...Page(User), description: 'A page of users' },
      problems: ['forbidden'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/:id',
      summary: 'One user (self or admin)',
      description: 'A user sees their own account; an admin any account; anyone else is refused.',
      tags: TAGS,
      auth: true,
      action: 'identity.users.get',
      examples: { response: EXAMPLE_USER },
      status: 200,
      params: IdParams,
      response: { ...User, description: 'The user' },
      problems: ['forbidden', 'not-found'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'PUT',
      url: '/:id',
      summary: 'Change a user (self; role and active by admins only)',
      description:
        "Only the fields sent change. A user changes their own name, phone and address; `role` and `active` are for admins, and changing either ends the account's current tokens at once.",
      tags: TAGS,
      auth: true,
      action: 'identity.users.update',
      examples: {
        request: { phone_number: '+263 71 765 4321', street_address: '2 Difference Engine Lane, Bulawayo' },
        response: {
          ...EXAMPLE_USER,
          phone_number: '+263 71 765 4321',
          street_address: '2 Difference Engine Lane, Bulawayo',
        },
      },
      status: 200,
      params: IdParams,
      body: UpdateUserBody,
      response: { ...User, description: 'The changed user' },
      problems: ['forbidden', 'not-found'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'DELETE',
      url: '/:id',
      summary: 'Delete a user (self or admin); their refresh tokens are revoked',
      description: 'The account is gone at once: its access tokens stop working and its refresh tokens are revoked.',
      tags: TAGS,
      auth: true,
      action: 'identity.users.delete',
      status: 204,
      params: IdParams,
      problems: ['forbidden', 'not-found'],
    }),
  );
};
