package io.foley4j.engine;

import io.foley4j.kernels.Norm;
import java.util.Arrays;

/**
 * Tensor-level normalization over the last dimension: x [..., dim] is treated as [rows, dim], rows split over the
 * pool. Output may be x itself.
 */
public final class NormOps {
    private NormOps() {}

    /** Elements below which a thread hand-off costs more than it saves. */
    static final int MIN_ELEMENTS_PER_THREAD = 16_384;

    /** out = (x - mean) / sqrt(var + eps) * gamma + beta over the last dim; beta may be null. */
    public static void layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor out, WorkerPool pool) {
        int dim = checkRows("layerNorm", x, out);
        checkVector("layerNorm", "gamma", gamma, x, dim);
        if (beta != null) {
            checkVector("layerNorm", "beta", beta, x, dim);
        }
        int rows = (int) (x.numel() / dim);
        pool.parallelFor(rows, Math.max(1, MIN_ELEMENTS_PER_THREAD / dim), (s, e) -> Norm.layerNorm(x.data(),
                gamma.data(), beta == null ? null : beta.data(), out.data(), dim, eps, s, e));
    }

    /** out = x / sqrt(mean(x^2) + eps) * weight over the last dim. */
    public static void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out, WorkerPool pool) {
        int dim = checkRows("rmsNorm", x, out);
        checkVector("rmsNorm", "weight", weight, x, dim);
        int rows = (int) (x.numel() / dim);
        pool.parallelFor(rows, Math.max(1, MIN_ELEMENTS_PER_THREAD / dim),
                (s, e) -> Norm.rmsNorm(x.data(), weight.data(), out.data(), dim, eps, s, e));
    }

    /** Checks x and out (F32, same shape, last dim > 0, rows fit an int); returns the last dim. */
    private static int checkRows(String op, Tensor x, Tensor out) {
        OpChecks.f32(op, "x", x);
        OpChecks.f32(op, "out", out);
        if (x.rank() == 0 || x.dim(-1) == 0) {
            throw new IllegalArgumentException(op + ": x " + Arrays.toString(x.shape()) + " needs a non-empty last dimension");
        }
        OpChecks.sameShape(op, "x", x, "out", out);
        OpChecks.fitsInt(op, "x", x);
        return x.dim(-1);
    }

    private static void checkVector(String op, String name, Tensor w, Tensor x, int dim) {
        OpChecks.f32(op, name, w);
        if (w.rank() != 1 || w.dim(0) != dim) {
            throw new IllegalArgumentException(op + ": " + name + " must be [" + dim + "] for x "
                    + Arrays.toString(x.shape()) + ", got " + name + " " + Arrays.toString(w.shape()));
        }
    }
}
