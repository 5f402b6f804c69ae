import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { IdParams, ListUsersQuery, Page, UpdateUserBody, UserSchema } from '@ticketpro/shared';
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
      tags: TAGS,
      auth: true,
      action: 'identity.users.list',
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
      tags: TAGS,
      auth: true,
      action: 'identity.users.get',
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
      tags: TAGS,
      auth: true,
      action: 'identity.users.update',
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
      tags: TAGS,
      auth: true,
      action: 'identity.users.delete',
      status: 204,
      params: IdParams,
      problems: ['forbidden', 'not-found'],
    }),
  );
};
