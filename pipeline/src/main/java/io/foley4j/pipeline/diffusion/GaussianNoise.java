package io.foley4j.pipeline.diffusion;

import io.foley4j.engine.WorkerPool;

/**
 * Counter-based standard normal stream, specified so every JVM, vector width and thread count gives the same bits:
 * <ul>
 *   <li>bits(k) = the k-th output (k = 0, 1, ...) of SplitMix64 seeded with {@code seed}:
 *       z = seed + (k + 1) * 0x9E3779B97F4A7C15; z = (z ^ z>>>30) * 0xBF58476D1CE4E5B9;
 *       z = (z ^ z>>>27) * 0x94D049BB133111EB; bits = z ^ z>>>31.</li>
 *   <li>element i uses pair j = i / 2: u1 = ((bits(2j) >>> 11) + 1) 2^-53 in (0, 1], u2 = (bits(2j+1) >>> 11) 2^-53;
 *       r = sqrt(-2 ln u1); even i gives r cos(2 pi u2), odd i gives r sin(2 pi u2) (Box-Muller, in double with
 *       {@link StrictMath}), rounded to float.</li>
 *   <li>{@link #next} draws the next n elements and moves the position to the next even index, so each draw starts
 *       on a fresh pair.</li>
 * </ul>
 * Any element is computed from its index alone, so ranges can be filled in parallel with identical results.
 */
public final class GaussianNoise implements Noise {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final int MIN_PER_THREAD = 1 << 14;

    private final long seed;
    private final WorkerPool pool;
    private long position;

    /** A stream filled on {@code pool} (null: the calling thread). */
    public GaussianNoise(long seed, WorkerPool pool) {
        this.seed = seed;
        this.pool = pool;
    }

    public GaussianNoise(long seed) {
        this(seed, null);
    }

    public long position() {
        return position;
    }

    @Override
    public void next(float[] out) {
        fill(seed, position, out, pool);
        position += out.length + (out.length & 1);
    }

    /** out[i] = element (start + i) of the stream of {@code seed}; start must be even. */
    public static void fill(long seed, long start, float[] out, WorkerPool pool) {
        if ((start & 1) != 0) {
            throw new IllegalArgumentException("GaussianNoise.fill: start " + start + " must be even");
        }
        if (pool == null) {
            fillRange(seed, start, out, 0, out.length);
        } else {
            // ranges start on pair boundaries so no pair is split between threads (it would be computed twice)
            int pairs = (out.length + 1) / 2;
            pool.parallelFor(pairs, MIN_PER_THREAD / 2,
                    (p0, p1) -> fillRange(seed, start, out, 2 * p0, Math.min(out.length, 2 * p1)));
        }
    }

    private static void fillRange(long seed, long start, float[] out, int from, int to) {
        for (int i = from; i < to; i += 2) {
            long j = (start + i) >>> 1;
            double u1 = ((bits(seed, 2 * j) >>> 11) + 1) * 0x1.0p-53;
            double u2 = (bits(seed, 2 * j + 1) >>> 11) * 0x1.0p-53;
            double r = StrictMath.sqrt(-2 * StrictMath.log(u1)), a = 2 * Math.PI * u2;
            out[i] = (float) (r * StrictMath.cos(a));
            if (i + 1 < to) {
                out[i + 1] = (float) (r * StrictMath.sin(a));
            }
        }
    }

    static long bits(long seed, long k) {
        long z = seed + (k + 1) * GOLDEN;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
