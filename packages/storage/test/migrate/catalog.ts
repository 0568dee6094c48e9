import type { SqlQueryable } from '@less-sync/storage';

/**
 * A text snapshot of everything the migrations create in the current schema: relations, columns
 * (type, nullability, default), indexes, constraints, triggers, functions and sequences. Sorted, and
 * free of the schema name, so two schemas can be compared line for line.
 */
export async function schemaSnapshot(
  db: SqlQueryable,
  options: { positions?: boolean } = {},
): Promise<string[]> {
  const position = options.positions === false ? "''" : 'a.attnum::text';
  const { rows } = await db.query<{ line: string }>(`
    WITH s AS (SELECT oid, nspname FROM pg_catalog.pg_namespace WHERE nspname = current_schema())
    SELECT line FROM (
      SELECT 'relation ' || c.relname || ' ' || c.relkind::text AS line
        FROM pg_class c JOIN s ON s.oid = c.relnamespace
      UNION ALL
      SELECT 'column ' || c.relname || '.' || a.attname || ' #' || ${position} || ' ' ||
             format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE ' null' END ||
             COALESCE(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN s ON s.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
      UNION ALL
      SELECT 'index ' || i.relname || ': ' || pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN s ON s.oid = i.relnamespace
      UNION ALL
      SELECT 'constraint ' || t.relname || '.' || co.conname || ' ' || co.contype::text || ': ' || pg_get_constraintdef(co.oid)
        FROM pg_constraint co JOIN pg_class t ON t.oid = co.conrelid JOIN s ON s.oid = co.connamespace WHERE co.contype <> 'n'
      UNION ALL
      SELECT 'trigger ' || tg.tgname || ': ' || pg_get_triggerdef(tg.oid)
        FROM pg_trigger tg JOIN pg_class t ON t.oid = tg.tgrelid JOIN s ON s.oid = t.relnamespace
        WHERE NOT tg.tgisinternal
      UNION ALL
      SELECT 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') returns ' ||
             pg_get_function_result(p.oid) || ' language ' || l.lanname
        FROM pg_proc p JOIN s ON s.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
    ) lines ORDER BY line`);
  const { rows: schemaRows } = await db.query<{ name: string }>('SELECT current_schema() AS name');
  const schema = schemaRows[0]?.name ?? '';
  return rows.map((r) => r.line.replaceAll(`${schema}.`, '').replaceAll(`"${schema}".`, ''));
}

/** The snapshot without our ledger table (it stays when everything is reverted). */
export const withoutLedger = (lines: string[]) => lines.filter((l) => !l.includes('less_sync_migrations'));
