import { Model, QueryBuilder, type Page } from 'objection';

/**
 * Base of every table model: snake_case columns as in the API, `created_at`/`updated_at`
 * kept by the model, and timestamps serialised as ISO strings.
 */
export class BaseModel extends Model {
  created_at!: Date;
  updated_at!: Date;

  override $beforeInsert(): void {
    const now = new Date();
    this.created_at ??= now;
    this.updated_at ??= now;
  }

  override $beforeUpdate(): void {
    this.updated_at = new Date();
  }
}

/**
 * A query builder that leaves soft-deleted rows out of every read, update and delete unless
 * asked with `withDeleted()` or `onlyDeleted()`.
 */
export class SoftDeleteQueryBuilder<M extends Model, R = M[]> extends QueryBuilder<M, R> {
  declare ArrayQueryBuilderType: SoftDeleteQueryBuilder<M, M[]>;
  declare SingleQueryBuilderType: SoftDeleteQueryBuilder<M, M>;
  declare MaybeSingleQueryBuilderType: SoftDeleteQueryBuilder<M, M | undefined>;
  declare NumberQueryBuilderType: SoftDeleteQueryBuilder<M, number>;
  declare PageQueryBuilderType: SoftDeleteQueryBuilder<M, Page<M>>;

  // objection constructs builders with the model class; its typings declare no parameters.
  constructor(...args: unknown[]) {
    super(...(args as []));
    this.onBuild((builder) => {
      const scope = builder.context().softDeleteScope as 'all' | 'deleted' | undefined;
      if (scope === 'all' || builder.isInsert()) return;
      const column = `${builder.tableRefFor(builder.modelClass())}.deleted_at`;
      if (scope === 'deleted') builder.whereNotNull(column);
      else builder.whereNull(column);
    });
  }

  /** Include soft-deleted rows. */
  withDeleted(): this {
    return this.context({ softDeleteScope: 'all' });
  }

  /** Only soft-deleted rows. */
  onlyDeleted(): this {
    return this.context({ softDeleteScope: 'deleted' });
  }

  /** Marks the matching live rows deleted; resolves to the number of rows changed. */
  softDelete(): SoftDeleteQueryBuilder<M, number> {
    return this.patch({ deleted_at: new Date() } as never);
  }

  /** Brings the matching deleted rows back; resolves to the number of rows changed. */
  restore(): SoftDeleteQueryBuilder<M, number> {
    return this.onlyDeleted().patch({ deleted_at: null } as never);
  }
}

export class SoftDeleteModel extends BaseModel {
  deleted_at!: Date | null;

  declare QueryBuilderType: SoftDeleteQueryBuilder<this>;
  static override QueryBuilder = SoftDeleteQueryBuilder;
}
