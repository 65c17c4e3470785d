package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Normalization over the last dimension of a {@code [rows, dim]} F32 buffer, on the row range
 * {@code [rowStart, rowEnd)}. Output may alias the input (statistics are taken before a row is written).
 *
 * <p>Precision: LayerNorm is two-pass (mean, then the mean of squared deviations), so there is no
 * {@code E[x^2] - E[x]^2} cancellation when |mean| is large against the spread. The scalar references accumulate
 * in double. The vector versions accumulate in float: each of the L lanes sums dim/L terms before a final
 * reduction, so a sum's rounding error is at most about (dim/L) * 2^-24 of the sum of magnitudes (typically
 * sqrt(dim/L) * 2^-24). LayerNorm sums deviations from the row's first element and never rounds the mean itself
 * to float, so a row with |mean| = 50 and spread 1 keeps the accuracy of a centered row. Tests hold the vector
 * outputs to 2e-6 of the unit output scale against the double references for dims up to 4099.
 */
public final class Norm {
    private Norm() {}

    private static void check(String op, MemorySegment x, MemorySegment w, MemorySegment b, MemorySegment out,
                              int dim, int rowStart, int rowEnd, String wName) {
        Checks.dims(op, "dim", false, dim);
        Checks.require(rowStart >= 0 && rowStart <= rowEnd, op,
                () -> "illegal row range [" + rowStart + ", " + rowEnd + ")");
        Checks.fits(op, () -> "x [rows=" + rowEnd + ", dim=" + dim + "]", x, (long) rowEnd * dim, 4);
        Checks.fits(op, () -> wName + " [" + dim + "]", w, dim, 4);
        if (b != null) {
            Checks.fits(op, () -> "beta [" + dim + "]", b, dim, 4);
        }
        Checks.fits(op, () -> "out [rows=" + rowEnd + ", dim=" + dim + "]", out, (long) rowEnd * dim, 4);
    }

    // ---- LayerNorm: out = (x - mean) / sqrt(var + eps) * gamma + beta; beta may be null (no bias) ----

    public static void layerNorm(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment out,
                                 int dim, float eps, int rowStart, int rowEnd) {
        check("layerNorm", x, gamma, beta, out, dim, rowStart, rowEnd, "gamma");
        Checks.require(eps >= 0, "layerNorm", () -> "eps must be >= 0, got " + eps);
        if (Simd.SCALAR) {
            layerNormScalar(x, gamma, beta, out, dim, eps, rowStart, rowEnd);
        } else {
            layerNormVector(x, gamma, beta, out, dim, eps, rowStart, rowEnd);
        }
    }

    public static void layerNormScalar(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment out,
                                       int dim, float eps, int rowStart, int rowEnd) {
        x = Mem.plain(x); gamma = Mem.plain(gamma); beta = Mem.plain(beta); out = Mem.plain(out);
        for (int r = rowStart; r < rowEnd; r++) {
            long base = (long) r * dim * 4;
            double sum = 0;
            for (int j = 0; j < dim; j++) {
                sum += x.get(F32, base + j * 4L);
            }
            double mean = sum / dim;
            double sq = 0;
            for (int j = 0; j < dim; j++) {
                double d = x.get(F32, base + j * 4L) - mean;
                sq += d * d;
            }
            double rstd = 1 / Math.sqrt(sq / dim + eps);
            for (int j = 0; j < dim; j++) {
                double y = (x.get(F32, base + j * 4L) - mean) * rstd * gamma.get(F32, j * 4L);
                if (beta != null) {
                    y += beta.get(F32, j * 4L);
                }
                out.set(F32, base + j * 4L, (float) y);
            }
        }
    }

    public static void layerNormVector(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment out,
                                       int dim, float eps, int rowStart, int rowEnd) {
        x = Mem.plain(x); gamma = Mem.plain(gamma); beta = Mem.plain(beta); out = Mem.plain(out);
        int len = F.length();
        int bound = F.loopBound(dim);
        for (int r = rowStart; r < rowEnd; r++) {
            long base = (long) r * dim * 4;
            // deviations are taken from shift = x[0] and mean - shift is kept apart from shift, so an offset
            // |mean| >> spread costs neither summation accuracy nor the rounding of mean to float
            float shift = x.get(F32, base);
            float dmean = deviationSum(x, base, dim, shift) / dim; // mean - shift
            float sq = squaredDeviations(x, base, dim, shift, dmean);
            float rstd = (float) (1 / Math.sqrt(sq / dim + eps));
            // normalize, scale and shift in one pass; the bias-free case is its own loop so neither tests beta
            int j;
            if (beta != null) {
                for (j = 0; j < bound; j += len) {
                    long o = base + j * 4L;
                    FloatVector.fromMemorySegment(F, x, o, ORDER).sub(shift).sub(dmean).mul(rstd)
                            .fma(FloatVector.fromMemorySegment(F, gamma, j * 4L, ORDER),
                                    FloatVector.fromMemorySegment(F, beta, j * 4L, ORDER))
                            .intoMemorySegment(out, o, ORDER);
                }
            } else {
                for (j = 0; j < bound; j += len) {
                    long o = base + j * 4L;
                    FloatVector.fromMemorySegment(F, x, o, ORDER).sub(shift).sub(dmean).mul(rstd)
                            .mul(FloatVector.fromMemorySegment(F, gamma, j * 4L, ORDER))
                            .intoMemorySegment(out, o, ORDER);
                }
            }
            for (; j < dim; j++) {
                float y = (x.get(F32, base + j * 4L) - shift - dmean) * rstd;
                float g = gamma.get(F32, j * 4L);
                out.set(F32, base + j * 4L, beta == null ? y * g : Math.fma(y, g, beta.get(F32, j * 4L)));
            }
        }
    }

    // The two reductions of a LayerNorm row are methods of their own, scalars in and out: inlined into the row loop
    // they took C2 past its node budget for inlining (NodeCountInliningCutoff), the second Simd.sum stayed a call, and
    // each row boxed vectors: 917 KB of heap garbage per MiniLM forward at 128 tokens before, 137 KB after, and
    // 7.3 MB -> 2.2 MB at batch 32 (thread allocated bytes around a forward, steady state, session 15); the kernel
    // itself went from 31-33 to 42 GB/s (`bin/foley bench --only norm`, 128x384, 2 runs each).

    // sum over the row of (x - shift); four independent accumulators break the add latency chain (4 cycles each)
    private static float deviationSum(MemorySegment x, long base, int dim, float shift) {
        x = Mem.plain(x);
        int len = F.length();
        int bound = F.loopBound(dim), bound4 = dim - dim % (4 * len);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int j = 0;
        for (; j < bound4; j += 4 * len) {
            long o = base + j * 4L;
            a0 = a0.add(FloatVector.fromMemorySegment(F, x, o, ORDER).sub(shift));
            a1 = a1.add(FloatVector.fromMemorySegment(F, x, o + len * 4L, ORDER).sub(shift));
            a2 = a2.add(FloatVector.fromMemorySegment(F, x, o + len * 8L, ORDER).sub(shift));
            a3 = a3.add(FloatVector.fromMemorySegment(F, x, o + len * 12L, ORDER).sub(shift));
        }
        for (; j < bound; j += len) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, x, base + j * 4L, ORDER).sub(shift));
        }
        float sum = Simd.sum(a0.add(a1).add(a2.add(a3)));
        for (; j < dim; j++) {
            sum += x.get(F32, base + j * 4L) - shift;
        }
        return sum;
    }

    // sum over the row of (x - shift - dmean)^2
    private static float squaredDeviations(MemorySegment x, long base, int dim, float shift, float dmean) {
        x = Mem.plain(x);
        int len = F.length();
        int bound = F.loopBound(dim), bound4 = dim - dim % (4 * len);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int j = 0;
        for (; j < bound4; j += 4 * len) {
            long o = base + j * 4L;
            FloatVector d0 = FloatVector.fromMemorySegment(F, x, o, ORDER).sub(shift).sub(dmean);
            FloatVector d1 = FloatVector.fromMemorySegment(F, x, o + len * 4L, ORDER).sub(shift).sub(dmean);
            FloatVector d2 = FloatVector.fromMemorySegment(F, x, o + len * 8L, ORDER).sub(shift).sub(dmean);
            FloatVector d3 = FloatVector.fromMemorySegment(F, x, o + len * 12L, ORDER).sub(shift).sub(dmean);
            a0 = d0.fma(d0, a0);
            a1 = d1.fma(d1, a1);
            a2 = d2.fma(d2, a2);
            a3 = d3.fma(d3, a3);
        }
        for (; j < bound; j += len) {
            FloatVector d = FloatVector.fromMemorySegment(F, x, base + j * 4L, ORDER).sub(shift).sub(dmean);
            a0 = d.fma(d, a0);
        }
        float sq = Simd.sum(a0.add(a1).add(a2.add(a3)));
        for (; j < dim; j++) {
            float d = x.get(F32, base + j * 4L) - shift - dmean;
            sq = Math.fma(d, d, sq);
        }
        return sq;
    }

    // ---- RMSNorm: out = x / sqrt(mean(x^2) + eps) * weight ----

    public static void rmsNorm(MemorySegment x, MemorySegment weight, MemorySegment out,
                               int dim, float eps, int rowStart, int rowEnd) {
        check("rmsNorm", x, weight, null, out, dim, rowStart, rowEnd, "weight");
        Checks.require(eps >= 0, "rmsNorm", () -> "eps must be >= 0, got " + eps);
        if (Simd.SCALAR) {
            rmsNormScalar(x, weight, out, dim, eps, rowStart, rowEnd);
        } else {
            rmsNormVector(x, weight, out, dim, eps, rowStart, rowEnd);
        }
    }

    public static void rmsNormScalar(MemorySegment x, MemorySegment weight, MemorySegment out,
                                     int dim, float eps, int rowStart, int rowEnd) {
        x = Mem.plain(x); weight = Mem.plain(weight); out = Mem.plain(out);
        for (int r = rowStart; r < rowEnd; r++) {
            long base = (long) r * dim * 4;
            double sq = 0;
            for (int j = 0; j < dim; j++) {
                double v = x.get(F32, base + j * 4L);
                sq += v * v;
            }
            double rs = 1 / Math.sqrt(sq / dim + eps);
            for (int j = 0; j < dim; j++) {
                out.set(F32, base + j * 4L, (float) (x.get(F32, base + j * 4L) * rs * weight.get(F32, j * 4L)));
            }
        }
    }

    public static void rmsNormVector(MemorySegment x, MemorySegment weight, MemorySegment out,
                                     int dim, float eps, int rowStart, int rowEnd) {
        x = Mem.plain(x); weight = Mem.plain(weight); out = Mem.plain(out);
        int len = F.length();
        int bound = F.loopBound(dim), bound4 = dim - dim % (4 * len);
        for (int r = rowStart; r < rowEnd; r++) {
            long base = (long) r * dim * 4;
            // four independent accumulators break the fma latency chain of a single one
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int j = 0;
            for (; j < bound4; j += 4 * len) {
                long o = base + j * 4L;
                FloatVector v0 = FloatVector.fromMemorySegment(F, x, o, ORDER);
                FloatVector v1 = FloatVector.fromMemorySegment(F, x, o + len * 4L, ORDER);
                FloatVector v2 = FloatVector.fromMemorySegment(F, x, o + len * 8L, ORDER);
                FloatVector v3 = FloatVector.fromMemorySegment(F, x, o + len * 12L, ORDER);
                a0 = v0.fma(v0, a0);
                a1 = v1.fma(v1, a1);
                a2 = v2.fma(v2, a2);
                a3 = v3.fma(v3, a3);
            }
            for (; j < bound; j += len) {
                FloatVector v = FloatVector.fromMemorySegment(F, x, base + j * 4L, ORDER);
                a0 = v.fma(v, a0);
            }
            float sq = Simd.sum(a0.add(a1).add(a2.add(a3)));
            for (; j < dim; j++) {
                float v = x.get(F32, base + j * 4L);
                sq = Math.fma(v, v, sq);
            }
            float rs = (float) (1 / Math.sqrt(sq / dim + eps));
            for (j = 0; j < bound; j += len) {
                long o = base + j * 4L;
                FloatVector.fromMemorySegment(F, x, o, ORDER).mul(rs)
                        .mul(FloatVector.fromMemorySegment(F, weight, j * 4L, ORDER))
                        .intoMemorySegment(out, o, ORDER);
            }
            for (; j < dim; j++) {
                out.set(F32, base + j * 4L, x.get(F32, base + j * 4L) * rs * weight.get(F32, j * 4L));
            }
        }
    }
}
