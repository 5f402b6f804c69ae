import type { Knex } from 'knex';

/** Ids drawn per round trip: a few seconds of checkouts at full speed; a restart loses the rest (a gap). */
const BLOCK_SIZE = 50;

/**
 * Order ids from the orders' sequence, drawn in blocks: one round trip per block instead of one
 * per order. A sequence is not transactional, so an id drawn and not used is only a gap, as a
 * failed checkout always left one. Ids are unique across instances; they are not in creation
 * order across them (listings sort by order date first).
 */
export class OrderIds {
  private ready: number[] = [];
  private drawing?: Promise<void>;

  constructor(
    private readonly db: Knex,
    private readonly blockSize = BLOCK_SIZE,
  ) {}

  async next(): Promise<number> {
    while (this.ready.length === 0) {
      // Concurrent checkouts wait for one draw rather than each drawing a block.
      this.drawing ??= this.draw().finally(() => {
        this.drawing = undefined;
      });
      await this.drawing;
    }
    return this.ready.shift()!;
  }

  private async draw(): Promise<void> {
    const { rows } = await this.db.raw<{ rows: { id: number }[] }>(
      "SELECT nextval(pg_get_serial_sequence('orders', 'id'))::int AS id FROM generate_series(1, ?) ORDER BY 1",
      [this.blockSize],
    );
    this.ready.push(...rows.map((r) => r.id));
  }
}
