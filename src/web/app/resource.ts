import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, messageOf } from './api.js';

export interface Resource<T> {
  /** The last answer; null until the first one (and kept when a later read fails). */
  data: T | null;
  /** Why the last read failed, in the manager's words; null after a success. */
  error: string | null;
  /** Reads it again. */
  reload: () => Promise<void>;
}

/** What `GET path` answers, read when the view shows it and whenever `path` changes. */
export function useResource<T>(path: string): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    const result = await api<T>('GET', path);
    if (result.ok) {
      setData(result.body);
      setError(null);
    } else setError(messageOf(result));
  }, [path]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}
