import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Config, Role } from '@ticketpro/shared';
import { SIGNING_ALGORITHM, type SigningKey } from '../keys/signing-key';

export interface TokenSubject {
  id: number;
  role: Role;
}

export function signAccessToken(subject: TokenSubject, key: SigningKey, config: Config): string {
  return jwt.sign({ role: subject.role }, key.privateKey, {
    algorithm: SIGNING_ALGORITHM,
    keyid: key.kid,
    subject: String(subject.id),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    expiresIn: config.ACCESS_TOKEN_TTL,
    jwtid: randomUUID(),
  });
}
