package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Activations on the element range {@code [from, to)} of F32 buffers, and softmax over the last dimension of a
 * {@code [rows, dim]} buffer on a row range. Output may alias the input.
 *
 * <p>Scalar references compute in double with {@code Math.exp}/{@code Math.tanh} and round once. Vector versions
 * use the polynomial {@link #exp} below (about 2 ulp, no SVML or SLEEF dependence, the same result on every
 * platform). GELU (erf form) uses the Chebyshev fit of erfc from Numerical Recipes 6.2 (fractional error below
 * 1.2e-7 everywhere), so it keeps its relative accuracy in the negative tail where {@code 1 + erf} cancels.
 *
 * <p>Infinities: sigmoid, tanh and GELU (both forms' positive side, erf form's negative side) give their limits;
 * {@code x * sigmoid(...)} forms (SiLU, QuickGELU, GELU tanh form) give NaN at {@code -inf} (= -inf * 0). NaN
 * propagates.
 */
public final class Activation {
    private Activation() {}

    private static void check(String op, MemorySegment x, MemorySegment out, int from, int to) {
        Checks.require(from >= 0 && from <= to, op, () -> "illegal range [" + from + ", " + to + ")");
        Checks.fits(op, "x", x, to, 4);
        Checks.fits(op, "out", out, to, 4);
    }

    // ---- vector exp: x = n ln2 + r, |r| <= ln2/2, e^x = 2^n * p(r) ----

    private static final float LOG2E = 1.44269504088896341f;
    /** ln2 split (Cody-Waite): n * LN2_HI is exact for |n| < 2^15 since LN2_HI has 9 significant bits. */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /**
     * e^-104 is below half the smallest subnormal (rounds to 0); e^88.8 overflows to +inf. Inputs are clamped with a
     * compare and a blend, not {@code FloatVector.max/min}: those follow Math.max's rules for NaN and signed zeros,
     * which C2 compiles to five instructions each on AVX-512 (a NaN input stays NaN either way).
     */
    private static final float EXP_MIN = -104f;
    private static final float EXP_MAX = 88.8f;
    /** 1.5 * 2^23: adding it rounds to an integer held in the low mantissa bits. */
    private static final float ROUND = 0x1.8p23f;
    private static final int ROUND_BITS = 0x4B40_0000;

    /** e^x for every lane; -inf and x < -104 give 0, x > 88.73 gives +inf, NaN stays NaN. */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.blend(EXP_MIN, x.lt(EXP_MIN));
        xc = xc.blend(EXP_MAX, xc.compare(VectorOperators.GT, EXP_MAX));
        FloatVector t = xc.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = expm1Poly(r).add(1f);
        return scalePow2(p, (IntVector) t.reinterpretAsInts().sub(ROUND_BITS));
    }

    /**
     * e^(hi + lo) where {@code lo} carries bits that {@code hi} cannot hold (|lo| small, up to a few units): the
     * reduction subtracts n ln2 from {@code hi} exactly and adds {@code lo} afterwards.
     */
    static FloatVector exp(FloatVector hi, FloatVector lo) {
        FloatVector hc = hi.blend(EXP_MIN, hi.lt(EXP_MIN));
        hc = hc.blend(EXP_MAX, hc.compare(VectorOperators.GT, EXP_MAX));
        FloatVector t = hc.add(lo).fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), hc);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r).add(lo);
        FloatVector p = expm1Poly(r).add(1f);
        return scalePow2(p, (IntVector) t.reinterpretAsInts().sub(ROUND_BITS));
    }

    /** e^x - 1, accurate near 0 (for tanh): 2^n * (e^r - 1) + (2^n - 1). */
    static FloatVector expm1(FloatVector x) {
        FloatVector xc = x.blend(EXP_MIN, x.lt(EXP_MIN));
        xc = xc.blend(EXP_MAX, xc.compare(VectorOperators.GT, EXP_MAX));
        FloatVector t = xc.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector s = scalePow2(FloatVector.broadcast(F, 1f), (IntVector) t.reinterpretAsInts().sub(ROUND_BITS));
        return expm1Poly(r).fma(s, s.sub(1f));
    }

    /**
     * e^r - 1 by its Taylor series to r^7: the first term left out, r^8 / 8!, is below 1.5e-8 of e^r - 1 for
     * |r| <= ln2/2 (a quarter of a float ulp).
     */
    private static FloatVector expm1Poly(FloatVector r) {
        FloatVector p = r.fma(E7, E6);
        p = p.fma(r, E5);
        p = p.fma(r, E4);
        p = p.fma(r, E3);
        p = p.fma(r, E2);
        p = p.fma(r, ONE);
        return p.mul(r);
    }

    // Coefficients as vector constants: a broadcast per use costs enough compiler nodes to push the GELU loop past
    // C2's inlining node budget (NodeCountInliningCutoff), after which helpers are called with boxed vectors.
    private static final FloatVector ONE = FloatVector.broadcast(F, 1f);
    private static final FloatVector E2 = FloatVector.broadcast(F, 0.5f);
    private static final FloatVector E3 = FloatVector.broadcast(F, 1f / 6);
    private static final FloatVector E4 = FloatVector.broadcast(F, 1f / 24);
    private static final FloatVector E5 = FloatVector.broadcast(F, 1f / 120);
    private static final FloatVector E6 = FloatVector.broadcast(F, 1f / 720);
    private static final FloatVector E7 = FloatVector.broadcast(F, 1f / 5040);

    /** p * 2^n as p * 2^(n>>1) * 2^(n - (n>>1)), so n in [-252, 254] needs no special case (subnormals too). */
    private static FloatVector scalePow2(FloatVector p, IntVector n) {
        IntVector n1 = n.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = n.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2);
    }

    // ---- GELU, erf form: x * Phi(x) = 0.5 x (1 + erf(x / sqrt2)) ----

    /** Below this GELU is smaller than the smallest subnormal. */
    private static final float GELU_ZERO_BELOW = -14.5f;
    private static final float INV_SQRT2 = 0.70710678118654752f;

    public static void gelu(MemorySegment x, MemorySegment out, int from, int to) {
        check("gelu", x, out, from, to);
        if (Simd.SCALAR) geluScalar(x, out, from, to); else geluVector(x, out, from, to);
    }

    public static void geluScalar(MemorySegment x, MemorySegment out, int from, int to) {
        x = Mem.plain(x); out = Mem.plain(out);
        for (int i = from; i < to; i++) {
            long o = (long) i * 4;
            out.set(F32, o, geluScalar(x.get(F32, o)));
        }
    }

    static float geluScalar(float xf) {
        if (xf < GELU_ZERO_BELOW) {
            return -0f;
        }
        double x = xf;
        double z = Math.abs(x) * INV_SQRT2_D;
        double t = 1 / (1 + 0.5 * z);
        double half = 0.5 * t * Math.exp(-z * z + erfcPoly(t)); // erfc(|x|/sqrt2) / 2
        return (float) (x * (x < 0 ? half : 1 - half));
    }

    private static final double INV_SQRT2_D = 0.70710678118654752;
    /** erfcPoly's coefficients, highest degree first. */
    private static final FloatVector[] NR = {FloatVector.broadcast(F, 0.17087277f), FloatVector.broadcast(F, -0.82215223f),
        FloatVector.broadcast(F, 1.48851587f), FloatVector.broadcast(F, -1.13520398f),
        FloatVector.broadcast(F, 0.27886807f), FloatVector.broadcast(F, -0.18628806f),
        FloatVector.broadcast(F, 0.09678418f), FloatVector.broadcast(F, 0.37409196f),
        FloatVector.broadcast(F, 1.00002368f), FloatVector.broadcast(F, -1.26551223f)};

    /** Numerical Recipes 6.2 erfcc: erfc(z) = t exp(-z^2 + P(t)), t = 1 / (1 + z/2), z >= 0. */
    private static double erfcPoly(double t) {
        return -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
                + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
    }

    public static void geluVector(MemorySegment x, MemorySegment out, int from, int to) {
        x = Mem.plain(x); out = Mem.plain(out);
        int i = from;
        for (int upper = from + F.loopBound(to - from); i < upper; i += F.length()) {
            // one loop body, no helper taking a vector: a helper this size is not inlined and its vectors get boxed
            long o = (long) i * 4;
            FloatVector v = FloatVector.fromMemorySegment(F, x, o, ORDER);
            FloatVector ax = v.abs();
            ax = ax.blend(-GELU_ZERO_BELOW, ax.compare(VectorOperators.GT, -GELU_ZERO_BELOW));
            FloatVector t = FloatVector.broadcast(F, 1f).div(ax.fma(0.5f * INV_SQRT2, 1f)); // t = 1 / (1 + z/2)
            FloatVector p = t.fma(NR[0], NR[1]);
            for (int c = 2; c < NR.length; c++) {
                p = p.fma(t, NR[c]);
            }
            // -z^2 = -x^2 / 2 kept as hi + lo: rounding x^2 alone would cost ulp(x^2) of relative accuracy in the tail
            FloatVector xx = ax.mul(ax);
            FloatVector xxLo = ax.fma(ax, xx.neg());
            // e^(hi + lo), hi = -x^2/2, lo = P(t) - xxLo/2: exp(hi, lo) written out here, as are expm1Poly and
            // scalePow2. As a call, C2 sometimes compiles this loop without inlining it ("callee is too large" on a
            // young profile), and then every vector crosses the call boxed: GELU ran 10-25x slower in such a JVM.
            FloatVector hi = xx.mul(-0.5f), lo = p.sub(xxLo.mul(0.5f));
            FloatVector hc = hi.blend(EXP_MIN, hi.lt(EXP_MIN)); // hi = -x^2/2 <= 0 < EXP_MAX
            FloatVector et = hc.add(lo).fma(LOG2E, ROUND);
            FloatVector en = et.sub(ROUND);
            FloatVector r = en.fma(FloatVector.broadcast(F, -LN2_HI), hc);
            r = en.fma(FloatVector.broadcast(F, -LN2_LO), r).add(lo);
            FloatVector q = r.fma(E7, E6).fma(r, E5).fma(r, E4).fma(r, E3).fma(r, E2).fma(r, ONE);
            q = q.mul(r).add(1f);
            IntVector n = (IntVector) et.reinterpretAsInts().sub(ROUND_BITS);
            IntVector n1 = n.lanewise(VectorOperators.ASHR, 1), n2 = n.sub(n1);
            q = q.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            FloatVector half = t.mul(0.5f).mul(q); // erfc(|x|/sqrt2) / 2
            FloatVector phi = half.neg().add(1f).blend(half, v.lt(0f));
            v.mul(phi).blend(-0f, v.lt(GELU_ZERO_BELOW)).intoMemorySegment(out, o, ORDER);
        }
        geluScalar(x, out, i, to);
    }

    // ---- GELU, tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) = x / (1 + e^(-2u)) ----
    // The vector version rounds 2u to float, so its relative error grows as |2u| * 2^-24 in the negative tail
    // (about 1e-6 where the output is near -1e-3), as in any float evaluation.

    private static final double GELU_TANH_C = 2 * Math.sqrt(2 / Math.PI);
    private static final float GELU_TANH_C0 = (float) GELU_TANH_C;
    private static final float GELU_TANH_C1 = (float) (GELU_TANH_C * 0.044715);

    public static void geluTanh(MemorySegment x, MemorySegment out, int from, int to) {
        check("geluTanh", x, out, from, to);
        if (Simd.SCALAR) geluTanhScalar(x, out, from, to); else geluTanhVector(x, out, from, to);
    }

    public static void geluTanhScalar(MemorySegment x, MemorySegment out, int from, int to) {
        x = Mem.plain(x); out = Mem.plain(out);
        for (int i = from; i < to; i++) {
            long o = (long) i * 4;
            double v = x.get(F32, o);
            double u2 = GELU_TANH_C * (v + 0.044715 * v * v * v);
            out.set(F32, o, (float) (v / (1 + Math.exp(-u2))));
        }
    }

    public static void geluTanhVector(MemorySegment x, MemorySegment out, int from, int to) {
        x = Mem.plain(x); out = Mem.plain(out);
        int i = from;
        for (int upper = from + F.loopBound(to - from); i < upper; i += F.length()) {
            long o = (long) i * 4;
            FloatVector v = FloatVector.fromMemorySegment(F, x, o, ORDER);
            FloatVector u2 = v.mul(v).fma(GELU_TANH_C1, GELU_TANH_C0).mul(v);
            v.div(exp(u2.neg()).add(1f)).intoMemorySegment(out, o, ORDER);
        }
        geluTanhScalar(x, out, i, to);
    }

    // ---- QuickGELU (CLIP): x * sigmoid(1.702 x) ----

    public static void quickGelu(MemorySegment x, MemorySegment out, int from, int to) {
        check("quickGelu", x, out, from, to);
        if (Simd.SCALAR) quickGeluScalar(x, out, from, to); else quickGeluVector(x, out, from, to);
    }

    public static void quickGeluScalar(MemorySegment x, MemorySegment out, int from, int to) {
        x = Mem.plain(x); out = Mem.plain(out);
        xSigmoidScalar(x, out, from, to, 1.702);
    }

    /** 1.702 = A_HI + A_LO: a x is formed as hi + lo so that e^(-a x) keeps its relative accuracy for large |x|. */
    private static final float QUICK_A_HI = 1.702f;
    private static final float QUICK_A_LO = (float) (1.702 - QUICK_A_HI);

    public static void quickGeluVector(MemorySegment x, MemorySegment out, int from, int to) {
        x = Mem.plain(x); out = Mem.plain(out);
        int i = from;
        for (int upper = from + F.loopBound(to - from); i < upper; i += F.length()) {
            long o = (long) i * 4;
            FloatVector v = FloatVector.fromMemorySegment(F, x, o, ORDER);
            FloatVector hi = v.mul(-QUICK_A_HI);
            FloatVector lo = v.fma(FloatVector.broadcast(F, -QUICK_A_HI), hi.neg()).add(v.mul(-QUICK_A_LO));
            v.div(exp(hi, lo).add(1f)).intoMemorySegment(out, o, ORDER);
        }
        quickGeluScalar(x, out, i, to);
    }

    // ---- SiLU / swish: x * sigmoid(x) ----

    public static void silu(MemorySegment x, MemorySegment out, int from, int to) {
        check("silu", x, out, from, to);
        if (Simd.SCALAR) siluScalar(x, out, from, to); else siluVector(x, out, from, to);
    }

    public static void siluScalar(MemorySegment x, MemorySegment out, int from, int to) {
        x = Mem.plain(x); out = Mem.plain(out);
        xSigmoidScalar(x, out, from, to, 1.0);
    }

    public static void siluVector(MemorySegment x, MemorySegment out, int from, int to) {
        x = Mem.plain(x); out = Mem.plain(out);
        int i = from;
        for (int upper = from + F.loopBound(to - from); i < upper; i += F.length()) {
            long o = (long) i * 4;
            FloatVector v = FloatVector.fromMemorySegment(F, x, o, ORDER);
            v.div(exp(v.neg()).add(1f)).intoMemorySegment(out, o, ORDER);
        }
        siluScalar(x, out, i, to);
    }

    /** out = x / (1 + e^(-a x)). */
    private static void xSigmoidScalar(MemorySegment x, MemorySegment out, int from, int to, double a) {
        x = Mem.plain(x); out = Mem.plain(out);
        for (int i = from; i < to; i++) {
            long o = (long) i * 4;
            double v = x.get(F32, o);
            out.set(F32, o, (float) (v / (1 + Math.exp(-a * v))));
        }
    }


    // ---- sigmoid: 1 / (1 + e^-x) ----

    public static void sigmoid(MemorySegment x, MemorySegment out, int from, int to) {
        check("sigmoid", x, out, from, to);
        if (Simd.SCALAR) sigmoidScalar(x, out, from, to); else sigmoidVector(x, out, from, to);
    }

    public static void sigmoidScalar(MemorySegment x, MemorySegment out, int from, int to) {
        x = Mem.plain(x); out = Mem.plain(out);
        for (int i = from; i < to; i++) {
            long o = (long) i * 4;
            out.set(F32, o, (float) (1 / (1 + Math.exp(-(double) x.get(F32, o)))));
        }
    }

    public static void sigmoidVector(MemorySegment x, MemorySegment out, int from, int to) {
        x = Mem.plain(x); out = Mem.plain(out);
        int i = from;
        for (int upper = from + F.loopBound(to - from); i < upper; i += F.length()) {
            long o = (long) i * 4;
            sigmoid(FloatVector.fromMemorySegment(F, x, o, ORDER)).intoMemorySegment(out, o, ORDER);
        }
        sigmoidScalar(x, out, i, to);
    }

    /** 1 / (1 + e^-x) per lane with the polynomial exp (the same bits at every JIT tier, unlike lanewise EXP). */
    static FloatVector sigmoid(FloatVector v) {
        return FloatVector.broadcast(F, 1f).div(exp(v.neg()).add(1f));
    }

    // ---- tanh(x) = sign(x) * -m / (2 + m), m = expm1(-2|x|): no cancellation near 0 ----

    /** tanh per lane with the polynomial expm1 (the same bits at every JIT tier, unlike lanewise TANH). */
    static FloatVector tanh(FloatVector v) {
        FloatVector m = expm1(v.abs().mul(-2f));
        FloatVector t = m.neg().div(m.add(2f));
        return t.blend(t.neg(), v.lt(0f));
    }

    public static void tanh(MemorySegment x, MemorySegment out, int from, int to) {
        check("tanh", x, out, from, to);
        if (Simd.SCALAR) tanhScalar(x, out, from, to); else tanhVector(x, out, from, to);
    }

    public static void tanhScalar(MemorySegment x, MemorySegment out, int from, int to) {
        x = Mem.plain(x); out = Mem.plain(out);
        for (int i = from; i < to; i++) {
            long o = (long) i * 4;
            out.set(F32, o, (float) Math.tanh(x.get(F32, o)));
        }
    }

    public static void tanhVector(MemorySegment x, MemorySegment out, int from, int to) {
        x = Mem.plain(x); out = Mem.plain(out);
        int i = from;
        for (int upper = from + F.loopBound(to - from); i < upper; i += F.length()) {
            long o = (long) i * 4;
            tanh(FloatVector.fromMemorySegment(F, x, o, ORDER)).intoMemorySegment(out, o, ORDER);
        }
        tanhScalar(x, out, i, to);
    }

    // ---- softmax over the last dim of [rows, dim], rows [rowStart, rowEnd): e^(x - max) / sum ----
    // A row whose entries are all -inf (fully masked) gives zeros, not NaN.

    public static void softmax(MemorySegment x, MemorySegment out, int dim, int rowStart, int rowEnd) {
        Checks.dims("softmax", "dim", false, dim);
        Checks.require(rowStart >= 0 && rowStart <= rowEnd, "softmax",
                () -> "illegal row range [" + rowStart + ", " + rowEnd + ")");
        Checks.fits("softmax", "x", x, (long) rowEnd * dim, 4);
        Checks.fits("softmax", "out", out, (long) rowEnd * dim, 4);
        if (Simd.SCALAR) softmaxScalar(x, out, dim, rowStart, rowEnd); else softmaxVector(x, out, dim, rowStart, rowEnd);
    }

    public static void softmaxScalar(MemorySegment x, MemorySegment out, int dim, int rowStart, int rowEnd) {
        x = Mem.plain(x); out = Mem.plain(out);
        for (int r = rowStart; r < rowEnd; r++) {
            long base = (long) r * dim * 4;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < dim; j++) {
                max = Math.max(max, x.get(F32, base + j * 4L));
            }
            if (max == Float.NEGATIVE_INFINITY) {
                for (int j = 0; j < dim; j++) {
                    out.set(F32, base + j * 4L, 0f);
                }
                continue;
            }
            double sum = 0;
            for (int j = 0; j < dim; j++) {
                double e = Math.exp((double) x.get(F32, base + j * 4L) - max);
                out.set(F32, base + j * 4L, (float) e);
                sum += e;
            }
            double inv = 1 / sum;
            for (int j = 0; j < dim; j++) {
                out.set(F32, base + j * 4L, (float) (out.get(F32, base + j * 4L) * inv));
            }
        }
    }

    /**
     * The exp pass is written out in the row loop rather than calling {@link #expSubSumVector} (which streaming
     * attention calls). As its own small method, called once per row, expSubSumVector was compiled by C2 early, and
     * in most full {@code bin/foley bench} runs since session 7 that compile kept the exp result and the accumulator
     * as heap objects: two allocations per 16 floats in its loop (session 11, from its assembly), though every helper
     * was inlined. Softmax 1536x128 then ran 2.1-3.6x its scalar reference instead of 8.2x. Neither forcing the
     * helpers' inlining (a compiler directive) nor keeping C1 off the method prevented it. Written out here, where it
     * is compiled with this loop: 6.5-8.0x in four runs of four of {@code bin/foley bench --only peak,simd}.
     */
    public static void softmaxVector(MemorySegment x, MemorySegment out, int dim, int rowStart, int rowEnd) {
        x = Mem.plain(x); out = Mem.plain(out);
        int bound = F.loopBound(dim);
        for (int r = rowStart; r < rowEnd; r++) {
            long base = (long) r * dim * 4;
            FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            int j = 0;
            for (; j < bound; j += F.length()) {
                vmax = vmax.max(FloatVector.fromMemorySegment(F, x, base + j * 4L, ORDER));
            }
            float max = vmax.reduceLanes(VectorOperators.MAX);
            for (; j < dim; j++) {
                max = Math.max(max, x.get(F32, base + j * 4L));
            }
            if (max == Float.NEGATIVE_INFINITY) {
                for (int c = 0; c < dim; c++) {
                    out.set(F32, base + c * 4L, 0f);
                }
                continue;
            }
            // the exp pass, written out (see above)
            FloatVector acc = FloatVector.zero(F);
            for (j = 0; j < bound; j += F.length()) {
                long o = base + j * 4L;
                FloatVector e = exp(FloatVector.fromMemorySegment(F, x, o, ORDER).sub(max));
                e.intoMemorySegment(out, o, ORDER);
                acc = acc.add(e);
            }
            float sum = Simd.sum(acc);
            for (; j < dim; j++) {
                long o = base + j * 4L;
                float e = (float) Math.exp(x.get(F32, o) - max);
                out.set(F32, o, e);
                sum += e;
            }
            float inv = 1f / sum;
            j = 0;
            for (; j < bound; j += F.length()) {
                long o = base + j * 4L;
                FloatVector.fromMemorySegment(F, out, o, ORDER).mul(inv).intoMemorySegment(out, o, ORDER);
            }
            for (; j < dim; j++) {
                out.set(F32, base + j * 4L, out.get(F32, base + j * 4L) * inv);
            }
        }
    }

    /**
     * out[j] = e^(x[j] - max) for j in [0, n) at byte offset {@code base}; returns the sum. softmaxVector has the same
     * pass written out in its row loop (see there why): change both together.
     */
    static float expSubSumVector(MemorySegment x, MemorySegment out, long base, int n, float max) {
        x = Mem.plain(x); out = Mem.plain(out);
        FloatVector acc = FloatVector.zero(F);
        int j = 0;
        for (int bound = F.loopBound(n); j < bound; j += F.length()) {
            long o = base + j * 4L;
            FloatVector e = exp(FloatVector.fromMemorySegment(F, x, o, ORDER).sub(max));
            e.intoMemorySegment(out, o, ORDER);
            acc = acc.add(e);
        }
        float sum = Simd.sum(acc);
        for (; j < n; j++) {
            long o = base + j * 4L;
            float e = (float) Math.exp(x.get(F32, o) - max);
            out.set(F32, o, e);
            sum += e;
        }
        return sum;
    }
}
