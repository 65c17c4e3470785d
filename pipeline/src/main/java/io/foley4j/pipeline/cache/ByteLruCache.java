package io.foley4j.pipeline.cache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * A least-recently-used map bounded by bytes: each entry weighs {@code weigher(value) + entryOverhead}, and inserting
 * evicts the least recently used entries until the total is at most {@code maxBytes}. A value heavier than
 * {@code maxBytes} on its own is returned but never stored. Thread-safe: one lock guards the map and the counters;
 * {@link #computeIfAbsent} runs the compute function outside it, once per missing key however many threads ask
 * (the others wait for that result). Values are shared, not copied: callers must not modify them. Null keys and
 * values are rejected.
 */
public final class ByteLruCache<K, V> {

    /** Counters since construction; {@code bytes} and {@code entries} are the current totals. */
    public record Stats(long hits, long misses, long evictions, long bytes, long entries, long maxBytes) {
        /** {@code prefix.hits}, {@code prefix.misses}, ... (for {@link io.foley4j.pipeline.foley.FoleyResult#counters}). */
        public Map<String, Long> toMap(String prefix) {
            Map<String, Long> m = new LinkedHashMap<>();
            m.put(prefix + ".hits", hits);
            m.put(prefix + ".misses", misses);
            m.put(prefix + ".evictions", evictions);
            m.put(prefix + ".bytes", bytes);
            m.put(prefix + ".entries", entries);
            return m;
        }
    }

    private record Weighted<V>(V value, long weight) {}

    private final long maxBytes, entryOverhead;
    private final ToLongFunction<V> weigher;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<K, Weighted<V>> map = new LinkedHashMap<>(16, 0.75f, true); // access order: LRU first
    private final HashMap<K, CompletableFuture<V>> computing = new HashMap<>();
    private long bytes, hits, misses, evictions;

    /**
     * @param maxBytes      bound on the summed weights
     * @param weigher       a value's size in bytes (e.g. 16 + 4 * length for a float[])
     * @param entryOverhead bytes added per entry for the key and the map's node
     */
    public ByteLruCache(long maxBytes, ToLongFunction<V> weigher, long entryOverhead) {
        if (maxBytes < 0 || entryOverhead < 0) {
            throw new IllegalArgumentException("ByteLruCache: maxBytes " + maxBytes + " and entryOverhead "
                    + entryOverhead + " must be >= 0");
        }
        this.maxBytes = maxBytes;
        this.entryOverhead = entryOverhead;
        this.weigher = Objects.requireNonNull(weigher, "weigher");
    }

    /** Heap bytes of a float[] of {@code n} elements (16-byte header). */
    public static long floatArrayBytes(int n) {
        return 16 + 4L * n;
    }

    /** The value for {@code key} (counted as a hit, and made most recent), or null (a miss). */
    public V get(K key) {
        Objects.requireNonNull(key, "key");
        lock.lock();
        try {
            Weighted<V> w = map.get(key);
            if (w == null) {
                misses++;
                return null;
            }
            hits++;
            return w.value;
        } finally {
            lock.unlock();
        }
    }

    /** Makes {@code key} most recent without counting a hit or a miss; false when absent. */
    public boolean touch(K key) {
        lock.lock();
        try {
            return map.get(key) != null;
        } finally {
            lock.unlock();
        }
    }

    /** Stores or replaces {@code key}'s value, evicting least recently used entries as needed. */
    public void put(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        long weight = weigh(value);
        lock.lock();
        try {
            insert(key, value, weight);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The value for {@code key}, computing it with {@code fn} when absent. Concurrent callers for the same missing
     * key wait for the first caller's computation (they count as hits; only the computing caller counts a miss).
     * When {@code fn} throws, nothing is stored, every waiting caller gets the same exception, and the next call
     * computes again. {@code fn} must not call back into this cache for the same key (it would wait on itself).
     */
    public V computeIfAbsent(K key, Function<? super K, ? extends V> fn) {
        Objects.requireNonNull(key, "key");
        CompletableFuture<V> mine, theirs;
        lock.lock();
        try {
            Weighted<V> w = map.get(key);
            if (w != null) {
                hits++;
                return w.value;
            }
            theirs = computing.get(key);
            if (theirs == null) {
                misses++;
                mine = new CompletableFuture<>();
                computing.put(key, mine);
            } else {
                hits++;
                mine = null;
            }
        } finally {
            lock.unlock();
        }
        if (mine == null) return await(theirs);
        V value;
        try {
            value = Objects.requireNonNull(fn.apply(key), "computeIfAbsent: the function returned null");
        } catch (RuntimeException | Error e) {
            lock.lock();
            try {
                computing.remove(key);
            } finally {
                lock.unlock();
            }
            mine.completeExceptionally(e);
            throw e;
        }
        long weight = weigh(value);
        lock.lock();
        try {
            insert(key, value, weight);
            computing.remove(key);
        } finally {
            lock.unlock();
        }
        mine.complete(value);
        return value;
    }

    /** The current values, least recently used first (a copy of the references). */
    public List<V> values() {
        lock.lock();
        try {
            List<V> out = new ArrayList<>(map.size());
            for (Weighted<V> w : map.values()) out.add(w.value);
            return out;
        } finally {
            lock.unlock();
        }
    }

    public boolean remove(K key) {
        lock.lock();
        try {
            Weighted<V> w = map.remove(key);
            if (w == null) return false;
            bytes -= w.weight;
            return true;
        } finally {
            lock.unlock();
        }
    }

    public void clear() {
        lock.lock();
        try {
            map.clear();
            bytes = 0;
        } finally {
            lock.unlock();
        }
    }

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(hits, misses, evictions, bytes, map.size(), maxBytes);
        } finally {
            lock.unlock();
        }
    }

    /** {@link #stats()} as {@code prefix.hits}, {@code prefix.misses}, {@code prefix.evictions}, ... */
    public Map<String, Long> counters(String prefix) {
        return stats().toMap(prefix);
    }

    public long maxBytes() { return maxBytes; }

    private long weigh(V value) {
        long w = weigher.applyAsLong(value);
        if (w < 0) throw new IllegalArgumentException("ByteLruCache: weigher returned " + w + " bytes");
        return w + entryOverhead;
    }

    /** Under the lock. */
    private void insert(K key, V value, long weight) {
        Weighted<V> old = map.remove(key);
        if (old != null) bytes -= old.weight;
        if (weight > maxBytes) return; // would evict everything and still not fit
        map.put(key, new Weighted<>(value, weight));
        bytes += weight;
        Iterator<Weighted<V>> it = map.values().iterator();
        while (bytes > maxBytes) {
            Weighted<V> lru = it.next(); // the newest entry fits alone, so this stops before reaching it
            bytes -= lru.weight;
            it.remove();
            evictions++;
        }
    }

    private static <V> V await(CompletableFuture<V> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw e;
        }
    }
}
