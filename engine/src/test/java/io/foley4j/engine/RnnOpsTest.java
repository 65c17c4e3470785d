package io.foley4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.kernels.Diff;
import io.foley4j.kernels.Mem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * RnnOps.lstm vs the double-precision LSTM equations: max absolute error of h and of the final c, tolerance
 * {@value #TOL} with F32 weights. Chunked, streamed and 2-thread runs match one 1-thread call within {@value #SAME}
 * (same code per element, but Vector API lane reductions may round differently before and after C2 compiles a method).
 */
class RnnOpsTest {
    static final double SAME = 1e-6;
    static final double TOL = 1e-5;
    static final WorkerPool ONE = new WorkerPool(1), TWO = new WorkerPool(2);

    @AfterAll
    static void close() {
        ONE.close();
        TWO.close();
    }

    /** Weights, input and start state of one layer, plus its double-precision reference. */
    record Case(int hid, int in, int steps, float[] x, float[] wih, float[] whh, float[] bih, float[] bhh, float[] h0,
                float[] c0) {
        static Case random(long seed, int hid, int in, int steps) {
            double k = 1 / Math.sqrt(hid);
            return new Case(hid, in, steps, ConvOpsTest.floats(seed, steps * in, 1),
                    ConvOpsTest.floats(seed + 1, 4 * hid * in, k), ConvOpsTest.floats(seed + 2, 4 * hid * hid, k),
                    ConvOpsTest.floats(seed + 3, 4 * hid, k), ConvOpsTest.floats(seed + 4, 4 * hid, k),
                    ConvOpsTest.floats(seed + 5, hid, 0.5), ConvOpsTest.floats(seed + 6, hid, 1));
        }

        /** [h of every step..., final c]. */
        float[] reference() {
            double[] h = new double[hid], c = new double[hid], g = new double[4 * hid];
            float[] out = new float[(steps + 1) * hid];
            for (int j = 0; j < hid; j++) {
                h[j] = h0[j];
                c[j] = c0[j];
            }
            for (int t = 0; t < steps; t++) {
                for (int r = 0; r < 4 * hid; r++) {
                    double a = (double) bih[r] + bhh[r];
                    for (int i = 0; i < in; i++) a += (double) wih[r * in + i] * x[t * in + i];
                    for (int i = 0; i < hid; i++) a += (double) whh[r * hid + i] * h[i];
                    g[r] = a;
                }
                for (int j = 0; j < hid; j++) { // PyTorch gate order i, f, g, o
                    c[j] = sig(g[hid + j]) * c[j] + sig(g[j]) * Math.tanh(g[2 * hid + j]);
                    h[j] = sig(g[3 * hid + j]) * Math.tanh(c[j]);
                    out[t * hid + j] = (float) h[j];
                }
            }
            for (int j = 0; j < hid; j++) out[steps * hid + j] = (float) c[j];
            return out;
        }

        RnnOps.LstmWeights weights(Arena arena, DType dtype) {
            return new RnnOps.LstmWeights(tensor(arena, dtype, wih, 4 * hid, in), tensor(arena, dtype, whh, 4 * hid, hid),
                    Tensor.ofFloats(arena, bih, 4 * hid), Tensor.ofFloats(arena, bhh, 4 * hid));
        }

        RnnOps.LstmState state(Arena arena) {
            return new RnnOps.LstmState(Tensor.ofFloats(arena, h0, hid), Tensor.ofFloats(arena, c0, hid));
        }
    }

    static Tensor tensor(Arena arena, DType dtype, float[] v, int... shape) {
        if (dtype == DType.F32) return Tensor.ofFloats(arena, v, shape);
        Tensor t = Tensor.allocate(arena, DType.F16, shape);
        for (int i = 0; i < v.length; i++) t.data().set(Mem.I16, 2L * i, Float.floatToFloat16(v[i]));
        return t;
    }

    static double sig(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** Runs the case in calls of {@code perCall} steps carrying the state; returns [h of every step..., final c]. */
    static float[] run(Arena arena, WorkerPool pool, Case k, DType dtype, int maxSteps, int perCall) {
        RnnOps.LstmWeights w = k.weights(arena, dtype);
        RnnOps.LstmState st = k.state(arena);
        RnnOps.LstmScratch scratch = RnnOps.LstmScratch.allocate(arena, k.hid(), maxSteps);
        Tensor x = Tensor.ofFloats(arena, k.x(), k.steps(), k.in());
        Tensor out = Tensor.allocate(arena, DType.F32, k.steps(), k.hid());
        for (int t = 0; t < k.steps(); t += perCall) {
            int n = Math.min(perCall, k.steps() - t);
            RnnOps.lstm(pool, x.slice(t, t + n), w, st, out.slice(t, t + n), scratch);
            float[] last = out.row(t + n - 1).toFloats(), h = st.h().toFloats();
            assertEquals(0.0, Diff.of(h, last).maxAbs(), "state h holds a copy of the last output");
        }
        float[] r = new float[(k.steps() + 1) * k.hid()];
        System.arraycopy(out.toFloats(), 0, r, 0, k.steps() * k.hid());
        System.arraycopy(st.c().toFloats(), 0, r, k.steps() * k.hid(), k.hid());
        return r;
    }

    @Test
    void lstmMatchesReferenceAcrossChunksAndCalls() {
        try (Arena arena = Arena.ofShared()) {
            Case k = Case.random(7, 37, 23, 9);
            float[] ref = k.reference();
            float[] whole = run(arena, ONE, k, DType.F32, 9, 9);
            Diff d = Diff.of(whole, ref, 1.0);
            assertTrue(d.maxAbs() <= TOL, "one call: " + d);
            Diff chunked = Diff.of(run(arena, ONE, k, DType.F32, 4, 9), whole);
            assertTrue(chunked.maxAbs() <= SAME, "chunks of 4 steps: " + chunked);
            Diff streamed = Diff.of(run(arena, ONE, k, DType.F32, 9, 2), whole);
            assertTrue(streamed.maxAbs() <= SAME, "streamed 2 steps a call: " + streamed);
        }
    }

    @Test
    void largeLayerSplitsOverThreads() {
        try (Arena arena = Arena.ofShared()) {
            Case k = Case.random(11, 512, 64, 3);
            float[] one = run(arena, ONE, k, DType.F32, 3, 3);
            Diff d = Diff.of(one, k.reference(), 1.0);
            assertTrue(d.maxAbs() <= TOL, "hidden 512: " + d);
            Diff split = Diff.of(run(arena, TWO, k, DType.F32, 3, 3), one);
            assertTrue(split.maxAbs() <= SAME, "2 threads vs 1: " + split);
        }
    }

    @Test
    void f16WeightsStayWithinBudget() {
        try (Arena arena = Arena.ofShared()) {
            Case k = Case.random(13, 64, 32, 6);
            Diff d = Diff.of(run(arena, ONE, k, DType.F16, 6, 6), k.reference(), 1.0);
            assertTrue(d.maxAbs() <= 5e-4, "F16 weights vs F32 reference (budget 5e-4): " + d);
        }
    }

    private static void fails(Executable e, String... words) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String word : words) {
            assertTrue(ex.getMessage().contains(word), "message '" + ex.getMessage() + "' lacks '" + word + "'");
        }
    }

    @Test
    void badInputIsRejected() {
        try (Arena arena = Arena.ofShared()) {
            Case k = Case.random(3, 8, 5, 2);
            RnnOps.LstmWeights w = k.weights(arena, DType.F32);
            RnnOps.LstmState st = k.state(arena);
            RnnOps.LstmScratch sc = RnnOps.LstmScratch.allocate(arena, 8, 2);
            Tensor x = Tensor.allocate(arena, DType.F32, 2, 5), out = Tensor.allocate(arena, DType.F32, 2, 8);
            RnnOps.lstm(ONE, x, w, st, out, sc); // the valid call the failures below perturb
            fails(() -> RnnOps.lstm(ONE, Tensor.allocate(arena, DType.F32, 2, 6), w, st, out, sc), "lstm", "x", "[T, 5]");
            fails(() -> RnnOps.lstm(ONE, x, w, st, Tensor.allocate(arena, DType.F32, 2, 7), sc), "lstm", "out", "[2, 8]");
            fails(() -> RnnOps.lstm(ONE, x, w, RnnOps.LstmState.zeros(arena, 7), out, sc), "lstm", "state");
            fails(() -> RnnOps.lstm(ONE, x, w, st, out, RnnOps.LstmScratch.allocate(arena, 9, 2)), "lstm", "scratch");
            Tensor shared = Tensor.allocate(arena, DType.F32, 3, 8);
            fails(() -> RnnOps.lstm(ONE, x, w, new RnnOps.LstmState(shared.row(0), shared.row(2)), shared.slice(1, 3), sc),
                    "lstm", "overlaps");
            fails(() -> new RnnOps.LstmWeights(w.wIh(), Tensor.allocate(arena, DType.F32, 32, 7), null, null), "W_hh", "[4H, H]");
            fails(() -> new RnnOps.LstmWeights(Tensor.allocate(arena, DType.F32, 31, 5), w.wHh(), null, null), "W_ih", "[32, I]");
            fails(() -> new RnnOps.LstmWeights(w.wIh(), w.wHh(), Tensor.allocate(arena, DType.F32, 31), null), "biases");
            fails(() -> new RnnOps.LstmWeights(w.wIh(), Tensor.allocate(arena, DType.BF16, 32, 8), null, null), "F32 or F16");
        }
    }
}
