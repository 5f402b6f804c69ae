import { Model } from 'objection';

export class RefreshToken extends Model {
  static override tableName = 'refresh_tokens';

  declare id: number;
  declare user_id: number;
  declare family_id: string;
  declare token_hash: string;
  declare created_at: Date;
  declare expires_at: Date;
  declare used_at: Date | null;
  declare revoked_at: Date | null;
}
