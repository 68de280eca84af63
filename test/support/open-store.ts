// A fresh, migrated store of either kind, opened directly (no server), for the query-level tests.
import { openStore, type Store } from '../../src/store/store.js';
import { freshStoreLocation, type StoreKind, type StoreLocation } from './stores.js';

export interface OpenedTestStore {
  store: Store;
  location: StoreLocation;
  /** Closes the store and removes its data. */
  dispose(): Promise<void>;
}

export function storeConfigOf(location: StoreLocation) {
  return location.kind === 'sqlite'
    ? ({ kind: 'sqlite', dataDir: location.dataDir } as const)
    : ({ kind: 'postgres', url: location.env.DATABASE_URL as string } as const);
}

export async function openFreshStore(kind: StoreKind): Promise<OpenedTestStore> {
  const location = await freshStoreLocation(kind);
  const store = await openStore(storeConfigOf(location));
  return {
    store,
    location,
    async dispose() {
      await store.close();
      await location.cleanup();
    },
  };
}
