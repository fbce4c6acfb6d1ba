import { type CompiledQuery, createQueryId, type Kysely } from 'kysely';
import type { Adapter, AdapterConstructor, AdapterFactory, AdapterPayload } from 'oidc-provider';
import { MAX_KEY_LENGTH, MAX_MODEL_LENGTH } from './migration.ts';
import { GRANT_BOUND_MODELS, OIDC_MODELS, type OidcModelName } from './models.ts';
import type { OidcPayloadsTable, OidcTables } from './tables.ts';

/** A store plugged in for one model instead of the table, in either form oidc-provider's `adapter` accepts. */
export type AdapterOverride = AdapterConstructor | AdapterFactory;

export interface KyselyAdapterOptions {
  /** Stores for particular models, e.g. `Client` served from the admin-managed `clients` table. */
  overrides?: Partial<Record<OidcModelName, AdapterOverride>>;
  /** Epoch milliseconds; injectable so tests can move expiry boundaries. */
  now?: () => number;
}

type StoredRow = Pick<OidcPayloadsTable, 'payload' | 'expires_at' | 'consumed_at'>;

const STORED_COLUMNS = ['payload', 'expires_at', 'consumed_at'] as const;

/** Same test oidc-provider applies to its `adapter` option (lib/helpers/type_validators.js). */
function isConstructor(override: AdapterOverride): override is AdapterConstructor {
  return typeof override.prototype === 'object' && override.prototype !== null;
}

/**
 * Whether a value can be a key in the table. Reads treat anything else as absent instead of querying: a NUL
 * character would make PostgreSQL reject the statement, and a token sent to introspection is attacker input.
 */
function isKey(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length > 0 && value.length <= MAX_KEY_LENGTH && !value.includes('\0')
  );
}

function checkKey(kind: string, value: unknown): string {
  if (!isKey(value)) {
    throw new TypeError(
      `${kind} must be a non-empty string of at most ${MAX_KEY_LENGTH} characters, without NUL`,
    );
  }
  return value;
}

/** The optional lookup columns take only what is a valid key; anything else is simply not indexed. */
function lookupKey(value: unknown): string | null {
  return isKey(value) ? value : null;
}

class KyselyAdapter implements Adapter {
  readonly #db: Kysely<OidcTables>;
  readonly #model: string;
  readonly #now: () => number;
  // introspection alone runs three or four `find`s per request, so that one is compiled once and only
  // rebound to its two parameters; the rarer operations go through the builder.
  readonly #find: CompiledQuery<StoredRow>;

  constructor(db: Kysely<OidcTables>, model: string, now: () => number) {
    this.#db = db;
    this.#model = model;
    this.#now = now;
    this.#find = db
      .selectFrom('oidc_payloads')
      .select(STORED_COLUMNS)
      .where('model', '=', model)
      .where('id', '=', '')
      .compile();
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    checkKey('id', id);
    const now = this.#now();
    let expiresAt: number | null = null;
    if (typeof expiresIn === 'number' && !Number.isNaN(expiresIn)) {
      // Infinity means "never"; seconds become whole milliseconds for the bigint column.
      if (Number.isFinite(expiresIn)) expiresAt = now + Math.round(expiresIn * 1000);
    } else if (expiresIn !== undefined && expiresIn !== null) {
      throw new TypeError('expiresIn must be a number of seconds or undefined');
    }
    await this.#db
      .insertInto('oidc_payloads')
      .values({
        model: this.#model,
        id,
        payload: JSON.stringify(payload),
        grant_id: GRANT_BOUND_MODELS.has(this.#model) ? lookupKey(payload.grantId) : null,
        user_code: lookupKey(payload.userCode),
        uid: lookupKey(payload.uid),
        expires_at: expiresAt,
        consumed_at: null,
      })
      // A re-save replaces everything, consumption included: the payload carries `consumed` if it still applies.
      .onConflict((conflict) =>
        conflict.columns(['model', 'id']).doUpdateSet((eb) => ({
          payload: eb.ref('excluded.payload'),
          grant_id: eb.ref('excluded.grant_id'),
          user_code: eb.ref('excluded.user_code'),
          uid: eb.ref('excluded.uid'),
          expires_at: eb.ref('excluded.expires_at'),
          consumed_at: eb.ref('excluded.consumed_at'),
        })),
      )
      .execute();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (!isKey(id)) return undefined;
    const { rows } = await this.#db.executeQuery<StoredRow>({
      ...this.#find,
      queryId: createQueryId(),
      parameters: [this.#model, id],
    });
    return this.#live(rows[0]);
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#findBy('uid', uid);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#findBy('user_code', userCode);
  }

  async consume(id: string): Promise<void> {
    if (!isKey(id)) return;
    // The first consumption is the one that counts; consuming again (a replay) must not move it.
    await this.#db
      .updateTable('oidc_payloads')
      .set({ consumed_at: this.#now() })
      .where('model', '=', this.#model)
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .execute();
  }

  async destroy(id: string): Promise<void> {
    if (!isKey(id)) return;
    await this.#db
      .deleteFrom('oidc_payloads')
      .where('model', '=', this.#model)
      .where('id', '=', id)
      .execute();
  }

  /** Across models: every token and code issued under the grant goes, whichever model's adapter is asked. */
  async revokeByGrantId(grantId: string): Promise<void> {
    if (!isKey(grantId)) return;
    await this.#db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
  }

  async #findBy(column: 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
    if (!isKey(value)) return undefined;
    const now = this.#now();
    const row = await this.#db
      .selectFrom('oidc_payloads')
      .select(STORED_COLUMNS)
      .where('model', '=', this.#model)
      .where(column, '=', value)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .limit(1)
      .executeTakeFirst();
    return this.#live(row, now);
  }

  #live(row: StoredRow | undefined, now = this.#now()): AdapterPayload | undefined {
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= now) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    // oidc-provider reads `consumed` as epoch seconds (its memory adapter sets epochTime()).
    if (row.consumed_at !== null) payload.consumed = Math.floor(row.consumed_at / 1000);
    return payload;
  }
}

/**
 * oidc-provider's `adapter` option: a factory called once per model name. Every model is stored in
 * `oidc_payloads` except those given in `overrides`.
 */
export function createKyselyAdapter<DB extends OidcTables>(
  db: Kysely<DB>,
  options: KyselyAdapterOptions = {},
): AdapterFactory {
  const tables = db as unknown as Kysely<OidcTables>;
  const now = options.now ?? Date.now;
  const overrides = new Map<string, AdapterOverride>();
  for (const [model, override] of Object.entries(options.overrides ?? {})) {
    if (!(OIDC_MODELS as readonly string[]).includes(model)) {
      throw new TypeError(`adapter override for unknown oidc-provider model ${model}`);
    }
    if (typeof override !== 'function') {
      throw new TypeError(`adapter override for ${model} must be a constructor or a factory function`);
    }
    overrides.set(model, override);
  }
  return (model: string): Adapter => {
    const override = overrides.get(model);
    if (override) return isConstructor(override) ? new override(model) : override(model);
    if (typeof model !== 'string' || model.length === 0 || model.length > MAX_MODEL_LENGTH) {
      throw new TypeError(`oidc-provider model name must be 1 to ${MAX_MODEL_LENGTH} characters`);
    }
    return new KyselyAdapter(tables, model, now);
  };
}
