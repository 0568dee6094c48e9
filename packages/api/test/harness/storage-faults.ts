import type { Storage } from '@less-sync/storage';

/**
 * A `wrapStorage` for {@link TestServerOptions}: the real storage with some operations replaced (fault
 * injection). The overrides may use the real storage they wrap.
 */
export function overrideStorage(
  overrides: Partial<Storage> | ((storage: Storage) => Partial<Storage>),
): (storage: Storage) => Storage {
  return (storage) =>
    Object.assign(
      Object.create(storage) as Storage,
      typeof overrides === 'function' ? overrides(storage) : overrides,
    );
}
