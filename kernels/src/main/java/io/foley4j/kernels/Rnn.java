package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.I16;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Recurrent cells on F32 activations with F32 or F16 weights (FP16 weights, FP32 accumulation).
 *
 * <p>LSTM, PyTorch gate order (i, f, g, o): rows {@code [0,H)} of W_ih/W_hh/b are the input gate, {@code [H,2H)} the
 * forget gate, {@code [2H,3H)} the cell candidate g, {@code [3H,4H)} the output gate:
 * <pre>
 *   gates = gx + W_hh h              gx = W_ih x + b_ih + b_hh (precomputed for all steps by {@link #projectF32})
 *   c'    = sigmoid(f) * c + sigmoid(i) * tanh(g)
 *   h'    = sigmoid(o) * tanh(c')
 * </pre>
 * ONNX's LSTM orders the gate blocks (i, o, f, c) instead, c being PyTorch's g: a loader of ONNX weights
 * (W, R, B = [Wb_ih; Rb_hh]) permutes the row blocks to (i, f, g, o) once, at load time.
 *
 * <p>Gate kernels for the engine's batched steps ({@link #lstmGates}, {@link #gruGates}, {@link #gruReset}) take the
 * input part {@code gx} and the recurrent part {@code gh} of the pre-activations separately, both computed by the
 * linear kernels ({@link Matmul}, {@link MatmulHalf}, {@link MatmulQ8}), so any weight dtype shares them.
 * ONNX peepholes (LSTM with P): {@code i = sig(.. + p_i c)}, {@code f = sig(.. + p_f c)} with the previous c, and
 * {@code o = sig(.. + p_o c')} with the new one; {@code peep} is {@code [3H]} in the order (p_i, p_f, p_o) (ONNX
 * stores (p_i, p_o, p_f)).
 *
 * <p>GRU, PyTorch gate order (r, z, n); ONNX orders (z, r, h). With {@code gx = W_ih x + b_ih} and
 * {@code gh = W_hh h + b_hh}:
 * <pre>
 *   r = sig(gx_r + gh_r)    z = sig(gx_z + gh_z)
 *   n = tanh(gx_n + r * gh_n)                      reset after the product (PyTorch; ONNX linear_before_reset=1)
 *   n = tanh(gx_n + W_hn (r * h) + b_hn)           reset before it (ONNX default): gh_n computed from gruReset's r*h
 *   h' = (1 - z) * n + z * h
 * </pre>
 *
 * <p>A cell kernel covers hidden units {@code [j0, j1)}, all four gates of each unit, so the engine can split units
 * over threads. Every unit reads the whole previous {@code h}, so {@code hOut} must be a different buffer than
 * {@code h} (double buffering); {@code c} is updated in place since unit j reads and writes only {@code c[j]}.
 */
public final class Rnn {
    private Rnn() {}

    // ---- projection: out[t, r] = b1[r] + b2[r] + W[r, :] . x[t, :] for t in [0, steps), r in [r0, r1) ----

    private static void checkProject(String op, MemorySegment x, int steps, int in, MemorySegment w, int wBytes,
                                     int rows, MemorySegment b1, MemorySegment b2, MemorySegment out, int r0, int r1) {
        Checks.dims(op, "(steps, in, rows)", true, steps, in, rows);
        Checks.fits(op, () -> "x [" + steps + ", " + in + "]", x, (long) steps * in, 4);
        Checks.fits(op, () -> "w [" + rows + ", " + in + "]", w, (long) rows * in, wBytes);
        if (b1 != null) {
            Checks.fits(op, () -> "b1 [" + rows + "]", b1, rows, 4);
        }
        if (b2 != null) {
            Checks.fits(op, () -> "b2 [" + rows + "]", b2, rows, 4);
        }
        Checks.fits(op, () -> "out [" + steps + ", " + rows + "]", out, (long) steps * rows, 4);
        Checks.range(op, "row", r0, r1, rows);
    }

    /** F32 weights [rows, in]. {@code b1}, {@code b2} ([rows], nullable) may alias {@code out} when steps = 1. */
    public static void projectF32(MemorySegment x, int steps, int in, MemorySegment w, int rows,
                                  MemorySegment b1, MemorySegment b2, MemorySegment out, int r0, int r1) {
        checkProject("projectF32", x, steps, in, w, 4, rows, b1, b2, out, r0, r1);
        if (Simd.SCALAR) projectF32Scalar(x, steps, in, w, rows, b1, b2, out, r0, r1);
        else projectF32Vector(x, steps, in, w, rows, b1, b2, out, r0, r1);
    }

    public static void projectF32Scalar(MemorySegment x, int steps, int in, MemorySegment w, int rows,
                                        MemorySegment b1, MemorySegment b2, MemorySegment out, int r0, int r1) {
        x = Mem.plain(x); w = Mem.plain(w); b1 = Mem.plain(b1); b2 = Mem.plain(b2); out = Mem.plain(out);
        for (int t = 0; t < steps; t++) {
            for (int r = r0; r < r1; r++) {
                float acc = 0f;
                for (int k = 0; k < in; k++) {
                    acc = Math.fma(w.get(F32, ((long) r * in + k) * 4), x.get(F32, ((long) t * in + k) * 4), acc);
                }
                store(out, (long) t * rows + r, acc, b1, b2, r);
            }
        }
    }

    /** Four weight rows share each load of x. */
    public static void projectF32Vector(MemorySegment x, int steps, int in, MemorySegment w, int rows,
                                        MemorySegment b1, MemorySegment b2, MemorySegment out, int r0, int r1) {
        x = Mem.plain(x); w = Mem.plain(w); b1 = Mem.plain(b1); b2 = Mem.plain(b2); out = Mem.plain(out);
        int ub = F.loopBound(in);
        for (int t = 0; t < steps; t++) {
            long xo = (long) t * in * 4, oRow = (long) t * rows;
            int r = r0;
            for (; r + 4 <= r1; r += 4) {
                long w0 = (long) r * in * 4, w1 = w0 + 4L * in, w2 = w1 + 4L * in, w3 = w2 + 4L * in;
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                int k = 0;
                for (; k < ub; k += F.length()) {
                    long o = 4L * k;
                    FloatVector xv = FloatVector.fromMemorySegment(F, x, xo + o, ORDER);
                    a0 = FloatVector.fromMemorySegment(F, w, w0 + o, ORDER).fma(xv, a0);
                    a1 = FloatVector.fromMemorySegment(F, w, w1 + o, ORDER).fma(xv, a1);
                    a2 = FloatVector.fromMemorySegment(F, w, w2 + o, ORDER).fma(xv, a2);
                    a3 = FloatVector.fromMemorySegment(F, w, w3 + o, ORDER).fma(xv, a3);
                }
                float s0 = Simd.sum(a0), s1 = Simd.sum(a1);
                float s2 = Simd.sum(a2), s3 = Simd.sum(a3);
                for (; k < in; k++) {
                    long o = 4L * k;
                    float xs = x.get(F32, xo + o);
                    s0 = Math.fma(w.get(F32, w0 + o), xs, s0);
                    s1 = Math.fma(w.get(F32, w1 + o), xs, s1);
                    s2 = Math.fma(w.get(F32, w2 + o), xs, s2);
                    s3 = Math.fma(w.get(F32, w3 + o), xs, s3);
                }
                store(out, oRow + r, s0, b1, b2, r);
                store(out, oRow + r + 1, s1, b1, b2, r + 1);
                store(out, oRow + r + 2, s2, b1, b2, r + 2);
                store(out, oRow + r + 3, s3, b1, b2, r + 3);
            }
            for (; r < r1; r++) {
                long w0 = (long) r * in * 4;
                FloatVector a = FloatVector.zero(F);
                int k = 0;
                for (; k < ub; k += F.length()) {
                    a = FloatVector.fromMemorySegment(F, w, w0 + 4L * k, ORDER)
                            .fma(FloatVector.fromMemorySegment(F, x, xo + 4L * k, ORDER), a);
                }
                float s = Simd.sum(a);
                for (; k < in; k++) {
                    s = Math.fma(w.get(F32, w0 + 4L * k), x.get(F32, xo + 4L * k), s);
                }
                store(out, oRow + r, s, b1, b2, r);
            }
        }
    }

    /** F16 weights [rows, in], converted to F32 in registers; accumulation in F32. */
    public static void projectF16(MemorySegment x, int steps, int in, MemorySegment w, int rows,
                                  MemorySegment b1, MemorySegment b2, MemorySegment out, int r0, int r1) {
        checkProject("projectF16", x, steps, in, w, 2, rows, b1, b2, out, r0, r1);
        if (Simd.SCALAR) projectF16Scalar(x, steps, in, w, rows, b1, b2, out, r0, r1);
        else projectF16Vector(x, steps, in, w, rows, b1, b2, out, r0, r1);
    }

    public static void projectF16Scalar(MemorySegment x, int steps, int in, MemorySegment w, int rows,
                                        MemorySegment b1, MemorySegment b2, MemorySegment out, int r0, int r1) {
        x = Mem.plain(x); w = Mem.plain(w); b1 = Mem.plain(b1); b2 = Mem.plain(b2); out = Mem.plain(out);
        for (int t = 0; t < steps; t++) {
            for (int r = r0; r < r1; r++) {
                float acc = 0f;
                for (int k = 0; k < in; k++) {
                    float wk = Float.float16ToFloat(w.get(I16, ((long) r * in + k) * 2));
                    acc = Math.fma(wk, x.get(F32, ((long) t * in + k) * 4), acc);
                }
                store(out, (long) t * rows + r, acc, b1, b2, r);
            }
        }
    }

    /**
     * One row at a time, so the conversion has a single call site: with four rows sharing each x load (as in
     * {@link #projectF32Vector}) C2 stops inlining the conversion and boxes the vectors, running several times slower.
     */
    public static void projectF16Vector(MemorySegment x, int steps, int in, MemorySegment w, int rows,
                                        MemorySegment b1, MemorySegment b2, MemorySegment out, int r0, int r1) {
        x = Mem.plain(x); w = Mem.plain(w); b1 = Mem.plain(b1); b2 = Mem.plain(b2); out = Mem.plain(out);
        int ub = F.loopBound(in);
        for (int t = 0; t < steps; t++) {
            long xo = (long) t * in * 4, oRow = (long) t * rows;
            for (int r = r0; r < r1; r++) {
                long w0 = (long) r * in * 2;
                FloatVector a = FloatVector.zero(F);
                int k = 0;
                for (; k < ub; k += F.length()) {
                    a = loadF16(w, w0 + 2L * k).fma(FloatVector.fromMemorySegment(F, x, xo + 4L * k, ORDER), a);
                }
                float s = Simd.sum(a);
                for (; k < in; k++) {
                    s = Math.fma(Float.float16ToFloat(w.get(I16, w0 + 2L * k)), x.get(F32, xo + 4L * k), s);
                }
                store(out, oRow + r, s, b1, b2, r);
            }
        }
    }

    // out[idx] = acc + b1[r] + b2[r]; the biases are read before out is written, so they may alias it
    private static void store(MemorySegment out, long idx, float acc, MemorySegment b1, MemorySegment b2, int r) {
        out = Mem.plain(out); b1 = Mem.plain(b1); b2 = Mem.plain(b2);
        if (b1 != null) {
            acc += b1.get(F32, r * 4L);
        }
        if (b2 != null) {
            acc += b2.get(F32, r * 4L);
        }
        out.set(F32, idx * 4, acc);
    }

    /** F16 lanes (IEEE binary16 bits at {@code byteOff}) widened to F32, exactly as {@link Float#float16ToFloat}. */
    static FloatVector loadF16(MemorySegment w, long byteOff) {
        w = Mem.plain(w);
        ShortVector s = ShortVector.fromMemorySegment(Simd.S_FOR_F, w, byteOff, ORDER);
        return f16BitsToF32((IntVector) s.convertShape(VectorOperators.S2I, Simd.I, 0));
    }

    /**
     * Magnitude bits shifted into F32 position read as a float are 2^-112 times the value for normal and subnormal
     * halves alike (the multiply renormalizes subnormals exactly); exponent 31 (inf, NaN) maps to exponent 255.
     */
    static FloatVector f16BitsToF32(IntVector h) {
        IntVector mag = h.and(0x7FFF);
        IntVector shifted = mag.lanewise(VectorOperators.LSHL, 13);
        IntVector finite = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> special = mag.compare(VectorOperators.GE, 0x7C00);
        IntVector bits = finite.blend(shifted.or(0x7F800000), special)
                .or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16));
        return bits.reinterpretAsFloats();
    }

    // ---- LSTM cell over hidden units [j0, j1) ----

    private static void checkCell(String op, MemorySegment gx, MemorySegment whh, int wBytes, MemorySegment h,
                                  MemorySegment c, MemorySegment hOut, MemorySegment gates, int hidden, int j0, int j1) {
        Checks.dims(op, "(hidden)", false, hidden);
        int g4 = Math.multiplyExact(4, hidden);
        Checks.fits(op, () -> "gx [" + g4 + "]", gx, g4, 4);
        Checks.fits(op, () -> "whh [" + g4 + ", " + hidden + "]", whh, (long) g4 * hidden, wBytes);
        Checks.fits(op, () -> "h [" + hidden + "]", h, hidden, 4);
        Checks.fits(op, () -> "c [" + hidden + "]", c, hidden, 4);
        Checks.fits(op, () -> "hOut [" + hidden + "]", hOut, hidden, 4);
        Checks.fits(op, () -> "gates (scratch) [" + g4 + "]", gates, g4, 4);
        Checks.require(h.asSlice(0, hidden * 4L).asOverlappingSlice(hOut.asSlice(0, hidden * 4L)).isEmpty(), op,
                "hOut overlaps h: other units still read h, use a second buffer");
        Checks.range(op, "hidden unit", j0, j1, hidden);
    }

    /**
     * One step for units [j0, j1). {@code gates} [4H] is scratch (rows {@code g*H + j} written); it may be
     * {@code gx} itself. W_hh is F32 [4H, H].
     */
    public static void lstmCellF32(MemorySegment gx, MemorySegment whh, MemorySegment h, MemorySegment c,
                                   MemorySegment hOut, MemorySegment gates, int hidden, int j0, int j1) {
        checkCell("lstmCellF32", gx, whh, 4, h, c, hOut, gates, hidden, j0, j1);
        if (Simd.SCALAR) lstmCellF32Scalar(gx, whh, h, c, hOut, gates, hidden, j0, j1);
        else lstmCellF32Vector(gx, whh, h, c, hOut, gates, hidden, j0, j1);
    }

    public static void lstmCellF32Scalar(MemorySegment gx, MemorySegment whh, MemorySegment h, MemorySegment c,
                                         MemorySegment hOut, MemorySegment gates, int hidden, int j0, int j1) {
        gx = Mem.plain(gx); whh = Mem.plain(whh); h = Mem.plain(h); c = Mem.plain(c); hOut = Mem.plain(hOut);
        gates = Mem.plain(gates);
        for (int g = 0; g < 4; g++) {
            projectF32Scalar(h, 1, hidden, whh, 4 * hidden, gx, null, gates, g * hidden + j0, g * hidden + j1);
        }
        pointwiseScalar(gates, c, hOut, hidden, j0, j1);
    }

    public static void lstmCellF32Vector(MemorySegment gx, MemorySegment whh, MemorySegment h, MemorySegment c,
                                         MemorySegment hOut, MemorySegment gates, int hidden, int j0, int j1) {
        gx = Mem.plain(gx); whh = Mem.plain(whh); h = Mem.plain(h); c = Mem.plain(c); hOut = Mem.plain(hOut);
        gates = Mem.plain(gates);
        for (int g = 0; g < 4; g++) {
            projectF32Vector(h, 1, hidden, whh, 4 * hidden, gx, null, gates, g * hidden + j0, g * hidden + j1);
        }
        pointwiseVector(gates, c, hOut, hidden, j0, j1);
    }

    /** As {@link #lstmCellF32} with W_hh in F16 [4H, H]. */
    public static void lstmCellF16(MemorySegment gx, MemorySegment whh, MemorySegment h, MemorySegment c,
                                   MemorySegment hOut, MemorySegment gates, int hidden, int j0, int j1) {
        checkCell("lstmCellF16", gx, whh, 2, h, c, hOut, gates, hidden, j0, j1);
        if (Simd.SCALAR) lstmCellF16Scalar(gx, whh, h, c, hOut, gates, hidden, j0, j1);
        else lstmCellF16Vector(gx, whh, h, c, hOut, gates, hidden, j0, j1);
    }

    public static void lstmCellF16Scalar(MemorySegment gx, MemorySegment whh, MemorySegment h, MemorySegment c,
                                         MemorySegment hOut, MemorySegment gates, int hidden, int j0, int j1) {
        gx = Mem.plain(gx); whh = Mem.plain(whh); h = Mem.plain(h); c = Mem.plain(c); hOut = Mem.plain(hOut);
        gates = Mem.plain(gates);
        for (int g = 0; g < 4; g++) {
            projectF16Scalar(h, 1, hidden, whh, 4 * hidden, gx, null, gates, g * hidden + j0, g * hidden + j1);
        }
        pointwiseScalar(gates, c, hOut, hidden, j0, j1);
    }

    public static void lstmCellF16Vector(MemorySegment gx, MemorySegment whh, MemorySegment h, MemorySegment c,
                                         MemorySegment hOut, MemorySegment gates, int hidden, int j0, int j1) {
        gx = Mem.plain(gx); whh = Mem.plain(whh); h = Mem.plain(h); c = Mem.plain(c); hOut = Mem.plain(hOut);
        gates = Mem.plain(gates);
        for (int g = 0; g < 4; g++) {
            projectF16Vector(h, 1, hidden, whh, 4 * hidden, gx, null, gates, g * hidden + j0, g * hidden + j1);
        }
        pointwiseVector(gates, c, hOut, hidden, j0, j1);
    }

    // c[j] = sig(f) c[j] + sig(i) tanh(g);  hOut[j] = sig(o) tanh(c[j])
    private static void pointwiseScalar(MemorySegment gates, MemorySegment c, MemorySegment hOut, int hidden,
                                        int j0, int j1) {
        gates = Mem.plain(gates); c = Mem.plain(c); hOut = Mem.plain(hOut);
        long hb = 4L * hidden;
        for (int j = j0; j < j1; j++) {
            long o = 4L * j;
            float i = sigmoid(gates.get(F32, o)), f = sigmoid(gates.get(F32, o + hb));
            float g = (float) Math.tanh(gates.get(F32, o + 2 * hb)), og = sigmoid(gates.get(F32, o + 3 * hb));
            float cNew = Math.fma(f, c.get(F32, o), i * g);
            c.set(F32, o, cNew);
            hOut.set(F32, o, og * (float) Math.tanh(cNew));
        }
    }

    private static void pointwiseVector(MemorySegment gates, MemorySegment c, MemorySegment hOut, int hidden,
                                        int j0, int j1) {
        gates = Mem.plain(gates); c = Mem.plain(c); hOut = Mem.plain(hOut);
        long hb = 4L * hidden;
        int j = j0;
        for (int ub = j0 + F.loopBound(j1 - j0); j < ub; j += F.length()) {
            long o = 4L * j;
            FloatVector i = sigmoid(FloatVector.fromMemorySegment(F, gates, o, ORDER));
            FloatVector f = sigmoid(FloatVector.fromMemorySegment(F, gates, o + hb, ORDER));
            FloatVector g = Activation.tanh(FloatVector.fromMemorySegment(F, gates, o + 2 * hb, ORDER));
            FloatVector og = sigmoid(FloatVector.fromMemorySegment(F, gates, o + 3 * hb, ORDER));
            FloatVector cNew = f.fma(FloatVector.fromMemorySegment(F, c, o, ORDER), i.mul(g));
            cNew.intoMemorySegment(c, o, ORDER);
            og.mul(Activation.tanh(cNew)).intoMemorySegment(hOut, o, ORDER);
        }
        pointwiseScalar(gates, c, hOut, hidden, j, j1);
    }

    private static float sigmoid(float x) {
        return 1f / (1f + (float) Math.exp(-x));
    }

    private static FloatVector sigmoid(FloatVector x) {
        return Activation.sigmoid(x);
    }

    // ---- gates of one batch item over hidden units [j0, j1), pre-activations split into gx and gh ----

    private static void checkGates(String op, int gates, MemorySegment gx, MemorySegment gh, MemorySegment peep,
                                   MemorySegment h, MemorySegment hOut, int hidden, int j0, int j1) {
        Checks.dims(op, "(hidden)", false, hidden);
        long g = (long) gates * hidden;
        Checks.fits(op, () -> "gx [" + g + "]", gx, g, 4);
        Checks.fits(op, () -> "gh [" + g + "]", gh, g, 4);
        if (peep != null) {
            Checks.fits(op, () -> "peephole [" + 3L * hidden + "]", peep, 3L * hidden, 4);
        }
        Checks.fits(op, () -> (gates == 4 ? "c [" : "h [") + hidden + "]", h, hidden, 4);
        Checks.fits(op, () -> "hOut [" + hidden + "]", hOut, hidden, 4);
        Checks.range(op, "hidden unit", j0, j1, hidden);
    }

    /**
     * LSTM gates (i, f, g, o) = gx + gh, {@code peep} [3H] or null: updates {@code c} [H] in place and writes
     * {@code hOut} [H] = sig(o) tanh(c') for units [j0, j1).
     */
    public static void lstmGates(MemorySegment gx, MemorySegment gh, MemorySegment peep, MemorySegment c,
                                 MemorySegment hOut, int hidden, int j0, int j1) {
        checkGates("lstmGates", 4, gx, gh, peep, c, hOut, hidden, j0, j1);
        if (Simd.SCALAR) lstmGatesScalar(gx, gh, peep, c, hOut, hidden, j0, j1);
        else lstmGatesVector(gx, gh, peep, c, hOut, hidden, j0, j1);
    }

    public static void lstmGatesScalar(MemorySegment gx, MemorySegment gh, MemorySegment peep, MemorySegment c,
                                       MemorySegment hOut, int hidden, int j0, int j1) {
        gx = Mem.plain(gx); gh = Mem.plain(gh); peep = Mem.plain(peep); c = Mem.plain(c); hOut = Mem.plain(hOut);
        long hb = 4L * hidden;
        for (int j = j0; j < j1; j++) {
            long o = 4L * j;
            float cPrev = c.get(F32, o);
            float pi = 0f, pf = 0f, po = 0f;
            if (peep != null) {
                pi = peep.get(F32, o);
                pf = peep.get(F32, o + hb);
                po = peep.get(F32, o + 2 * hb);
            }
            float i = sigmoid(gx.get(F32, o) + gh.get(F32, o) + pi * cPrev);
            float f = sigmoid(gx.get(F32, o + hb) + gh.get(F32, o + hb) + pf * cPrev);
            float g = (float) Math.tanh(gx.get(F32, o + 2 * hb) + gh.get(F32, o + 2 * hb));
            float cNew = Math.fma(f, cPrev, i * g);
            float og = sigmoid(gx.get(F32, o + 3 * hb) + gh.get(F32, o + 3 * hb) + po * cNew);
            c.set(F32, o, cNew);
            hOut.set(F32, o, og * (float) Math.tanh(cNew));
        }
    }

    public static void lstmGatesVector(MemorySegment gx, MemorySegment gh, MemorySegment peep, MemorySegment c,
                                       MemorySegment hOut, int hidden, int j0, int j1) {
        gx = Mem.plain(gx); gh = Mem.plain(gh); peep = Mem.plain(peep); c = Mem.plain(c); hOut = Mem.plain(hOut);
        long hb = 4L * hidden;
        int j = j0;
        for (int ub = j0 + F.loopBound(j1 - j0); j < ub; j += F.length()) {
            long o = 4L * j;
            FloatVector cPrev = FloatVector.fromMemorySegment(F, c, o, ORDER);
            FloatVector ai = sum(gx, gh, o), af = sum(gx, gh, o + hb), ao = sum(gx, gh, o + 3 * hb);
            if (peep != null) {
                ai = FloatVector.fromMemorySegment(F, peep, o, ORDER).fma(cPrev, ai);
                af = FloatVector.fromMemorySegment(F, peep, o + hb, ORDER).fma(cPrev, af);
            }
            FloatVector g = Activation.tanh(sum(gx, gh, o + 2 * hb));
            FloatVector cNew = sigmoid(af).fma(cPrev, sigmoid(ai).mul(g));
            if (peep != null) {
                ao = FloatVector.fromMemorySegment(F, peep, o + 2 * hb, ORDER).fma(cNew, ao);
            }
            cNew.intoMemorySegment(c, o, ORDER);
            sigmoid(ao).mul(Activation.tanh(cNew)).intoMemorySegment(hOut, o, ORDER);
        }
        lstmGatesScalar(gx, gh, peep, c, hOut, hidden, j, j1);
    }

    /**
     * GRU gates (r, z, n) for units [j0, j1): {@code hOut = (1 - z) n + z h}; {@code resetAfter} selects
     * {@code n = tanh(gx_n + r gh_n)}, otherwise {@code n = tanh(gx_n + gh_n)} (gh_n already computed from r*h).
     */
    public static void gruGates(MemorySegment gx, MemorySegment gh, MemorySegment h, MemorySegment hOut,
                                boolean resetAfter, int hidden, int j0, int j1) {
        checkGates("gruGates", 3, gx, gh, null, h, hOut, hidden, j0, j1);
        if (Simd.SCALAR) gruGatesScalar(gx, gh, h, hOut, resetAfter, hidden, j0, j1);
        else gruGatesVector(gx, gh, h, hOut, resetAfter, hidden, j0, j1);
    }

    public static void gruGatesScalar(MemorySegment gx, MemorySegment gh, MemorySegment h, MemorySegment hOut,
                                      boolean resetAfter, int hidden, int j0, int j1) {
        gx = Mem.plain(gx); gh = Mem.plain(gh); h = Mem.plain(h); hOut = Mem.plain(hOut);
        long hb = 4L * hidden;
        for (int j = j0; j < j1; j++) {
            long o = 4L * j;
            float r = sigmoid(gx.get(F32, o) + gh.get(F32, o));
            float z = sigmoid(gx.get(F32, o + hb) + gh.get(F32, o + hb));
            float ghn = gh.get(F32, o + 2 * hb);
            float n = (float) Math.tanh(gx.get(F32, o + 2 * hb) + (resetAfter ? r * ghn : ghn));
            hOut.set(F32, o, Math.fma(z, h.get(F32, o) - n, n)); // (1 - z) n + z h = n + z (h - n)
        }
    }

    public static void gruGatesVector(MemorySegment gx, MemorySegment gh, MemorySegment h, MemorySegment hOut,
                                      boolean resetAfter, int hidden, int j0, int j1) {
        gx = Mem.plain(gx); gh = Mem.plain(gh); h = Mem.plain(h); hOut = Mem.plain(hOut);
        long hb = 4L * hidden;
        int j = j0;
        for (int ub = j0 + F.loopBound(j1 - j0); j < ub; j += F.length()) {
            long o = 4L * j;
            FloatVector z = sigmoid(sum(gx, gh, o + hb));
            FloatVector ghn = FloatVector.fromMemorySegment(F, gh, o + 2 * hb, ORDER);
            FloatVector xn = FloatVector.fromMemorySegment(F, gx, o + 2 * hb, ORDER);
            FloatVector n = Activation.tanh(resetAfter ? sigmoid(sum(gx, gh, o)).fma(ghn, xn) : xn.add(ghn));
            z.fma(FloatVector.fromMemorySegment(F, h, o, ORDER).sub(n), n).intoMemorySegment(hOut, o, ORDER);
        }
        gruGatesScalar(gx, gh, h, hOut, resetAfter, hidden, j, j1);
    }

    /** {@code rh[j] = sig(gx_r[j] + gh_r[j]) * h[j]} for units [j0, j1): the reset hidden state of an ONNX GRU. */
    public static void gruReset(MemorySegment gx, MemorySegment gh, MemorySegment h, MemorySegment rh, int hidden,
                                int j0, int j1) {
        checkGates("gruReset", 1, gx, gh, null, h, rh, hidden, j0, j1);
        if (Simd.SCALAR) gruResetScalar(gx, gh, h, rh, hidden, j0, j1);
        else gruResetVector(gx, gh, h, rh, hidden, j0, j1);
    }

    public static void gruResetScalar(MemorySegment gx, MemorySegment gh, MemorySegment h, MemorySegment rh,
                                      int hidden, int j0, int j1) {
        gx = Mem.plain(gx); gh = Mem.plain(gh); h = Mem.plain(h); rh = Mem.plain(rh);
        for (int j = j0; j < j1; j++) {
            long o = 4L * j;
            rh.set(F32, o, sigmoid(gx.get(F32, o) + gh.get(F32, o)) * h.get(F32, o));
        }
    }

    public static void gruResetVector(MemorySegment gx, MemorySegment gh, MemorySegment h, MemorySegment rh,
                                      int hidden, int j0, int j1) {
        gx = Mem.plain(gx); gh = Mem.plain(gh); h = Mem.plain(h); rh = Mem.plain(rh);
        int j = j0;
        for (int ub = j0 + F.loopBound(j1 - j0); j < ub; j += F.length()) {
            long o = 4L * j;
            sigmoid(sum(gx, gh, o)).mul(FloatVector.fromMemorySegment(F, h, o, ORDER)).intoMemorySegment(rh, o, ORDER);
        }
        gruResetScalar(gx, gh, h, rh, hidden, j, j1);
    }

    private static FloatVector sum(MemorySegment a, MemorySegment b, long o) {
        a = Mem.plain(a); b = Mem.plain(b);
        return FloatVector.fromMemorySegment(F, a, o, ORDER).add(FloatVector.fromMemorySegment(F, b, o, ORDER));
    }
}
