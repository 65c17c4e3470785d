package io.foley4j.engine;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.RnnOps.Layout;
import io.foley4j.engine.RnnOps.RnnShape;
import io.foley4j.kernels.Diff;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Stacks vs torch.nn.LSTM / torch.nn.GRU (2 layers, bidirectional, batch_first, fixed weights: resources
 * rnn/torch_reference.py and its committed output). Metric: max absolute error of out, h_n (and c_n); tolerance
 * {@value #TOL} with F32 weights. The same data time-first, and split into two streamed calls (forward-only stacks),
 * must agree with one call within {@value #SAME}; F16 and I8_ROW weights stay within {@value #TOL_F16} and
 * {@value #TOL_Q8} of PyTorch.
 */
class RnnStackTorchTest {
    static final double TOL = 1e-5, SAME = 1e-6, TOL_F16 = 2e-3, TOL_Q8 = 3e-2;
    static final int B = 3, T = 6, I = 5, H = 7, L = 2;
    static final WorkerPool ONE = new WorkerPool(1), TWO = new WorkerPool(2);
    static final Map<String, float[]> REF = new HashMap<>();

    @BeforeAll
    static void load() throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                RnnStackTorchTest.class.getResourceAsStream("/rnn/torch_reference.txt"), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] p = line.split(" ");
                float[] v = new float[p.length - 2];
                for (int i = 0; i < v.length; i++) v[i] = Float.parseFloat(p[i + 2]);
                REF.put(p[0], v);
            }
        }
    }

    @AfterAll
    static void close() {
        ONE.close();
        TWO.close();
    }

    static RnnShape shape(Layout layout) {
        return new RnnShape(I, H, L, true, layout);
    }

    static Tensor weight(Arena arena, String name, DType dtype, int rows) {
        float[] v = REF.get(name);
        Tensor t = Tensor.ofFloats(arena, v, rows, v.length / rows);
        return dtype == DType.F32 ? t : LinearOps.quantize(arena, t, dtype);
    }

    static RnnOps.LstmStack lstm(Arena arena, Layout layout, DType dtype) {
        List<RnnOps.LstmWeights> cells = new ArrayList<>();
        for (int l = 0; l < L; l++) {
            for (String sfx : new String[] {"", "_reverse"}) {
                String p = "lstm.", s = "_l" + l + sfx;
                cells.add(new RnnOps.LstmWeights(weight(arena, p + "weight_ih" + s, dtype, 4 * H),
                        weight(arena, p + "weight_hh" + s, dtype, 4 * H), Tensor.ofFloats(arena, REF.get(p + "bias_ih" + s), 4 * H),
                        Tensor.ofFloats(arena, REF.get(p + "bias_hh" + s), 4 * H)));
            }
        }
        return new RnnOps.LstmStack(shape(layout), cells);
    }

    static RnnOps.GruStack gru(Arena arena, Layout layout) {
        List<RnnOps.GruWeights> cells = new ArrayList<>();
        for (int l = 0; l < L; l++) {
            for (String sfx : new String[] {"", "_reverse"}) {
                String p = "gru.", s = "_l" + l + sfx;
                cells.add(new RnnOps.GruWeights(weight(arena, p + "weight_ih" + s, DType.F32, 3 * H),
                        weight(arena, p + "weight_hh" + s, DType.F32, 3 * H), Tensor.ofFloats(arena, REF.get(p + "bias_ih" + s), 3 * H),
                        Tensor.ofFloats(arena, REF.get(p + "bias_hh" + s), 3 * H), true));
            }
        }
        return new RnnOps.GruStack(shape(layout), cells);
    }

    /** [b, t, c] values of a [B, T, C] array as [T, B, C]. */
    static float[] timeFirst(float[] v, int c) {
        float[] o = new float[v.length];
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++)
                System.arraycopy(v, (b * T + t) * c, o, (t * B + b) * c, c);
        return o;
    }

    /** Runs the stack; returns [out..., h_n..., c_n...] with out in batch-first order. */
    static float[] run(Arena arena, WorkerPool pool, Layout layout, DType dtype, boolean isLstm) {
        RnnShape s = shape(layout);
        boolean bf = layout == Layout.BATCH_FIRST;
        Tensor x = bf ? Tensor.ofFloats(arena, REF.get("x"), B, T, I) : Tensor.ofFloats(arena, timeFirst(REF.get("x"), I), T, B, I);
        RnnOps.RnnState st = RnnOps.RnnState.zeros(arena, s, B, isLstm);
        st.h().data().copyFrom(Tensor.ofFloats(arena, REF.get("h0"), L * 2, B, H).data());
        if (isLstm) st.c().data().copyFrom(Tensor.ofFloats(arena, REF.get("c0"), L * 2, B, H).data());
        Tensor out = bf ? Tensor.allocate(arena, DType.F32, B, T, 2 * H) : Tensor.allocate(arena, DType.F32, T, B, 2 * H);
        RnnOps.RnnScratch scratch = RnnOps.RnnScratch.allocate(arena, s, B, T);
        if (isLstm) RnnOps.lstm(pool, lstm(arena, layout, dtype), x, st, out, null, scratch);
        else RnnOps.gru(pool, gru(arena, layout), x, st, out, null, scratch);
        float[] o = out.toFloats();
        if (!bf) { // back to [B, T, 2H]
            float[] b = new float[o.length];
            for (int t = 0; t < T; t++)
                for (int i = 0; i < B; i++)
                    System.arraycopy(o, (t * B + i) * 2 * H, b, (i * T + t) * 2 * H, 2 * H);
            o = b;
        }
        float[] h = st.h().toFloats(), c = isLstm ? st.c().toFloats() : new float[0];
        float[] all = new float[o.length + h.length + c.length];
        System.arraycopy(o, 0, all, 0, o.length);
        System.arraycopy(h, 0, all, o.length, h.length);
        System.arraycopy(c, 0, all, o.length + h.length, c.length);
        return all;
    }

    static float[] expected(String p, boolean isLstm) {
        float[] o = REF.get(p + ".out"), h = REF.get(p + ".hn"), c = isLstm ? REF.get(p + ".cn") : new float[0];
        float[] all = new float[o.length + h.length + c.length];
        System.arraycopy(o, 0, all, 0, o.length);
        System.arraycopy(h, 0, all, o.length, h.length);
        System.arraycopy(c, 0, all, o.length + h.length, c.length);
        return all;
    }

    @Test
    void lstmMatchesPyTorch() {
        try (Arena arena = Arena.ofShared()) {
            float[] want = expected("lstm", true);
            Diff d = Diff.of(run(arena, ONE, Layout.BATCH_FIRST, DType.F32, true), want, 1.0);
            assertTrue(d.maxAbs() <= TOL, "LSTM batch-first vs PyTorch: " + d);
            Diff tf = Diff.of(run(arena, TWO, Layout.TIME_FIRST, DType.F32, true), want, 1.0);
            assertTrue(tf.maxAbs() <= TOL, "LSTM time-first, 2 threads vs PyTorch: " + tf);
            Diff half = Diff.of(run(arena, ONE, Layout.BATCH_FIRST, DType.F16, true), want, 1.0);
            assertTrue(half.maxAbs() <= TOL_F16, "LSTM F16 weights vs PyTorch: " + half);
            Diff q8 = Diff.of(run(arena, ONE, Layout.BATCH_FIRST, DType.I8_ROW, true), want, 1.0);
            assertTrue(q8.maxAbs() <= TOL_Q8, "LSTM I8_ROW weights vs PyTorch: " + q8);
        }
    }

    @Test
    void gruMatchesPyTorch() {
        try (Arena arena = Arena.ofShared()) {
            float[] want = expected("gru", false);
            Diff d = Diff.of(run(arena, ONE, Layout.BATCH_FIRST, DType.F32, false), want, 1.0);
            assertTrue(d.maxAbs() <= TOL, "GRU batch-first vs PyTorch: " + d);
            Diff tf = Diff.of(run(arena, ONE, Layout.TIME_FIRST, DType.F32, false), want, 1.0);
            assertTrue(tf.maxAbs() <= TOL, "GRU time-first vs PyTorch: " + tf);
        }
    }

    @Test
    void forwardStackStreamsAcrossCalls() {
        try (Arena arena = Arena.ofShared()) {
            RnnShape s = new RnnShape(I, H, L, false, Layout.TIME_FIRST);
            List<RnnOps.LstmWeights> cells = new ArrayList<>();
            for (int l = 0; l < L; l++) { // forward cells of the reference; layer 1 takes layer 0's H outputs
                String sfx = "_l" + l;
                float[] wih = REF.get("lstm.weight_ih" + sfx);
                int in = l == 0 ? I : H, full = wih.length / (4 * H);
                float[] cut = new float[4 * H * in];
                for (int r = 0; r < 4 * H; r++) System.arraycopy(wih, r * full, cut, r * in, in);
                cells.add(new RnnOps.LstmWeights(Tensor.ofFloats(arena, cut, 4 * H, in),
                        weight(arena, "lstm.weight_hh" + sfx, DType.F32, 4 * H), null, null));
            }
            RnnOps.LstmStack stack = new RnnOps.LstmStack(s, cells);
            Tensor x = Tensor.ofFloats(arena, timeFirst(REF.get("x"), I), T, B, I);
            RnnOps.RnnScratch scratch = RnnOps.RnnScratch.allocate(arena, s, B, T);
            RnnOps.RnnState one = RnnOps.RnnState.zeros(arena, s, B, true), two = RnnOps.RnnState.zeros(arena, s, B, true);
            Tensor outOne = Tensor.allocate(arena, DType.F32, T, B, H), outTwo = Tensor.allocate(arena, DType.F32, T, B, H);
            RnnOps.lstm(ONE, stack, x, one, outOne, null, scratch);
            RnnOps.lstm(ONE, stack, x.slice(0, 2), two, outTwo.slice(0, 2), null, scratch);
            RnnOps.lstm(ONE, stack, x.slice(2, T), two, outTwo.slice(2, T), null, scratch);
            Diff d = Diff.of(outTwo.toFloats(), outOne.toFloats());
            assertTrue(d.maxAbs() <= SAME, "2 streamed calls vs 1: " + d);
            Diff c = Diff.of(two.c().toFloats(), one.c().toFloats());
            assertTrue(c.maxAbs() <= SAME, "final c: " + c);
        }
    }

    @Test
    void lengthsFreezeStateAndZeroOutputs() {
        try (Arena arena = Arena.ofShared()) {
            RnnShape s = shape(Layout.BATCH_FIRST);
            RnnOps.LstmStack stack = lstm(arena, Layout.BATCH_FIRST, DType.F32);
            Tensor x = Tensor.ofFloats(arena, REF.get("x"), B, T, I);
            RnnOps.RnnScratch scratch = RnnOps.RnnScratch.allocate(arena, s, B, T);
            RnnOps.RnnState full = RnnOps.RnnState.zeros(arena, s, B, true), cut = RnnOps.RnnState.zeros(arena, s, B, true);
            Tensor outFull = Tensor.allocate(arena, DType.F32, B, T, 2 * H), outCut = Tensor.allocate(arena, DType.F32, B, T, 2 * H);
            RnnOps.lstm(ONE, stack, x, full, outFull, new int[] {T, T, T}, scratch);
            RnnOps.lstm(ONE, stack, x, cut, outCut, new int[] {T, 4, 0}, scratch);
            float[] f = outFull.toFloats(), c = outCut.toFloats();
            int row = T * 2 * H;
            Diff item0 = Diff.of(java.util.Arrays.copyOfRange(c, 0, row), java.util.Arrays.copyOfRange(f, 0, row));
            assertTrue(item0.maxAbs() <= SAME, "item 0 has the full length: " + item0);
            for (int i = row + 4 * 2 * H; i < 3 * row; i++) {
                if (i >= 2 * row || i >= row + 4 * 2 * H) {
                    assertTrue(c[i] == 0f, "steps past an item's length must be zero, index " + i + " = " + c[i]);
                }
            }
            float[] h = cut.h().toFloats();
            for (int k = 0; k < 2 * L; k++) {
                for (int j = 0; j < H; j++) {
                    assertTrue(h[(k * B + 2) * H + j] == 0f, "an item of length 0 keeps its zero state");
                }
            }
        }
    }

    private static void fails(Executable e, String... words) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String word : words) {
            assertTrue(ex.getMessage().contains(word), "message '" + ex.getMessage() + "' lacks '" + word + "'");
        }
    }

    @Test
    void badStacksAndStatesAreRejected() {
        try (Arena arena = Arena.ofShared()) {
            RnnShape s = shape(Layout.BATCH_FIRST);
            RnnOps.LstmStack stack = lstm(arena, Layout.BATCH_FIRST, DType.F32);
            Tensor x = Tensor.ofFloats(arena, REF.get("x"), B, T, I);
            Tensor out = Tensor.allocate(arena, DType.F32, B, T, 2 * H);
            RnnOps.RnnScratch scratch = RnnOps.RnnScratch.allocate(arena, s, B, T);
            RnnOps.RnnState st = RnnOps.RnnState.zeros(arena, s, B, true);
            RnnOps.lstm(ONE, stack, x, st, out, null, scratch); // the valid call the failures below perturb
            fails(() -> RnnOps.lstm(ONE, stack, x, RnnOps.RnnState.zeros(arena, s, B + 1, true), out, null, scratch),
                    "lstm", "state", "[4, 3, 7]", "[4, 4, 7]");
            fails(() -> RnnOps.lstm(ONE, stack, x, RnnOps.RnnState.zeros(arena, s, B, false), out, null, scratch),
                    "lstm", "needs c");
            fails(() -> RnnOps.lstm(ONE, stack, x, st, Tensor.allocate(arena, DType.F32, B, T, H), null, scratch),
                    "lstm", "out", "[3, 6, 14]");
            fails(() -> RnnOps.lstm(ONE, stack, Tensor.allocate(arena, DType.F32, B, T, I + 1), st, out, null, scratch),
                    "lstm", "x", "[B, T, 5]");
            fails(() -> RnnOps.lstm(ONE, stack, x, st, out, new int[] {T, T}, scratch), "lengths", "3");
            fails(() -> RnnOps.lstm(ONE, stack, x, st, out, new int[] {T, T + 1, 0}, scratch), "sequence length 7");
            fails(() -> RnnOps.lstm(ONE, stack, x, st, out, null, RnnOps.RnnScratch.allocate(arena, s, B, T - 1)),
                    "scratch", "steps 6");
            fails(() -> new RnnOps.LstmStack(s, stack.cells().subList(0, 3)), "needs 4 cells");
            fails(() -> new RnnOps.LstmStack(new RnnShape(I + 1, H, L, true, Layout.BATCH_FIRST), stack.cells()),
                    "cell 0", "input 6");
            fails(() -> new RnnOps.LstmWeights(stack.cells().get(0).wIh(), stack.cells().get(0).wHh(), null, null,
                    Tensor.allocate(arena, DType.F32, 3 * H + 1)), "peephole", "[21]");
            fails(() -> new RnnOps.GruWeights(stack.cells().get(0).wIh(), stack.cells().get(0).wHh(), null, null, true),
                    "gru", "W_hh", "[3H, H]");
        }
    }
}
