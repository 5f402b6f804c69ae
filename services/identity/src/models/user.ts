import { SoftDeleteModel, type Role } from '@ticketpro/shared';

export class User extends SoftDeleteModel {
  static override tableName = 'users';

  declare id: number;
  declare firstname: string;
  declare surname: string;
  declare email: string;
  declare password_hash: string;
  declare phone_number: string;
  declare street_address: string;
  declare active: boolean;
  declare role: Role;
  declare is_verified: boolean;
  /** Access tokens signed with a lower version are refused (see the 005 migration). */
  declare token_version: number;
  declare tokens_revoked_at: Date | null;
}
