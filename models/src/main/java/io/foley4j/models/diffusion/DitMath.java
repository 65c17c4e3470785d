package io.foley4j.models.diffusion;

import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Elementwise;
import io.foley4j.kernels.Mem;
import java.lang.foreign.MemorySegment;

/**
 * The DiT's small per-element steps (a few passes over [B*N, D] per block): rows split over the pool, each row run
 * by the vectorized {@link Elementwise} kernels in one piece, so results do not depend on the thread count.
 */
final class DitMath {
    private DitMath() {}

    private static final int MIN_ELEMENTS_PER_THREAD = 16_384;
    private static final int CHUNK = 64; // a multiple of every vector length in floats

    /** a += b over n floats. */
    static void addInPlace(WorkerPool pool, MemorySegment a, MemorySegment b, int n) {
        int chunks = (n + CHUNK - 1) / CHUNK;
        pool.parallelFor(chunks, MIN_ELEMENTS_PER_THREAD / CHUNK,
                (s, e) -> Elementwise.add(a, b, a, s * CHUNK, Math.min(n, e * CHUNK)));
    }

    /**
     * y[b, i, j] = y[b, i, j] * (1 + scale[b, j]) + shift[b, j]; shift and scale are the columns
     * [shiftAt, shiftAt + d) and [scaleAt, scaleAt + d) of mod [B, modWidth]. The scale columns are replaced by
     * 1 + scale (mod is recomputed for every use).
     */
    static void modulate(WorkerPool pool, MemorySegment y, MemorySegment mod, int modWidth, int shiftAt, int scaleAt,
                         int batch, int n, int d) {
        for (int b = 0; b < batch; b++) {
            long m = (long) b * modWidth + scaleAt;
            for (int j = 0; j < d; j++) {
                Mem.setF32(mod, m + j, 1 + Mem.getF32(mod, m + j));
            }
        }
        long rowBytes = 4L * d;
        pool.parallelFor(batch * n, Math.max(1, MIN_ELEMENTS_PER_THREAD / d), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long m = 4L * ((long) (r / n) * modWidth);
                MemorySegment row = y.asSlice(r * rowBytes, rowBytes);
                Elementwise.mul(row, mod.asSlice(m + 4L * scaleAt, rowBytes), row, 0, d);
                Elementwise.add(row, mod.asSlice(m + 4L * shiftAt, rowBytes), row, 0, d);
            }
        });
    }

    /**
     * h[b, i, j] += gate[b, j] * x[b, i, j], gate = columns [gateAt, gateAt + d) of mod [B, modWidth]; x is
     * overwritten with the gated values.
     */
    static void gatedAdd(WorkerPool pool, MemorySegment h, MemorySegment x, MemorySegment mod, int modWidth,
                         int gateAt, int batch, int n, int d) {
        long rowBytes = 4L * d;
        pool.parallelFor(batch * n, Math.max(1, MIN_ELEMENTS_PER_THREAD / d), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                MemorySegment gate = mod.asSlice(4L * ((long) (r / n) * modWidth + gateAt), rowBytes);
                MemorySegment xr = x.asSlice(r * rowBytes, rowBytes), hr = h.asSlice(r * rowBytes, rowBytes);
                Elementwise.mul(xr, gate, xr, 0, d);
                Elementwise.add(hr, xr, hr, 0, d);
            }
        });
    }

    /**
     * Rotary positions in place on x [B, N, heads * headDim], rotate-half layout: for position p and j < headDim/2,
     * (x1, x2) = (x[j], x[j + half]) becomes (x1 cos - x2 sin, x2 cos + x1 sin) with angle p * 10000^(-2j/headDim).
     */
    static void rope(MemorySegment x, float[] cos, float[] sin, int batch, int n, int heads, int headDim) {
        int half = headDim / 2;
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < n; p++) {
                long row = ((long) b * n + p) * heads * headDim;
                for (int hd = 0; hd < heads; hd++) {
                    long o = row + (long) hd * headDim;
                    for (int j = 0; j < half; j++) {
                        float c = cos[p * half + j], s = sin[p * half + j];
                        float x1 = Mem.getF32(x, o + j), x2 = Mem.getF32(x, o + j + half);
                        Mem.setF32(x, o + j, x1 * c - x2 * s);
                        Mem.setF32(x, o + j + half, x2 * c + x1 * s);
                    }
                }
            }
        }
    }

    /** out [B, dim] = [cos(t f), sin(t f)], f_j = 10000^(-j / (dim/2)), in double, rounded to float. */
    static void timestepEmbedding(float[] t, int dim, MemorySegment out) {
        int half = dim / 2;
        for (int b = 0; b < t.length; b++) {
            for (int j = 0; j < half; j++) {
                double a = t[b] * Math.exp(-Math.log(10000.0) * j / half);
                Mem.setF32(out, (long) b * dim + j, (float) Math.cos(a));
                Mem.setF32(out, (long) b * dim + half + j, (float) Math.sin(a));
            }
        }
    }

    /** out [B*S] = 0 where mask is non-zero (or mask is null), -inf elsewhere. */
    static void additiveMask(Tensor mask, int batch, int s, MemorySegment out) {
        float[] m = mask == null ? null : mask.toFloats();
        for (int i = 0; i < batch * s; i++) {
            Mem.setF32(out, i, m == null || m[i] != 0 ? 0f : Float.NEGATIVE_INFINITY);
        }
    }
}
