package io.foley4j.models.diffusion;

import io.foley4j.engine.ActivationOps;
import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Elementwise;
import io.foley4j.kernels.Matmul;
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
     * Unmasked multi-head self-attention as two GEMMs per (batch entry, head), on contiguous copies of the head's
     * columns: S = scale Q_h K_h^T [N, N], P = softmax(S), O_h = P V_h [N, headDim]; q, k, v, out [B*N, heads*headDim].
     * K_h and V_h^T are packed into panels (as weights are at load time) for the broadcast-fma GEMM, with the key count
     * padded to a multiple of {@link Matmul#PANEL} (zero keys whose scores are set to -inf): the packed kernel runs
     * a partial panel far slower than a whole one.
     */
    static void selfAttention(WorkerPool pool, DitState st, MemorySegment q, MemorySegment k, MemorySegment v,
                              MemorySegment out, int batch, int n, int heads, int headDim, float scale) {
        int d = heads * headDim, np = padded(n);
        long rowBytes = 4L * headDim;
        Tensor qh = st.headQ.slice(0, n), kh = st.headK.slice(0, np), oh = st.headOut.slice(0, n);
        Tensor vt = st.headVt.view(headDim * padded(st.config.maxTokens())).slice(0, headDim * np).view(headDim, np);
        Tensor scores = st.scores.view(st.config.maxTokens() * padded(st.config.maxTokens())).slice(0, n * np)
                .view(n, np);
        MemorySegment vts = vt.data(), ss = scores.data();
        MemorySegment packK = st.packK.asSlice(0, 4 * Matmul.packedF32Floats(np, headDim));
        MemorySegment packV = st.packV.asSlice(0, 4 * Matmul.packedF32Floats(headDim, np));
        kh.data().asSlice(n * rowBytes).fill((byte) 0); // padding keys
        vts.fill((byte) 0);
        Tensor wk = Tensor.of(DType.F32_PACKED, packK, np, headDim), wv = Tensor.of(DType.F32_PACKED, packV, headDim, np);
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                long col = 4L * ((long) b * n * d + (long) h * headDim);
                for (int i = 0; i < n; i++) { // gather the head's columns; V transposed to [headDim, Npad]
                    long src = col + 4L * i * d;
                    MemorySegment.copy(q, src, qh.data(), i * rowBytes, rowBytes);
                    MemorySegment.copy(k, src, kh.data(), i * rowBytes, rowBytes);
                    for (int j = 0; j < headDim; j++) {
                        Mem.setF32(vts, (long) j * np + i, v.get(Mem.F32, src + 4L * j));
                    }
                }
                Matmul.packF32(kh.data(), packK, np, headDim);
                Matmul.packF32(vts, packV, headDim, np);
                LinearOps.linear(pool, qh, wk, null, scores); // [N, Npad]
                for (int i = 0; i < n && np > n; i++) {
                    for (int j = n; j < np; j++) Mem.setF32(ss, (long) i * np + j, Float.NEGATIVE_INFINITY);
                }
                int nn = n * np;
                pool.parallelFor((nn + CHUNK - 1) / CHUNK, MIN_ELEMENTS_PER_THREAD / CHUNK, (s0, s1) ->
                        Elementwise.scale(ss, scale, ss, s0 * CHUNK, Math.min(nn, s1 * CHUNK)));
                ActivationOps.softmax(scores, scores, pool);
                LinearOps.linear(pool, scores, wv, null, oh);
                for (int i = 0; i < n; i++) {
                    MemorySegment.copy(oh.data(), i * rowBytes, out, col + 4L * i * d, rowBytes);
                }
            }
        }
    }

    /** n rounded up to a whole number of packed panels. */
    static int padded(int n) {
        return (n + Matmul.PANEL - 1) / Matmul.PANEL * Matmul.PANEL;
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
